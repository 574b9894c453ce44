"""Sales and order exports: each recognised from its header, every record a sale line, a skip or a reject."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from xborder_pipeline.ingest import InputFileError
from xborder_pipeline.sales import find_sales_adapter, parse_period, read_sales_file
from xborder_pipeline.sales.reading import SalesPeriodRule

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
SHARED_SALES = Path(os.environ.get("XBORDER_SHARED", Path(__file__).resolve().parents[2].parent / "shared")) / (
    "data/sales"
)
needs_shared = pytest.mark.skipif(
    not SHARED_SALES.is_dir(), reason=f"the shared real sales files are not here ({SHARED_SALES}); set XBORDER_SHARED"
)


def _accounted(result) -> None:  # noqa: ANN001
    rows = pl.concat([result.lines["source_row"], result.skipped["source_row"], result.rejects["source_row"]])
    assert rows.n_unique() == result.records
    assert result.rows_loaded + result.skipped.height + result.rows_rejected == result.records


@pytest.mark.parametrize(
    ("name", "adapter"),
    [
        ("shopify_orders_full.csv", "shopify_orders"),
        ("amazon_all_orders.txt", "amazon_all_orders"),
        ("ebay_orders.csv", "ebay_orders"),
        ("EtsySoldOrderItems2025.csv", "etsy_sold_items"),
        ("woocommerce_orders.csv", "woocommerce_orders"),
        ("woocommerce_products.csv", "woocommerce_products"),
        ("canonical_sales.csv", "canonical_sales"),
    ],
)
def test_each_fixture_is_recognised_and_accounted_for(name: str, adapter: str) -> None:
    found = find_sales_adapter(FIXTURES / name)
    assert found is not None and found[0].name == adapter
    result = read_sales_file(FIXTURES / name, parse_period("2025-06-01..2025-06-30"))
    assert result.adapter == adapter
    _accounted(result)


def test_no_listing_export_is_taken_for_a_sales_file() -> None:
    root = Path(__file__).resolve().parents[2]
    listings = [path for folder in (root / "tests/fixtures/exports", root / "data/sample")
                for path in sorted(folder.rglob("*")) if path.is_file() and path.suffix != ".md"]
    assert len(listings) > 10
    assert [path.name for path in listings if find_sales_adapter(path) is not None] == []


def test_shopify_cancelled_and_fully_refunded_orders_do_not_count() -> None:
    result = read_sales_file(FIXTURES / "shopify_orders_full.csv")
    lines = result.lines.sort("source_row")
    assert lines.select("sku", "period_start", "units").rows() == [
        ("GT-22", date(2025, 5, 11), 2),  # the store's own date, whatever the offset
        ("NUT-A", date(2025, 5, 11), 1),  # the order's date carried to its second line
        ("NUT-A", date(2024, 11, 10), 2),  # partly refunded counts; a re-saved 11/10/24 date
    ]
    assert dict(result.skipped.select("source_row", "reason").rows()) == {
        3: "cancelled order: not a sale",
        4: "fully refunded order: not a sale",
    }
    assert result.rejects.select("source_row", "column_name", "failure_value").rows() == [(6, "units", "two")]


def test_amazon_all_orders_excludes_cancelled_items_and_rejects_fractions() -> None:
    result = read_sales_file(FIXTURES / "amazon_all_orders.txt")
    assert result.lines.select("sku", "units").rows() == [("MUG-BLUE", 2), ("MUG-RED", 3)]
    assert result.skipped.get_column("source_row").to_list() == [2]
    assert result.rejects.select("source_row", "check_name").rows() == [(4, "whole_non_negative")]


def test_ebay_footer_lines_are_skipped_and_a_bad_date_rejected() -> None:
    result = read_sales_file(FIXTURES / "ebay_orders.csv")
    assert result.lines.select("sku", "period_start", "units", "revenue").rows() == [
        ("LED-600", date(2025, 7, 21), 2, pytest.approx(179.98)),
        ("LED-600", date(2025, 8, 2), 1, pytest.approx(89.99)),
    ]
    rejected = result.rejects.select("source_row", "column_name", "failure_value").rows()
    assert rejected == [(4, "order_date", "yesterday")]
    assert sorted(result.skipped.get_column("source_row").to_list()) == [1, 5, 6]


def test_etsy_without_sku_is_keyed_by_listing_id() -> None:
    result = read_sales_file(FIXTURES / "EtsySoldOrderItems2025.csv")
    assert result.lines.select("sku", "period_start", "units", "revenue").rows() == [
        ("VASE-BLUE", date(2025, 12, 29), 1, 48.0),
        ("1500000002", date(2025, 12, 30), 2, 44.0),
    ]


def test_woocommerce_orders_split_products_and_drop_cancelled() -> None:
    result = read_sales_file(FIXTURES / "woocommerce_orders.csv")
    assert result.lines.get_column("units").to_list() == [2, 1, 2]
    assert result.lines.get_column("sku").n_unique() == 2
    assert result.skipped.get_column("reason").to_list() == ["order status cancelled: not a sale"]


def test_canonical_sales_rejects_with_reasons() -> None:
    result = read_sales_file(FIXTURES / "canonical_sales.csv")
    assert result.lines.select("sku", "period_start", "period_end", "units").rows() == [
        ("MUG-B", date(2025, 6, 1), date(2025, 6, 30), 42),
        ("P-9", date(2025, 6, 15), date(2025, 6, 15), 3),
    ]
    assert result.rejects.select("source_row", "column_name", "check_name").rows() == [
        (3, "period", "period_parses"),
        (4, "units", "whole_non_negative"),
        (5, "sku", "identified"),
    ]
    assert all(result.rejects.get_column("message").str.len_chars() > 20)


def test_a_report_without_dates_needs_its_period() -> None:
    with pytest.raises(InputFileError, match="--sales-period"):
        read_sales_file(FIXTURES / "woocommerce_products.csv")
    rule = SalesPeriodRule(pattern="woocommerce_*.csv", period=parse_period("2025-05-01..2025-05-31"))
    result = read_sales_file(FIXTURES / "woocommerce_products.csv", rules=[rule])
    assert set(result.lines.get_column("period_start").to_list()) == {date(2025, 5, 1)}
    assert result.lines.get_column("units").to_list() == [1204, 17]  # "1,204" read with its separator


@pytest.mark.parametrize("text", ["2025-07-07", "2025-07-13..2025-07-07", "07/07/2025..07/13/2025"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(text)


@needs_shared
def test_real_business_reports_read_every_variant() -> None:
    us = read_sales_file(SHARED_SALES / "amazon_business_report_tenwest/BusinessReport-4-24-25.csv",
                         parse_period("2025-03-26..2025-04-24"))
    assert us.records == 1041 and us.rows_loaded == 1041
    first = us.lines.row(0, named=True)
    assert (first["sku"], first["units"], first["revenue"], first["currency"]) == (
        "RC-VB-062095-1", 36765, pytest.approx(2309707.02), "USD"
    )
    uk = read_sales_file(SHARED_SALES / "amazon_business_report_fridaysalami/Wk28.csv",
                         parse_period("2025-07-07..2025-07-13"))
    assert uk.records == 662 and uk.rows_rejected == 0
    assert uk.lines.row(0, named=True)["currency"] == "GBP"
    assert uk.lines.row(0, named=True)["units"] == 42


@needs_shared
def test_real_olist_and_shopify_orders() -> None:
    olist = read_sales_file(SHARED_SALES / "olist_kaggle/olist_order_items_dataset.csv")
    assert olist.records == 5154 and olist.rows_loaded == 5154
    assert olist.lines.get_column("units").sum() == 5154
    shopify = read_sales_file(SHARED_SALES / "shopify_orders_synthetic/shopify_orders_sample.csv")
    _accounted(shopify)
    assert shopify.records == 249
