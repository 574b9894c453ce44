"""The dashboard views on a small hand-made database: what each row holds, and that the docs describe them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO_ROOT
from xborder_pipeline.export import VIEWS
from xborder_pipeline.scoring.reasons import ALL_REASONS
from xborder_pipeline.store.database import ensure_schema, open_for_writing

NEW_VIEWS = ("suitability_summary", "warehouse_candidates", "rejected_summary", "run_history")
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

RUNS = [
    # run_id, started, status, rows read/scored/rejected/skipped, config hash
    ("run-1", T0, "succeeded", 6, 4, 2, 0, "hash-a"),
    ("run-2", T0 + timedelta(days=1), "failed", None, None, None, None, "hash-a"),
    ("run-3", T0 + timedelta(days=2), "succeeded", 3, 2, 1, 0, "hash-b"),
]

# listing_id, marketplace, category, band, score, flag, saving per unit, monthly units, reasons
LISTINGS = [
    ("L-1", "amazon_us", "Office", "unsuitable", 10.0, "recommended", 50.0, 100.0,
     ["SHIPPING_EXCEEDS_PRICE", "OVER_POSTAL_WEIGHT", "WAREHOUSE_CHEAPER_PER_UNIT", "WAREHOUSE_TRAITS_BULKY",
      "NO_UNIT_COST"]),
    ("L-2", "amazon_us", "Office", "unsuitable", 20.0, "candidate_unproven_demand", 80.0, None,
     ["OVER_POSTAL_WEIGHT", "WAREHOUSE_CHEAPER_PER_UNIT", "NO_DEMAND_EVIDENCE"]),
    ("L-3", "amazon_us", "Office", "suitable", 90.0, "not_recommended", -2.0, 500.0,
     ["WAREHOUSE_COSTS_MORE", "NO_WAREHOUSE_ADVANTAGE"]),
    ("L-4", "ebay", None, "marginal", 55.0, "recommended", None, 40.0,
     ["NO_DIRECT_PARCEL_CHANNEL", "WAREHOUSE_ONLY_ROUTE"]),
    ("L-5", None, "Toys", "suitable", 85.0, "candidate_unproven_demand", 10.0, 30.0,
     ["ELEVATED_LOGISTICS_COST_RATIO", "WAREHOUSE_TRAITS_HIGH_PRICE", "LOW_SALES_VELOCITY"]),
    # no weight and no box: no parcel cost, so no ratio, no saving and the band unknown
    ("L-6", None, "Toys", "unknown", 82.0, "not_recommended", None, 30.0,
     ["FRAGILE", "NO_UNIT_COST", "NO_SHIPPING_ESTIMATE", "MISSING_WEIGHT", "MISSING_DIMENSIONS"]),
]
PARCEL_COST_UNKNOWN = {"L-6"}


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    connection.register("incoming_rows", pl.DataFrame(rows, infer_schema_length=None).to_arrow())
    connection.execute(f"insert into {table} by name select * from incoming_rows")  # noqa: S608 (test tables)
    connection.unregister("incoming_rows")


def build_views_db(path: Path, *, titles: dict[str, str] | None = None) -> Path:
    """Three runs (the second failed), five current listings, their changes and rejects, all views created."""
    titles = titles or {}
    with open_for_writing(path) as connection:
        ensure_schema(connection)
        _insert(connection, "pipeline_runs", [
            {"run_id": run_id, "started_at": started, "finished_at": started + timedelta(seconds=90),
             "status": status, "rows_read": read, "rows_scored": scored, "rows_rejected": rejected,
             "rows_skipped": skipped, "config_hash": config, "input_files": [f"{run_id}.csv"],
             "error_message": "disk full" if status == "failed" else None, "xborder_version": "0.1.0"}
            for run_id, started, status, read, scored, rejected, skipped, config in RUNS
        ])
        scored_at = RUNS[2][1] + timedelta(seconds=90)
        _insert(connection, "listings", [
            {"listing_id": listing_id, "sku": f"SKU-{listing_id}", "marketplace": marketplace, "seller_id": "s-1",
             "title": titles.get(listing_id, f"Listing {listing_id}"), "category": category, "price": 20.0,
             "currency": "USD", "monthly_units_sold": units, "stock_qty": 100, "source_file": "run-3.csv",
             "source_row": index, "run_id": "run-3"}
            for index, (listing_id, marketplace, category, _, _, _, _, units, _) in enumerate(LISTINGS, start=1)
        ])
        _insert(connection, "listing_scores", [
            {"listing_id": listing_id, "run_id": "run-3", "scored_at": scored_at, "fragility_score": 0.0,
             "is_fragile": False, "has_battery": False, "is_loose_battery": False, "is_liquid": False,
             "is_powder": False, "has_magnet": False, "is_aerosol_or_flammable": False, "price_usd": 20.0,
             "logistics_cost_ratio": None if listing_id in PARCEL_COST_UNKNOWN else 0.1 * index,
             "landed_cost_ratio": None if listing_id in PARCEL_COST_UNKNOWN else 0.1 * index,
             "direct_cost_per_unit_usd": 60.0,
             "warehouse_cost_per_unit_usd": None if saving is None else 60.0 - saving,
             "warehouse_saving_per_unit_usd": saving, "destination_country": "US", "destination_market": "US",
             "suitability_score": score, "suitability_band": band, "warehouse_flag": flag,
             "data_confidence": "high", "reasons": reasons}
            for index, (listing_id, _, _, band, score, flag, saving, _, reasons) in enumerate(LISTINGS, start=1)
        ])
        _insert(connection, "score_changes", [
            *({"run_id": "run-1", "listing_id": f"L-{n}", "changed_at": T0, "change_kind": "new",
               "new_suitability_band": "suitable", "new_warehouse_flag": "not_recommended",
               "new_suitability_score": 90.0} for n in range(1, 5)),
            *({"run_id": "run-3", "listing_id": f"L-{n}", "changed_at": scored_at, "change_kind": "changed",
               "previous_suitability_band": "suitable", "new_suitability_band": "unsuitable",
               "previous_warehouse_flag": "not_recommended", "new_warehouse_flag": "recommended",
               "previous_suitability_score": 90.0, "new_suitability_score": 10.0, "previous_run_id": "run-1"}
              for n in (1, 2)),
            {"run_id": "run-3", "listing_id": "L-5", "changed_at": scored_at, "change_kind": "new",
             "new_suitability_band": "suitable", "new_warehouse_flag": "candidate_unproven_demand",
             "new_suitability_score": 85.0},
        ])
        _insert(connection, "rejected_rows", [
            {"run_id": "run-1", "source_file": "run-1.csv", "source_row": 7, "column_name": "price",
             "check_name": "greater_than(0)", "failure_value": "-5", "message": "price must be greater than 0"},
            {"run_id": "run-1", "source_file": "run-1.csv", "source_row": 3, "column_name": "price",
             "check_name": "greater_than(0)", "failure_value": "0", "message": "price must be greater than 0"},
            {"run_id": "run-1", "source_file": "run-1.csv", "source_row": 3, "column_name": "weight_kg",
             "check_name": "is_number", "failure_value": "abc", "message": "weight_kg must be a number"},
            {"run_id": "run-3", "source_file": "run-3.csv", "source_row": 9, "column_name": "listing_id",
             "check_name": "not_nullable", "failure_value": None, "message": "listing_id is missing"},
        ])
        connection.executemany(
            "insert into reason_codes (code, applies_to, meaning) values (?, ?, ?)",
            [[reason.code, reason.applies_to, reason.meaning] for reason in ALL_REASONS],
        )
    return path


@pytest.fixture(scope="module")
def views_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_views_db(tmp_path_factory.mktemp("views") / "views.duckdb")


def view(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.sql(sql).pl()


def test_suitability_summary_counts_listings_by_marketplace_category_and_band(views_db: Path) -> None:
    summary = view(views_db, "select * from suitability_summary")

    office = summary.filter(pl.col("marketplace") == "amazon_us", pl.col("category") == "Office")
    assert office.select("suitability_band", "listings", "share_of_group").rows() == [
        ("suitable", 1, pytest.approx(1 / 3)),
        ("unsuitable", 2, pytest.approx(2 / 3)),
    ]
    unsuitable = office.filter(pl.col("suitability_band") == "unsuitable").row(0, named=True)
    assert unsuitable["warehouse_recommended"] == 1 and unsuitable["warehouse_candidates"] == 1
    assert unsuitable["avg_suitability_score"] == pytest.approx(15.0)
    assert unsuitable["monthly_units_sold"] == pytest.approx(100.0)
    # suitability codes only, most frequent first, ties by code
    assert unsuitable["top_reasons"] == ["OVER_POSTAL_WEIGHT", "SHIPPING_EXCEEDS_PRICE"]
    assert summary["listings"].sum() == len(LISTINGS)


def test_suitability_summary_gives_the_unknown_band_its_reason(views_db: Path) -> None:
    summary = view(views_db, "select * from suitability_summary where suitability_band = 'unknown'")

    assert summary.select("marketplace", "category", "listings", "top_reasons").rows() == [
        ("(none)", "Toys", 1, ["FRAGILE", "NO_SHIPPING_ESTIMATE"])
    ]
    assert summary["median_landed_cost_ratio"].to_list() == [None]


def test_suitability_summary_names_a_blank_marketplace_or_category(views_db: Path) -> None:
    summary = view(views_db, "select marketplace, category, top_reasons from suitability_summary")

    assert ("ebay", "(none)", ["NO_DIRECT_PARCEL_CHANNEL"]) in summary.rows()
    assert ("(none)", "Toys", ["ELEVATED_LOGISTICS_COST_RATIO"]) in summary.rows()


def test_warehouse_candidates_rank_by_saving_per_unit_and_per_month(views_db: Path) -> None:
    candidates = view(
        views_db,
        """select listing_id, warehouse_flag, saving_per_unit_rank, monthly_saving_rank, monthly_saving_usd,
                  warehouse_reasons
           from warehouse_candidates""",
    )

    assert candidates.rows() == [
        ("L-2", "candidate_unproven_demand", 1, 3, None, ["WAREHOUSE_CHEAPER_PER_UNIT", "NO_DEMAND_EVIDENCE"]),
        ("L-1", "recommended", 2, 1, pytest.approx(5000.0), ["WAREHOUSE_CHEAPER_PER_UNIT", "WAREHOUSE_TRAITS_BULKY"]),
        ("L-5", "candidate_unproven_demand", 3, 2, pytest.approx(300.0),
         ["WAREHOUSE_TRAITS_HIGH_PRICE", "LOW_SALES_VELOCITY"]),
        ("L-4", "recommended", 4, 3, None, ["WAREHOUSE_ONLY_ROUTE"]),
    ]


def test_rejected_summary_groups_failed_checks_by_run_column_and_check(views_db: Path) -> None:
    summary = view(
        views_db,
        """select run_id, is_latest_run, column_name, failed_checks, records, first_source_row,
                  example_failure_values
           from rejected_summary""",
    )

    assert summary.rows() == [
        ("run-3", True, "listing_id", 1, 1, 9, []),
        ("run-1", False, "price", 2, 2, 3, ["-5", "0"]),
        ("run-1", False, "weight_kg", 1, 1, 3, ["abc"]),
    ]


def test_run_history_numbers_runs_and_counts_their_changes(views_db: Path) -> None:
    history = view(
        views_db,
        """select run_number, run_id, status, is_latest_run, duration_seconds, reject_share, listings_new,
                  listings_changed, input_file_count, config_changed, error_message
           from run_history""",
    )

    assert history.rows() == [
        (1, "run-1", "succeeded", False, 90.0, pytest.approx(2 / 6), 4, 0, 1, False, None),
        (2, "run-2", "failed", False, 90.0, None, 0, 0, 1, False, "disk full"),
        (3, "run-3", "succeeded", True, 90.0, pytest.approx(1 / 3), 1, 2, 1, True, None),
    ]


@pytest.mark.parametrize("name", NEW_VIEWS)
def test_view_files_state_their_grain_and_sources_in_lower_case_sql(name: str) -> None:
    text = (REPO_ROOT / "sql" / "views" / f"{name}.sql").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))

    assert text.startswith("-- grain: ")
    assert "reads:" in text.split("create or replace view")[0]
    assert f"create or replace view {name} as" in code
    assert code == code.lower()


def test_every_exported_view_is_a_sql_file() -> None:
    assert {path.stem for path in (REPO_ROOT / "sql" / "views").glob("*.sql")} >= set(VIEWS)


def _documented_columns(name: str) -> tuple[str, set[str]]:
    docs = (REPO_ROOT / "docs" / "views.md").read_text(encoding="utf-8")
    match = re.search(rf"^## `{name}`\n(.*?)(?=^## |\Z)", docs, flags=re.MULTILINE | re.DOTALL)
    assert match, f"docs/views.md has no section '## `{name}`'"
    section = match.group(1)
    return section, set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE))


@pytest.mark.parametrize("name", VIEWS)
def test_docs_describe_the_grain_and_every_column_of_each_view(views_db: Path, name: str) -> None:
    section, documented = _documented_columns(name)
    columns = set(view(views_db, f"select * from {name} limit 0").columns)  # noqa: S608 (fixed view names)

    assert "Grain:" in section
    assert columns - documented == set(), f"docs/views.md does not describe these {name} columns"
    assert documented - columns == set(), f"docs/views.md describes {name} columns the view does not have"


COOKBOOK_QUERIES = re.findall(r"```sql\n(.*?)```", (REPO_ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8"),
                              flags=re.DOTALL)


@pytest.mark.parametrize("sql", COOKBOOK_QUERIES, ids=[query.splitlines()[0][:40] for query in COOKBOOK_QUERIES])
def test_every_cookbook_query_runs(views_db: Path, sql: str) -> None:
    view(views_db, sql)
