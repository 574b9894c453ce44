"""Sales history end to end: sales files scored with listings, demand per SKU, and the warehouse flag following it.

The real files are read where they lie (../shared/data/, or $XBORDER_SHARED/data/) and the tests skip when
they are absent; the expected figures are counted here from the files themselves with the csv module.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from xborder_pipeline.flows.score_catalogue import score_catalogue

from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("XBORDER_SHARED", REPO.parent / "shared")) / "data"
FIXTURES = REPO / "tests" / "fixtures" / "sales"
needs_shared = pytest.mark.skipif(
    not (SHARED / "sales").is_dir(), reason=f"the shared real files are not here ({SHARED}); set XBORDER_SHARED"
)
UK = SHARED / "sales" / "amazon_business_report_fridaysalami"
HMOON = SHARED / "exports" / "hmoonhydro_woocommerce" / "Products-Export-2025-Oct-29-171532.csv"


def _business_report_units(path: Path) -> Counter[str]:
    """Units per SKU (else child ASIN) as the report writes them, counted by hand."""
    units: Counter[str] = Counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            key = row["SKU"].strip() or row["(Child) ASIN"].strip()
            units[key] += int(row["Units ordered"].replace(",", ""))
    return units


@needs_shared
def test_two_uk_weeks_sum_per_sku_and_a_third_upload_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "uk.duckdb"
    score_catalogue(paths=[str(UK / "Wk28.csv")], db_path=str(db), sales_period="2025-07-07..2025-07-13",
                    as_of="2025-07-21")
    score_catalogue(paths=[str(UK / "Wk29.csv")], db_path=str(db), sales_period="2025-07-14..2025-07-20",
                    as_of="2025-07-21")
    expected = _business_report_units(UK / "Wk28.csv") + _business_report_units(UK / "Wk29.csv")

    demand = query(db, "select sku, units_total, units_30d, source_files from sku_demand")
    assert demand.height == len(expected) == demand["sku"].n_unique()
    assert dict(zip(demand["sku"], demand["units_total"], strict=True)) == dict(expected)
    assert (demand["units_30d"] == demand["units_total"]).all()  # both weeks end within 30 days of 2025-07-21
    history = query(db, "select count(*) as n, sum(units) as units from sales_history").row(0, named=True)

    score_catalogue(paths=[str(UK / "Wk28.csv")], db_path=str(db), sales_period="2025-07-07..2025-07-13",
                    as_of="2025-07-21")

    again = query(db, "select sku, units_total, units_30d, source_files from sku_demand")
    assert again.sort("sku").equals(demand.sort("sku"))
    assert query(db, "select count(*) as n, sum(units) as units from sales_history").row(0, named=True) == history
    runs = query(db, "select as_of_date, sales_rows_loaded, rows_read from pipeline_runs order by started_at")
    assert runs["as_of_date"].to_list() == [date(2025, 7, 21)] * 3
    assert runs["sales_rows_loaded"].to_list() == runs["rows_read"].to_list() == [662, 641, 662]


@needs_shared
def test_a_business_report_without_its_period_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "refused.duckdb"
    with pytest.raises(Exception, match="--sales-period"):
        score_catalogue(paths=[str(UK / "Wk28.csv")], db_path=str(db))
    assert query(db, "select count(*) from sales_history").item() == 0
    assert query(db, "select status from pipeline_runs").item() == "failed"


def _olist_hand_count(as_of: date, days: int) -> Counter[str]:
    """Order lines per product whose date falls in the `days` days up to the as-of date, counted by hand."""
    counts: Counter[str] = Counter()
    first = as_of - timedelta(days=days - 1)
    with (SHARED / "sales/olist_kaggle/olist_order_items_dataset.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            day = datetime.strptime(row["shipping_limit_date"][:10], "%Y-%m-%d").date()
            if first <= day <= as_of:
                counts[row["product_id"]] += 1
    return counts


@needs_shared
def test_olist_products_take_their_monthly_units_from_the_order_lines(tmp_path: Path) -> None:
    products = SHARED / "exports/olist_kaggle/olist_products_dataset.csv"
    orders = SHARED / "sales/olist_kaggle/olist_order_items_dataset.csv"
    as_of = date(2018, 6, 1)
    alone, with_sales = tmp_path / "alone.duckdb", tmp_path / "sales.duckdb"
    score_catalogue(paths=[str(products)], db_path=str(alone), as_of=as_of.isoformat())
    summary = score_catalogue(paths=[str(products), str(orders)], db_path=str(with_sales), as_of=as_of.isoformat())

    counted = _olist_hand_count(as_of, 90)  # the history starts in 2016: the whole 90-day window is covered
    scored = query(
        with_sales,
        "select listing_id, monthly_units_sold, demand_source, reasons from latest_scores "
        "where list_contains($ids, listing_id)",
        {"ids": list(counted)},
    )
    by_id = {row["listing_id"]: row for row in scored.iter_rows(named=True)}
    checked = [product for product in sorted(counted, key=lambda p: (-counted[p], p)) if product in by_id][:10]
    assert len(checked) >= 5
    for product in checked:
        assert by_id[product]["demand_source"] == "sales_history"
        assert by_id[product]["monthly_units_sold"] == pytest.approx(counted[product] * 30 / 90)
        assert "NO_DEMAND_EVIDENCE" not in by_id[product]["reasons"]

    before = query(alone, "select listing_id, reasons from latest_scores where list_contains($ids, listing_id)",
                   {"ids": checked})
    assert all("NO_DEMAND_EVIDENCE" in reasons for reasons in before["reasons"] if any(
        code.startswith("WAREHOUSE_") for code in reasons))
    without = "select count(*) from latest_scores where list_contains(reasons, 'NO_DEMAND_EVIDENCE')"
    assert query(with_sales, without).item() < query(alone, without).item()
    assert summary.demand_sources["sales_history"] > 0
    assert summary.sales_rows_loaded == 5154
    assert summary.listings_without_sales == summary.demand_sources["none"] > 0


@needs_shared
def test_hydroponics_steady_sellers_are_recommended_and_spiky_or_new_ones_unproven(tmp_path: Path) -> None:
    db = tmp_path / "hydro.duckdb"
    summary = score_catalogue(
        paths=[str(HMOON), str(FIXTURES / "hydroponics_monthly_sales.csv")], db_path=str(db),
        weight_unit="lb", length_unit="in", as_of="2025-09-15",
    )
    rows = query(
        db,
        "select sku, warehouse_flag, demand_source, demand_evidence, demand_reasons, monthly_units_sold, reasons "
        "from latest_scores where sku like 'hmh0%' and demand_source = 'sales_history'",
    )
    by_sku = {row["sku"]: row for row in rows.iter_rows(named=True)}
    for steady in ("hmh00766", "hmh01240", "hmh00765"):
        assert by_sku[steady]["warehouse_flag"] == "recommended", by_sku[steady]
        assert by_sku[steady]["demand_evidence"] == "proven"
        assert by_sku[steady]["demand_reasons"] == ["DEMAND_STEADY_SALES"]
    assert by_sku["hmh00766"]["monthly_units_sold"] == pytest.approx((60 + 55 + 65) * 30 / 90)
    for unproven, why in (
        ("hmh01775", "DEMAND_TOO_FEW_MONTHS"),
        ("hmh00406", "DEMAND_SPIKY_SALES"),
        ("hmh00710", "DEMAND_TOO_FEW_MONTHS"),
        ("hmh00737", "DEMAND_TOO_FEW_MONTHS"),
    ):
        row = by_sku[unproven]
        assert row["warehouse_flag"] == "candidate_unproven_demand", row
        assert row["demand_evidence"] == "emerging"
        assert why in row["demand_reasons"]
        assert "DEMAND_NOT_PROVEN_BY_SALES" in row["reasons"]
    assert summary.sales_skus_without_listing == 1  # hmh99999, no longer listed
    demand = query(db, "select sku, trend, months_with_sales, monthly_units_cv from sku_demand order by sku")
    trend = dict(zip(demand["sku"], demand["trend"], strict=True))
    assert trend["hmh00710"] == "rising" and trend["hmh01775"] == "falling" and trend["hmh00766"] == "steady"


@pytest.mark.parametrize(
    "option", [["--as-of", "2025-13-01"], ["--as-of", "yesterday"], ["--sales-period", "2025-07-13..2025-07-07"]]
)
def test_bad_as_of_dates_and_periods_are_usage_errors(tmp_path: Path, option: list[str]) -> None:
    from typer.testing import CliRunner

    from xborder_pipeline.cli import EXIT_USAGE, app

    sales = FIXTURES / "canonical_sales.csv"
    result = CliRunner().invoke(app, ["score", str(sales), "--db", str(tmp_path / "x.duckdb"), *option])
    assert result.exit_code == EXIT_USAGE
    assert option[0] in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_the_nightly_inbox_loads_sales_files_with_the_listings(tmp_path: Path) -> None:
    import shutil

    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    from tests.conftest import SAMPLE_CATALOGUE

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_CATALOGUE, inbox / "catalogue.csv")
    shutil.copy(FIXTURES / "shopify_orders_full.csv", inbox / "orders_export.csv")
    shutil.copy(FIXTURES / "amazon_all_orders.txt", inbox / "amazon_orders.txt")
    db = tmp_path / "nightly.duckdb"

    summary = nightly_catalogue_scoring(db_path=str(db), inbox=str(inbox), archive_dir=None, as_of="2025-07-10")

    assert summary is not None and summary.sales_rows_loaded == 3 + 2
    history = query(db, "select source_kind, sku, units from sales_history order by source_kind, sku, period_start")
    assert history.rows() == [
        ("amazon_all_orders", "MUG-BLUE", 2), ("amazon_all_orders", "MUG-RED", 3),
        ("shopify_orders", "GT-22", 2), ("shopify_orders", "NUT-A", 2), ("shopify_orders", "NUT-A", 1),
    ]
    run = query(db, "select rows_read, rows_scored, rows_rejected, rows_skipped, sales_rows_loaded, as_of_date "
                    "from pipeline_runs").row(0, named=True)
    assert run["as_of_date"] == date(2025, 7, 10)
    assert run["rows_read"] == run["rows_scored"] + run["rows_rejected"] + run["rows_skipped"] + 5
    # the cancelled, refunded and unreadable order lines are accounted for in the same tables as listings'
    assert query(db, "select count(*) from skipped_rows where source_file like '%orders_export.csv'").item() == 2
    assert query(db, "select count(*) from rejected_rows where source_file like '%orders_export.csv'").item() == 1
    assert query(db, "select count(*) from processed_files").item() == 3


def test_a_failed_load_leaves_the_sales_history_as_it_was(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from xborder_pipeline.store import database

    db = tmp_path / "crash.duckdb"
    score_catalogue(paths=[str(FIXTURES / "hydroponics_monthly_sales.csv")], db_path=str(db), as_of="2025-09-15")
    before = query(db, "select * from sales_history order by all")

    def broken(connection) -> None:  # noqa: ANN001
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(database, "_refresh_reason_codes", broken)
    with pytest.raises(RuntimeError, match="injected"):
        score_catalogue(paths=[str(FIXTURES / "EtsySoldOrderItems2025.csv")], db_path=str(db), as_of="2025-12-31")

    assert query(db, "select * from sales_history order by all").equals(before)
    assert query(db, "select status from pipeline_runs order by started_at").to_series().to_list() == [
        "succeeded", "failed"
    ]
