"""An incremental run stores exactly what a full run of the same input stores (issue 17).

A catalogue is scored, then re-exported with about 1% of its listings changed (prices, weights, listings removed
and added) plus listings made to test the run-wide facts: a box shared by five listings of three categories (a
placeholder) that one listing leaves, so that the other four lose PLACEHOLDER_DIMENSIONS, and a product whose
declared weight changes on one variant, so that a sibling's estimate changes. The incremental run into the first
database is compared, table by table and view by view, with a full rescore of the same input into a copy of that
database, and its current rows with a full run of the same input into a fresh database. A listing's lineage (file
and row) is the run's that scored it, like its run id: compared apart.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

from tests.conftest import REPO_ROOT
from tests.helpers import canonical_csv
from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

AS_OF = "2026-11-20"
ROWS = 3_000
COLUMNS = (*CANONICAL_COLUMNS, "product_group")
# Columns that name or date a run: they differ between any two runs, whatever they stored.
RUN_COLUMNS = {"run_id", "previous_run_id", "scored_at", "changed_at", "started_at", "finished_at", "processed_at",
               "loaded_at", "rescore_reason", "listings_rescored", "latest_run_id", "duration_seconds"}
LINEAGE = ("source_file", "source_row")  # of a listing: where the run that scored it read it
PLACEHOLDER_BOX = {"length_cm": "33", "width_cm": "33", "height_cm": "33"}


def _special_rows(night: int) -> list[dict[str, str]]:
    """Five listings in one 33 cm box across three categories (the fifth leaves it on night 2), and a product
    of three variants, one without a weight (estimated from its siblings), one whose weight changes on night 2."""
    categories = ["Toys", "Toys", "Home & Kitchen", "Home & Kitchen", "Sports"]
    boxes = [
        {"listing_id": f"BOX-{number}", "sku": f"BOX-SKU-{number}", "category": category, **PLACEHOLDER_BOX}
        for number, category in enumerate(categories, start=1)
    ]
    if night == 2:
        boxes[-1] = {**boxes[-1], "length_cm": "34"}
    variants = [
        {"listing_id": "VAR-1", "sku": "VAR-SKU-1", "product_group": "mug", "weight_kg": ""},
        {"listing_id": "VAR-2", "sku": "VAR-SKU-2", "product_group": "mug",
         "weight_kg": "0.9" if night == 1 else "1.6"},
        {"listing_id": "VAR-3", "sku": "VAR-SKU-3", "product_group": "mug", "weight_kg": "0.7"},
    ]
    return boxes + variants


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> dict[int, list[Path]]:
    """Night 1: a generated catalogue and the special listings; night 2: its re-export, 1% changed."""
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO_ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("nights")
    first = generate.generate(ROWS, folder / "night1", seed=5, chunk_rows=1_000, formats=("csv",))["csv"]
    second = folder / "night2" / first.name
    changed = generate.reexport(first, second, changed_share=0.01, seed=5)
    assert min(changed.values()) > 0, changed
    return {
        night: [path, canonical_csv(path.parent / "special.csv", _special_rows(night), COLUMNS)]
        for night, path in ((1, first), (2, second))
    }


def _score(paths: list[Path], db: Path, full_refresh: bool = False, config: Path | None = None, as_of: str = AS_OF):
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    return score_catalogue(paths=[str(path) for path in paths], db_path=str(db), as_of=as_of,
                           full_refresh=full_refresh, config_path=str(config) if config else None)


@pytest.fixture(scope="module")
def databases(nights, tmp_path_factory) -> dict[str, object]:
    """incremental: night 1 then night 2; full: night 1 then night 2 with a full refresh; fresh: night 2 alone."""
    folder = tmp_path_factory.mktemp("databases")
    incremental, full, fresh = folder / "incremental.duckdb", folder / "full.duckdb", folder / "fresh.duckdb"
    first = _score(nights[1], incremental)
    shutil.copy(incremental, full)
    shutil.copy(incremental, folder / "first.duckdb")
    before = query(incremental, "select listing_id, reasons from listing_scores where listing_id like 'BOX-%'")
    summary = _score(nights[2], incremental)
    full_summary = _score(nights[2], full, full_refresh=True)
    _score(nights[2], fresh)
    return {"incremental": incremental, "full": full, "fresh": fresh, "first": first, "summary": summary,
            "first_db": folder / "first.duckdb",
            "full_summary": full_summary, "placeholders_before": before}


def _objects(db: Path) -> list[str]:
    """The store's tables and views (the load's own views over a run's spool, incoming_*, are not the store's)."""
    rows = query(db, "select table_name from information_schema.tables where table_name not like 'incoming%' "
                     "order by table_name")
    return rows["table_name"].to_list()


def _names_or_dates_a_run(column: str, of_listings: bool) -> bool:
    return column in RUN_COLUMNS or column.endswith(("_at", "run_id")) or (of_listings and column in LINEAGE)


def _stored(db: Path, name: str, where: str = "") -> pl.DataFrame:
    columns = query(db, "select column_name from information_schema.columns where table_name = $name "
                        "order by ordinal_position", {"name": name})["column_name"].to_list()
    of_listings = "listing_id" in columns
    kept = ", ".join(f'"{column}"' for column in columns if not _names_or_dates_a_run(column, of_listings))
    return query(db, f"select {kept} from {name} {where} order by all")  # noqa: S608 (our own table names)


def _assert_same(mine: pl.DataFrame, theirs: pl.DataFrame, name: str) -> None:
    """Equal, every value; floats to 12 significant digits: polars divides a column by a constant as a
    multiplication by its inverse except in a chunk of one value, so the last bit follows the batch layout (a full
    run in other batch sizes differs the same way; scores are rounded to 0.1, so bands and changes do not)."""
    try:
        assert_frame_equal(mine, theirs, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
    except AssertionError as error:
        raise AssertionError(f"{name}: {error}") from None


def test_the_incremental_run_scores_only_what_changed_and_says_so(databases) -> None:
    summary = databases["summary"]
    assert summary.rescore_reason.startswith("incremental: ")
    rescored = query(databases["incremental"], "select listings_rescored, rows_scored from pipeline_runs "
                     "where run_id = $run", {"run": summary.run_id}).row(0)
    assert 0 < rescored[0] < rescored[1] * 0.1, rescored
    assert summary.rows_scored == rescored[1]  # the run's valid listings, kept or scored again
    assert f"{rescored[0]:,} of {rescored[1]:,} listings" in summary.rescore_reason
    assert "rescored:     incremental" in summary.render()
    assert databases["full_summary"].rescore_reason.startswith("full refresh asked for")
    assert databases["first"].rescore_reason.startswith("no earlier run")


def test_a_listing_that_leaves_a_shared_box_rescores_the_listings_still_in_it(databases) -> None:
    before = dict(databases["placeholders_before"].iter_rows())
    assert all("PLACEHOLDER_DIMENSIONS" in before[f"BOX-{number}"] for number in range(1, 6))
    after = query(databases["incremental"], "select listing_id, reasons, run_id = $run as rescored "
                  "from listing_scores where listing_id like 'BOX-%' order by listing_id",
                  {"run": databases["summary"].run_id})
    assert after["rescored"].all()  # BOX-1..4 did not change themselves
    assert not any("PLACEHOLDER_DIMENSIONS" in reasons for reasons in after["reasons"])


def test_a_sibling_whose_weight_changes_rescores_its_whole_product(databases) -> None:
    rows = query(databases["incremental"], "select listing_id, weight_basis, estimated_weight_kg, "
                 "run_id = $run as rescored from listing_scores where listing_id like 'VAR-%' order by listing_id",
                 {"run": databases["summary"].run_id})
    assert rows["rescored"].all()
    assert rows.row(0)[1:3] == ("sibling", 1.6)


def test_an_unchanged_listing_keeps_its_rows_and_the_lineage_of_the_run_that_scored_it(databases) -> None:
    lineage = "select listing_id, run_id, source_file, source_row from listings where run_id = $run order by 1"
    kept = query(databases["incremental"], lineage, {"run": databases["first"].run_id})
    assert kept.height > ROWS * 0.8
    first = query(databases["first_db"], lineage, {"run": databases["first"].run_id})
    assert kept.equals(first.filter(pl.col("listing_id").is_in(kept["listing_id"].implode())))
    rescored = query(databases["incremental"], lineage, {"run": databases["summary"].run_id}).drop("run_id")
    refreshed = query(databases["full"], lineage, {"run": databases["full_summary"].run_id}).drop("run_id")
    assert rescored.equals(refreshed.filter(pl.col("listing_id").is_in(rescored["listing_id"].implode())))


def test_every_table_and_view_equals_a_full_rescore_of_the_same_input(databases) -> None:
    incremental, full = databases["incremental"], databases["full"]
    objects = _objects(incremental)
    assert objects == _objects(full)
    assert {"listings", "listing_scores", "listing_channel_costs", "score_changes", "latest_scores"} <= set(objects)
    for table in objects:
        _assert_same(_stored(incremental, table), _stored(full, table), table)


def test_the_current_rows_of_the_inputs_listings_equal_a_full_run_into_a_fresh_database(databases) -> None:
    incremental, fresh = databases["incremental"], databases["fresh"]
    current = query(fresh, "select listing_id from listings")["listing_id"]
    for table in ("listings", "listing_scores", "listing_channel_costs", "latest_scores", "channel_costs"):
        mine = _stored(incremental, table).filter(pl.col("listing_id").is_in(current.implode()))
        _assert_same(mine, _stored(fresh, table), table)


def test_a_configuration_change_rescores_everything_and_says_why(databases, nights, tmp_path) -> None:
    db = tmp_path / "changed.duckdb"
    shutil.copy(databases["incremental"], db)
    config = tmp_path / "config.toml"
    config.write_text("[data_quality]\nplaceholder_box_min_listings = 4\n", encoding="utf-8")

    summary = _score(nights[2], db, config=config)

    assert summary.rescore_reason.startswith("scoring context changed")
    rescored = query(db, "select listings_rescored, rows_scored from pipeline_runs where run_id = $run",
                     {"run": summary.run_id}).row(0)
    assert rescored[0] == rescored[1]


def test_the_next_nights_run_of_the_same_export_scores_nothing(databases, nights, tmp_path) -> None:
    db = tmp_path / "next night.duckdb"
    shutil.copy(databases["incremental"], db)

    summary = _score(nights[2], db, as_of="2026-11-21")  # no dated window starts or ends that day

    assert summary.rescore_reason.startswith("incremental: 0 of ")


def test_only_the_records_new_or_changed_since_the_stored_run_are_validated(databases, nights, tmp_path,
                                                                             monkeypatch) -> None:
    from xborder_pipeline import batches
    from xborder_pipeline.as_of import settings_for_run, with_as_of
    from xborder_pipeline.config import load_settings
    from xborder_pipeline.ingest import IngestOptions, read_file_in_pieces

    db = tmp_path / "first.duckdb"
    shutil.copy(databases["first_db"], db)
    settings = settings_for_run(with_as_of(load_settings(None), AS_OF))
    validated: list[int] = []
    real_validate = batches.validate_listings
    monkeypatch.setattr(batches, "validate_listings",
                        lambda records, *args, **kwargs: validated.append(records.height) or
                        real_validate(records, *args, **kwargs))
    spool = batches.Spool.create(db, "known-records-test", settings)
    try:
        known = batches.find_known_records(spool, settings, db)
        counts = batches.StagedCounts()
        for partition in batches.partitions(nights[2]):
            counts += batches.stage_partition(partition, IngestOptions(), settings, spool)
        kept_apart = pl.concat([pl.read_parquet(part) for part in spool.parts(batches.SEEN)])
        valid = pl.concat([pl.read_parquet(part) for part in spool.parts("valid")])
    finally:
        spool.remove()

    records = {night: pl.concat([next(read_file_in_pieces(path, IngestOptions())).records for path in nights[night]])
               for night in (1, 2)}
    own = [column for column in records[1].columns if column not in LINEAGE]
    stored = records[1].join(query(db, "select source_file, source_row from listings"), on=LINEAGE, how="semi")
    unchanged = records[2].join(stored.select(own), on=own, how="semi", nulls_equal=True)
    assert known > 0
    # every record of night 2 that a stored listing of night 1 was read from word for word: not validated again
    assert kept_apart.height == unchanged.height
    assert sum(validated) == records[2].height - kept_apart.height < records[2].height * 0.05
    assert counts.rows_valid == valid.height + kept_apart.height
    # of a known record, only where it was read: its position in the known set and its row (the file is the part's)
    assert kept_apart.columns == ["known", "source_row"]


def test_the_steps_before_scoring_read_with_one_duckdb_and_let_the_store_go_when_the_plan_is_done(
        databases, nights, tmp_path, monkeypatch) -> None:
    import duckdb

    from xborder_pipeline import batches
    from xborder_pipeline.as_of import settings_for_run, with_as_of
    from xborder_pipeline.config import load_settings
    from xborder_pipeline.ingest import IngestOptions

    db = tmp_path / "first.duckdb"
    shutil.copy(databases["first_db"], db)
    settings = settings_for_run(with_as_of(load_settings(None), AS_OF))
    made: list[object] = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *args, **kwargs: made.append(args) or real_connect(*args, **kwargs))
    spool = batches.Spool.create(db, "one-reader-test", settings)
    try:
        batches.find_known_records(spool, settings, db)
        counts = batches.StagedCounts()
        for partition in batches.partitions(nights[2]):
            counts += batches.stage_partition(partition, IngestOptions(), settings, spool)
        counts = counts.with_repeats_rejected(batches.find_run_wide_facts(spool, settings, db))
        batches.find_sales_demand(spool, settings, db)
        with pytest.raises(duckdb.Error, match="already attached|lock|conflict"):  # the run reads the store
            real_connect(str(db)).close()
        context = (spool.root / batches.SCORING_CONTEXT).read_text(encoding="utf-8")
        plan = batches.plan_rescoring(spool, settings, db, context, counts.rows_valid)
        assert plan.incremental
        assert len(made) == 1  # the known listings, repeated ids, whether the store holds sales, the plan
        real_connect(str(db)).close()  # the plan let the store go: the load may write it
    finally:
        spool.remove()


def test_a_delta_run_opens_duckdb_twice_and_reads_its_summary_back_as_the_file_holds_it(
        databases, nights, tmp_path, monkeypatch) -> None:
    import duckdb

    from xborder_pipeline.run_summary import summary_of_run
    from xborder_pipeline.store.database import open_read_only

    db = tmp_path / "first.duckdb"
    shutil.copy(databases["first_db"], db)
    made: list[tuple[object, ...]] = []
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *args, **kwargs: made.append(args) or real_connect(*args, **kwargs))
    summary = _score(nights[2], db)
    monkeypatch.undo()

    # the run's reader (in memory, the store attached) and its writer, which also reads the summary back
    assert [str(args[0]) if args else ":memory:" for args in made] == [":memory:", str(db)]
    assert summary.rescore_reason.startswith("incremental")
    with open_read_only(db) as connection:
        anew = summary_of_run(connection, summary.run_id, db, summary.rows_read, summary.rows_rejected,
                              summary.rows_skipped, summary.seconds, summary.changes, summary.sales_rows_loaded)
    assert summary == replace(anew, rescore_reason=summary.rescore_reason, rows_scored=summary.rows_scored)
    assert summary.changes > 0 and sum(summary.bands.values()) > 0


def test_a_failed_step_lets_the_store_go_with_the_spool(databases, tmp_path) -> None:
    import duckdb

    from xborder_pipeline import batches
    from xborder_pipeline.as_of import settings_for_run, with_as_of
    from xborder_pipeline.config import load_settings

    db = tmp_path / "first.duckdb"
    shutil.copy(databases["first_db"], db)
    settings = settings_for_run(with_as_of(load_settings(None), AS_OF))
    spool = batches.Spool.create(db, "failed-step-test", settings)
    batches.find_known_records(spool, settings, db)  # the run's reader now holds the store, as when a step fails
    spool.remove()
    duckdb.connect(str(db)).close()


def test_a_store_without_listing_fingerprints_scores_every_listing_once_then_only_what_changes(databases, nights,
                                                                                              tmp_path) -> None:
    import duckdb

    db = tmp_path / "earlier version.duckdb"
    shutil.copy(databases["first_db"], db)
    with duckdb.connect(str(db)) as connection:  # as a version before listing fingerprints and keys left it
        connection.execute("alter table listing_scores drop column listing_fingerprint")
        connection.execute("drop table listing_keys")

    upgraded = _score(nights[2], db)
    again = _score(nights[2], db, as_of="2026-11-21")

    assert upgraded.rescore_reason.startswith(f"incremental: {upgraded.rows_scored:,} of {upgraded.rows_scored:,} ")
    # listings missing from night 2 keep their rows, without the fingerprint the earlier version did not store
    _assert_same(_stored(db, "listing_scores").drop("listing_fingerprint"),
                 _stored(databases["incremental"], "listing_scores").drop("listing_fingerprint"), "listing_scores")
    assert again.rescore_reason.startswith("incremental: 0 of ")


def test_the_known_set_is_sorted_once_for_all_the_files_of_a_run_and_let_go_after(databases, nights, tmp_path,
                                                                                monkeypatch) -> None:
    from xborder_pipeline import batches

    db = tmp_path / "many files.duckdb"
    shutil.copy(databases["first_db"], db)
    reads = []
    real_read = batches.pl.read_parquet
    monkeypatch.setattr(batches.pl, "read_parquet", lambda path, *args, **kwargs: reads.append(
        (str(path), tuple(kwargs.get("columns") or ()))) or real_read(path, *args, **kwargs))

    _score(nights[2], db)  # two files

    # the store's fingerprints sorted once for staging every file and for the plan; never read back in the process
    assert [path for path, _ in reads if "known_fingerprints" in path] == []
    assert not batches._KNOWN_SETS


def _box_night(folder: Path, night: int, absent: tuple[str, ...] = ()) -> Path:
    """Six listings in one 44 cm box across three categories and two listings of their own box, less `absent`."""
    categories = ["Toys", "Toys", "Home & Kitchen", "Home & Kitchen", "Sports", "Sports"]
    rows = [
        {"listing_id": f"BOXA-{number}", "sku": f"BOXA-SKU-{number}", "category": category,
         "length_cm": "44", "width_cm": "44", "height_cm": "44"}
        for number, category in enumerate(categories, start=1)
    ] + [{"listing_id": f"OWN-{number}", "sku": f"OWN-SKU-{number}", "length_cm": str(20 + number)}
         for number in (1, 2)]
    kept = [row for row in rows if row["listing_id"] not in absent]
    return canonical_csv(folder / f"night{night}.csv", kept, COLUMNS)


def test_listings_that_leave_the_export_and_come_back_rescore_the_listings_sharing_their_box(tmp_path) -> None:
    """A listing missing from a night keeps its rows, but no longer counts in its box; when it comes back, it counts
    again: the listings that stayed in the box are scored again both times, and every table equals a full rescore
    of the same night. The run knows which stored listings the last run did not read (absent_listings)."""
    away = ("BOXA-5", "BOXA-6")
    nights = [_box_night(tmp_path, 1), _box_night(tmp_path, 2, absent=away), _box_night(tmp_path, 3),
              _box_night(tmp_path, 4)]
    db = tmp_path / "incremental.duckdb"
    _score([nights[0]], db)
    rescored: dict[int, list[str]] = {}
    for night, path in enumerate(nights[1:], start=2):
        full = tmp_path / f"full night {night}.duckdb"
        shutil.copy(db, full)
        summary = _score([path], db)
        _score([path], full, full_refresh=True)
        assert summary.rescore_reason.startswith("incremental")
        for table in _objects(db):
            _assert_same(_stored(db, table), _stored(full, table), f"night {night}: {table}")
        rescored[night] = query(db, "select listing_id from listing_scores where run_id = $run order by 1",
                                {"run": summary.run_id})["listing_id"].to_list()
        if night == 2:
            assert query(db, "select count(*) from absent_listings").item() == 2

    stayed = ["BOXA-1", "BOXA-2", "BOXA-3", "BOXA-4"]
    assert rescored == {2: stayed, 3: stayed, 4: []}  # those back were scored with a box of six: as they are now
    reasons = query(db, "select listing_id, reasons from listing_scores where listing_id like 'BOXA-%'")
    assert all("PLACEHOLDER_DIMENSIONS" in reason for reason in reasons["reasons"])
    assert query(db, "select count(*) from absent_listings").item() == 0


def _sales(path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    """A canonical sales file: (sku, period_start, period_end, units) of the box listings' marketplace and seller."""
    lines = ["sku,marketplace,seller_id,period_start,period_end,units,revenue,currency"]
    lines += [f"{sku},amazon_us,shenzhen-gadgets,{start},{end},{units},," for sku, start, end, units in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("later", "rescored_later"), [("2026-11-21", []), ("2026-12-05", ["BOXA-1", "OWN-1"]),
                                                     ("2026-11-10", ["OWN-2"])])
