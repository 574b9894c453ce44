"""The DuckDB store: a run commits whole or not at all, queries cannot write, current rows replace old."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.helpers import canonical_csv
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.features.shipping import channel_costs_long
from xborder_pipeline.ingest import read_listings
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.store import database
from xborder_pipeline.store.database import (
    AuditFailed,
    QueryError,
    RunCounts,
    RunRecord,
    StoreError,
    query,
    record_failed_run,
    sql_text,
    write_run,
)
from xborder_pipeline.validation import validate_listings


def _scored_run(tmp_path: Path, settings, rows: list[dict[str, str]], run_id: str):
    path = canonical_csv(tmp_path / f"{run_id}.csv", rows)
    checked = validate_listings(read_listings([path]).records, settings)
    scored = with_scores(with_listing_features(checked.valid, settings), settings)
    now = datetime.now(UTC)
    run = RunRecord(run_id=run_id, started_at=now, config_hash="test", input_files=[str(path)], version="t")
    counts = RunCounts(
        rows_read=len(rows), rows_scored=scored.height, rows_rejected=checked.rows_rejected, rows_skipped=0
    )
    tagged = {"run_id": pl.lit(run_id)}
    return dict(
        run=run,
        counts=counts,
        listings=scored.with_columns(**tagged),
        scores=scored.with_columns(**tagged, scored_at=pl.lit(now)),
        channel_costs=channel_costs_long(scored, settings).with_columns(**tagged, scored_at=pl.lit(now)),
        rejects=checked.rejects.with_columns(**tagged),
        skipped=pl.DataFrame(
            schema={"source_file": pl.String, "source_row": pl.Int64, "reason": pl.String}
        ).with_columns(**tagged),
        finished_at=now,
    )


def _count(db: Path, table: str) -> int:
    return query(db, f"select count(*) as n from {table}")["n"][0]  # noqa: S608 (test-owned table names)


def test_a_run_writes_listings_scores_rejects_and_its_run_row(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}, {}, {"price": "abc"}], "run-1"))

    assert _count(db, "latest_scores") == 2
    assert _count(db, "rejected_rows") == 1
    runs = query(db, "select status, rows_read, rows_scored, rows_rejected, rows_skipped from pipeline_runs")
    assert runs.rows() == [("succeeded", 3, 2, 1, 0)]
    assert _count(db, "reason_codes") > 20


def test_rescoring_a_listing_replaces_its_current_rows(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{"price": "10"}, {}], "run-1"))
    write_run(db, **_scored_run(tmp_path, settings, [{"price": "99"}], "run-2"))

    latest = query(db, "select listing_id, price, run_id from latest_scores order by listing_id")
    assert latest.rows() == [("L-1", 99.0, "run-2"), ("L-2", 12.99, "run-1")]
    assert _count(db, "listings") == 2
    assert _count(db, "pipeline_runs") == 2


def test_a_failing_audit_rolls_the_whole_run_back(tmp_path: Path, settings, monkeypatch) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    before = {table: _count(db, table) for table in ("listings", "listing_scores", "rejected_rows", "pipeline_runs")}

    broken = _scored_run(tmp_path, settings, [{}, {"price": "abc"}], "run-2")
    broken["scores"] = broken["scores"].with_columns(suitability_score=pl.lit(250.0))
    with pytest.raises(AuditFailed, match="scores_in_range"):
        write_run(db, **broken)

    after = {table: _count(db, table) for table in before}
    assert after == before


def test_a_parcel_without_a_cost_scored_suitable_fails_the_audit(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    # nothing declared and nothing to estimate from (no size in the title, no prior matched)
    unweighed = {"weight_kg": "", "length_cm": "", "width_cm": "", "height_cm": "", "title": "Item 42", "category": ""}
    honest = _scored_run(tmp_path, settings, [unweighed], "run-1")
    assert honest["scores"]["suitability_band"].to_list() == ["unknown"]
    write_run(db, **honest)

    broken = _scored_run(tmp_path, settings, [unweighed], "run-2")
    broken["scores"] = broken["scores"].with_columns(suitability_band=pl.lit("suitable"))
    with pytest.raises(AuditFailed, match="scores_in_range"):
        write_run(db, **broken)

    assert query(db, "select suitability_band, run_id from latest_scores").rows() == [("unknown", "run-1")]


def test_a_run_whose_counts_do_not_match_its_rows_is_rolled_back(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    broken = _scored_run(tmp_path, settings, [{}, {}, {"price": "abc"}], "run-2")
    counts = broken["counts"]
    broken["counts"] = RunCounts(counts.rows_read, counts.rows_scored - 1, counts.rows_rejected + 1, 0)

    with pytest.raises(AuditFailed, match="run_accounting"):
        write_run(db, **broken)

    assert _count(db, "pipeline_runs") == 1


def test_a_failed_run_is_recorded_and_touches_nothing_else(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    run = RunRecord(run_id="run-2", started_at=datetime.now(UTC), config_hash="x", input_files=[], version="t")

    record_failed_run(db, run, error="file unreadable", finished_at=datetime.now(UTC))

    runs = query(db, "select run_id, status, error_message from pipeline_runs order by started_at")
    assert runs.rows() == [("run-1", "succeeded", None), ("run-2", "failed", "file unreadable")]
    assert _count(db, "latest_scores") == 1


@pytest.mark.parametrize(
    "statement",
    [
        "delete from listings",
        "drop table listings",
        "create table x (a int)",
        "insert into reason_codes values (1,2,3)",
    ],
)
def test_queries_cannot_write(tmp_path: Path, settings, statement: str) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))

    with pytest.raises(QueryError):
        query(db, statement)

    assert _count(db, "listings") == 1


def test_querying_a_missing_database_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="xborder score"):
        query(tmp_path / "absent.duckdb", "select 1")


def test_values_and_text_with_quotes_survive_the_round_trip(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    nasty = "Robert'); drop table listings; --"
    write_run(db, **_scored_run(tmp_path, settings, [{"title": nasty, "sku": '=HYPERLINK("x")'}], "run-1"))

    assert query(db, "select title from listings")["title"].to_list() == [nasty]
    assert _count(db, "listings") == 1


def test_the_view_keeps_the_contract_columns(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    contract = (
        "listing_id, sku, marketplace, title, source_file, source_row, weight_kg, length_cm, width_cm, height_cm, "
        "volumetric_weight_kg, chargeable_weight_kg, is_fragile, fragility_score, has_battery, is_liquid, "
        "is_powder, has_magnet, is_aerosol_or_flammable, price_usd, est_direct_ship_cost_usd, "
        "logistics_cost_ratio, suitability_score, suitability_band, warehouse_flag, reasons, data_confidence, "
        "run_id, scored_at"
    ).split(", ")

    columns = query(db, "select * from latest_scores limit 0").columns
    assert set(contract) <= set(columns)
    with duckdb.connect(str(db), read_only=True) as connection:
        rejected = [row[0] for row in connection.sql("describe rejected_rows").fetchall()]
        runs = [row[0] for row in connection.sql("describe pipeline_runs").fetchall()]
    assert rejected[:7] == list(database.REJECT_TABLE_COLUMNS)
    assert {
        "run_id",
        "started_at",
        "finished_at",
        "status",
        "rows_read",
        "rows_scored",
        "rows_rejected",
        "rows_skipped",
        "config_hash",
    } <= set(runs)


def test_a_database_from_an_older_version_gains_the_new_columns(tmp_path: Path, settings) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute("create table listing_scores (listing_id varchar not null, run_id varchar not null)")
        connection.execute("insert into listing_scores values ('OLD-1', 'run-0')")
        connection.execute("create table listings (listing_id varchar, source_file varchar, source_row bigint, "
                            "run_id varchar)")
        connection.execute("insert into listings values ('OLD-1', 'old.csv', 1, 'run-0')")

    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))

    rows = query(db, "select listing_id, run_id, suitability_band from listing_scores order by listing_id")
    assert rows.rows()[0] == ("L-1", "run-1", rows["suitability_band"][0])
    assert ("OLD-1", "run-0", None) in rows.rows()

def test_the_channel_table_drops_the_listing_values_it_once_repeated(tmp_path: Path, settings) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as connection:  # the channel table as versions before 2026-12 made it
        connection.execute(
            "create table listing_channel_costs (listing_id varchar not null, channel varchar not null, "
            "destination_country varchar, duty_usd double, vat_usd double, customs_fee_usd double)"
        )
        connection.execute("insert into listing_channel_costs values ('L-1', 'express', 'US', 1.0, 0.0, 0.0)")

    write_run(db, **_scored_run(tmp_path, settings, [{"price": "20"}], "run-1"))

    with duckdb.connect(str(db), read_only=True) as connection:
        columns = {row[0] for row in connection.sql("describe listing_channel_costs").fetchall()}
    assert not columns & set(database.RETIRED_COLUMNS["listing_channel_costs"])
    # the view still answers with the listing's destination, duty, VAT and fee, the same on every channel
    rows = query(db, "select channel, destination_country, duty_usd, vat_usd, customs_fee_usd from channel_costs")
    scores = query(db, "select destination_country, duty_usd, vat_usd, customs_fee_usd from listing_scores")
    assert rows.height == len(settings.channels)
    assert rows.drop("channel").unique().rows() == scores.rows()
    assert scores["duty_usd"][0] is not None



def _l1_copied_over_l2(frame: pl.DataFrame) -> pl.DataFrame:
    """One channel's row of L-2 replaced by L-1's: the same count, the wrong listings."""
    channel = frame["channel"][0]
    copy = frame.filter((pl.col("listing_id") == "L-1") & (pl.col("channel") == channel))
    return pl.concat([frame.filter(~((pl.col("listing_id") == "L-2") & (pl.col("channel") == channel))), copy])


CHANNEL_COST_DEFECTS = {
    "a listing twice in a channel, another missing": (_l1_copied_over_l2, "listing_channel_costs_complete"),
    "a channel row missing": (lambda frame: frame.slice(1), "listing_channel_costs_complete"),
    "every channel of a listing recommended": (
        lambda frame: frame.with_columns(is_recommended=pl.col("is_recommended") | (pl.col("listing_id") == "L-1")),
        "listing_channel_costs_recommended",
    ),
    "a recommended channel that is not eligible": (
        lambda frame: frame.with_columns(eligible=pl.col("eligible") & ~pl.col("is_recommended")),
        "listing_channel_costs_recommended",
    ),
}


@pytest.mark.parametrize("defect", CHANNEL_COST_DEFECTS)
def test_channel_cost_rows_that_break_the_stores_rules_roll_the_run_back(tmp_path: Path, settings, defect) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    broken = _scored_run(tmp_path, settings, [{}, {}], "run-2")
    assert broken["channel_costs"].filter(pl.col("is_recommended")).height == 2  # both have a channel
    change, audit = CHANNEL_COST_DEFECTS[defect]
    broken["channel_costs"] = change(broken["channel_costs"])

    with pytest.raises(AuditFailed, match=audit):
        write_run(db, **broken)

    assert _count(db, "pipeline_runs") == 1
    assert query(db, "select distinct run_id from listing_channel_costs")["run_id"].to_list() == ["run-1"]


@pytest.mark.parametrize(
    ("table", "audit"),
    [("listing_channel_costs", "listing_channel_costs_per_run"), ("listing_scores", "listing_scores_unique")],
)
def test_rows_left_from_an_earlier_run_roll_the_run_back(tmp_path: Path, settings, monkeypatch, table, audit) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}], "run-1"))
    replace = database._replace_current_rows

    def forgetting_old_rows(connection, written, incoming, stamps, listings=None):
        if written != table:
            return replace(connection, written, incoming, stamps, listings)
        return database._append(connection, written, incoming, stamps)

    monkeypatch.setattr(database, "_replace_current_rows", forgetting_old_rows)
    with pytest.raises(AuditFailed, match=audit):
        write_run(db, **_scored_run(tmp_path, settings, [{}], "run-2"))

    assert query(db, f"select distinct run_id from {table}")["run_id"].to_list() == ["run-1"]  # noqa: S608


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("L-1", "run-2"), ("L-2", "run-2")], []),
        ([("L-1", "run-1"), ("L-1", "run-2"), ("L-2", "run-2")], [("L-1", 2)]),  # left by an earlier run
        ([("L-1", "run-2"), ("L-1", "run-2")], [("L-1", 2)]),  # twice in the run
        ([("L-3", "run-1"), ("L-3", "run-0"), ("L-1", "run-2")], []),  # not this run's listing: its own run's audit
    ],
)
@pytest.mark.parametrize("parts", [1, 3])
def test_the_unique_score_audit_counts_the_runs_listings_wherever_they_are(rows, expected, parts) -> None:
    with duckdb.connect() as connection:
        connection.execute("create table listing_scores (listing_id varchar, run_id varchar)")  # what it reads
        connection.executemany("insert into listing_scores values (?, ?)", rows)
        found = [row for part in range(parts) for row in connection.sql(
            sql_text("audits/listing_scores_unique.sql"), params={"run_id": "run-2", "parts": parts, "part": part}
        ).fetchall()]
    assert sorted(found) == expected


def test_an_audit_of_a_large_run_groups_its_listings_in_parts(tmp_path: Path, settings, monkeypatch) -> None:
    db = tmp_path / "store.duckdb"
    write_run(db, **_scored_run(tmp_path, settings, [{}, {}, {}], "run-1"))
    monkeypatch.setattr(database, "AUDIT_PART_LISTINGS", 1)  # three listings: three parts
    every_sql_file = database._sql_files
    monkeypatch.setattr(database, "_sql_files", lambda folder: [  # that audit alone (others see a repeat too)
        path for path in every_sql_file(folder) if folder != "audits" or path.name == "listing_scores_unique.sql"
    ])

    twice = _scored_run(tmp_path, settings, [{}, {}, {}], "run-2")
    twice["scores"] = pl.concat([twice["scores"], twice["scores"].tail(1)])  # L-3 twice

    with pytest.raises(AuditFailed, match="listing_scores_unique"):
        write_run(db, **twice)
    write_run(db, **_scored_run(tmp_path, settings, [{}, {}, {}], "run-3"))  # every part of a sound run passes
    assert query(db, "select count(*) as n from listing_scores where run_id = 'run-3'")["n"].item() == 3


CHANNELS = ("post", "express")


@pytest.mark.parametrize(
    ("scores", "channel_rows", "expected"),
    [
        ([("L-1", "run-1"), ("L-2", "run-2")], [("L-1", "run-1"), ("L-2", "run-2")], []),
        # L-1 scored again by run-2, its channel rows of run-1 left behind
        ([("L-1", "run-2")], [("L-1", "run-1"), ("L-1", "run-2")],
         [("run-1", "express", 1, 0), ("run-1", "post", 1, 0)]),
        # a listing of run-1 without its rows (two listings, one set of rows)
        ([("L-1", "run-1"), ("L-2", "run-1")], [("L-1", "run-1")],
         [("run-1", "express", 1, 2), ("run-1", "post", 1, 2)]),
    ],
)
def test_the_channel_audit_finds_rows_left_or_lost_by_any_run(scores, channel_rows, expected) -> None:
    with duckdb.connect() as connection:  # what it reads
        connection.execute("create table listing_scores (listing_id varchar, run_id varchar)")
        connection.execute("create table listing_channel_costs (listing_id varchar, run_id varchar, channel varchar)")
        connection.executemany("insert into listing_scores values (?, ?)", scores)
        connection.executemany("insert into listing_channel_costs values (?, ?, ?)",
                               [(listing, run, channel) for listing, run in channel_rows for channel in CHANNELS])
        found = connection.sql(sql_text("audits/listing_channel_costs_per_run.sql")).fetchall()
    assert sorted(found) == expected


def test_an_up_to_date_store_keeps_its_views_and_a_changed_view_or_table_makes_them_again(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    with duckdb.connect(str(db)) as connection:
        database.ensure_schema(connection)
        made = dict(connection.sql("select view_name, sql from duckdb_views() where not internal").fetchall())
        connection.execute("create or replace view latest_scores as select 1 as stale")  # as an older version made it
        database.ensure_schema(connection)
        again = dict(connection.sql("select view_name, sql from duckdb_views() where not internal").fetchall())
        assert again == made  # the changed one made again from its text; the others left as they were
        comments = connection.sql("select comment from duckdb_views() where not internal").fetchall()
        assert len({comment for (comment,) in comments}) == len(made) == len(database._sql_files("views"))

        created: list[str] = []
        real_execute = connection.execute

        class Watching:  # ensure_schema's statements, counted
            def __getattr__(self, name):
                return getattr(connection, name)

            def execute(self, statement, *args):
                created.append(statement)
                return real_execute(statement, *args)

        database.ensure_schema(Watching())
        assert created == []  # up to date: nothing made
        connection.execute("alter table listing_keys drop column assumed_currency")  # as an older version left it
        database.ensure_schema(Watching())
        assert sum("create or replace view" in statement for statement in created) == len(made)


def test_a_listing_written_without_its_score_rolls_the_run_back(tmp_path: Path, settings) -> None:
    db = tmp_path / "store.duckdb"
    broken = _scored_run(tmp_path, settings, [{}, {}], "run-1")
    broken["listings"] = pl.concat([broken["listings"].head(1), broken["listings"].head(1)])  # L-1 twice, no L-2

    with pytest.raises(AuditFailed, match="listings_without_score"):
        write_run(db, **broken)


def test_the_run_summary_says_what_the_band_unknown_lacks() -> None:
    from xborder_pipeline.run_summary import RunSummary

    def rendered(unknown: int) -> str:
        bands = {"suitable": 3, "marginal": 1, "unsuitable": 2, "unknown": unknown}
        return RunSummary("run-1", Path("x.duckdb"), 6 + unknown, 6 + unknown, 0, 0, 1.0, bands=bands).render()

    assert "suitable 3, marginal 1, unsuitable 2, unknown 137" in rendered(137)
    assert "unknown:      137 listing(s) with neither weight nor box size" in rendered(137)
    assert "neither weight nor box size" not in rendered(0)