def test_listings_whose_sales_are_new_or_grow_old_are_rescored_as_a_full_run_scores_them(
        tmp_path, later, rescored_later) -> None:
    """A listing's demand comes from the sales history that names its SKU, as of the run's day: an incremental run
    looks again at the listings its sales name and at those whose stored demand came from sales. Run on days of the
    same scoring context as 2026-11-20: on 2026-12-05, BOXA-1's sales of July and August are out of the window and
    OWN-1's of October out of the last 30 days; on 2026-11-10, OWN-2's sales of November's first half are not
    over yet, and no sales name it (a listing in a box of its own)."""
    listings = _box_night(tmp_path, 1)
    first = _sales(tmp_path / "sales1.csv", [("BOXA-SKU-1", "2026-07-01", "2026-07-31", 35),
                                            ("BOXA-SKU-1", "2026-08-01", "2026-08-31", 40),
                                            ("OWN-SKU-2", "2026-11-01", "2026-11-15", 9)])
    second = _sales(tmp_path / "sales2.csv", [("OWN-SKU-1", "2026-10-01", "2026-10-31", 12)])
    db = tmp_path / "incremental.duckdb"
    _score([listings, first], db)
    rescored = []
    for night, (paths, as_of) in enumerate([([listings, second], AS_OF), ([listings], later)], start=2):
        full = tmp_path / f"full night {night}.duckdb"
        shutil.copy(db, full)
        summary = _score(paths, db, as_of=as_of)
        _score(paths, full, full_refresh=True, as_of=as_of)
        assert summary.rescore_reason.startswith("incremental")
        for table in _objects(db):
            _assert_same(_stored(db, table), _stored(full, table), f"night {night}: {table}")
        rescored.append(query(db, "select listing_id from listing_scores where run_id = $run order by 1",
                              {"run": summary.run_id})["listing_id"].to_list())

    assert rescored == [["OWN-1"], rescored_later]
