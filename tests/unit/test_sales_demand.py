"""Demand from sales history: how a listing finds its SKU's sales, and the sku_demand judgement in DuckDB."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from xborder_pipeline.config import ConfigError, load_settings
from xborder_pipeline.sales.demand import DEMAND_COLUMNS, sku_demand_lookups, with_sales_demand


def _demand(*rows: tuple[str, str, str, float, str]) -> pl.LazyFrame:
    return pl.DataFrame(
        [
            {"marketplace": market, "seller_id": seller, "sku": sku, "monthly_units_sold": units,
             "demand_evidence": evidence, "demand_reasons": ["DEMAND_STEADY_SALES"]}
            for market, seller, sku, units, evidence in rows
        ],
        schema=DEMAND_COLUMNS,
    ).lazy()


def _listings(*rows: dict[str, object]) -> pl.LazyFrame:
    base = {"listing_id": None, "sku": None, "marketplace": None, "seller_id": None, "monthly_units_sold": None}
    return pl.DataFrame([{**base, **row} for row in rows], schema={
        "listing_id": pl.String, "sku": pl.String, "marketplace": pl.String, "seller_id": pl.String,
        "monthly_units_sold": pl.Float64,
    }).lazy()


def test_a_listing_finds_its_sales_by_seller_then_unknown_seller_then_listing_id() -> None:
    by_seller = _demand(
        ("shopify", "s1", "A", 40.0, "proven"),
        ("shopify", "s2", "A", 7.0, "emerging"),
        ("shopify", "", "B", 12.0, "emerging"),
        ("olist", "x", "P1", 2.0, "emerging"),
    )
    any_seller = _demand(("shopify", "", "A", 47.0, "proven"), ("shopify", "", "B", 12.0, "emerging"),
                         ("olist", "", "P1", 5.0, "emerging"))
    listings = _listings(
        {"listing_id": "1", "sku": "A", "marketplace": "Shopify", "seller_id": "s1"},  # its own seller's sales
        {"listing_id": "2", "sku": "A", "marketplace": "shopify", "seller_id": "s3"},  # another seller's: none
        {"listing_id": "3", "sku": "B", "marketplace": "shopify", "seller_id": "s3"},  # sales naming no seller
        {"listing_id": "4", "sku": "A", "marketplace": "shopify"},  # no seller: every seller's sales together
        {"listing_id": "P1", "marketplace": "olist"},  # no SKU: its platform id
        {"listing_id": "5", "sku": "A", "marketplace": "shopify", "seller_id": "s1", "monthly_units_sold": 3.0},
    )
    out = with_sales_demand(listings, by_seller, any_seller).collect()
    got = {row["listing_id"]: (row["monthly_units_sold"], row["demand_source"], row["demand_evidence"])
           for row in out.iter_rows(named=True)}
    assert got == {
        "1": (40.0, "sales_history", "proven"),
        "2": (None, "none", None),
        "3": (12.0, "sales_history", "emerging"),
        "4": (47.0, "sales_history", "proven"),
        "P1": (5.0, "sales_history", "emerging"),
        "5": (3.0, "listing", "proven"),  # the listing's own figure wins; the evidence is still shown
    }
    assert out["listing_monthly_units_sold"].to_list() == [None, None, None, None, None, 3.0]
    assert out.height == listings.collect().height


def _lines(path: Path, rows: list[tuple[str, date, date, int]], kind: str = "canonical_sales", index: int = 0) -> Path:
    pl.DataFrame(
        {
            "source_kind": [kind] * len(rows), "marketplace": ["shop"] * len(rows), "seller_id": [""] * len(rows),
            "sku": [sku for sku, *_ in rows], "listing_id": [None] * len(rows),
            "period_start": [start for _, start, _, _ in rows], "period_end": [end for _, _, end, _ in rows],
            "units": [units for *_, units in rows], "revenue": [None] * len(rows), "currency": ["USD"] * len(rows),
            "source_file": [str(path)] * len(rows), "source_row": list(range(1, len(rows) + 1)),
            "_file_index": [index] * len(rows),
        },
        schema_overrides={"listing_id": pl.String, "revenue": pl.Float64, "_file_index": pl.Int32},
    ).write_parquet(path)
    return path


AS_OF = date(2025, 9, 15)


def _month(back: int) -> tuple[date, date]:
    end = AS_OF - timedelta(days=30 * back)
    return end - timedelta(days=29), end


def test_steady_spiky_new_and_stale_skus_are_judged_with_reasons(tmp_path: Path, settings) -> None:  # noqa: ANN001
    rows = [("STEADY", *_month(back), 30) for back in range(6)]
    rows += [("SPIKE", *_month(1), 300), ("SPIKE", *_month(3), 5), ("SPIKE", *_month(4), 5)]
    rows += [("NEW", *_month(0), 90)]
    rows += [("STALE", *_month(5), 50)]
    part = _lines(tmp_path / "sales.parquet", rows)
    by_seller, _ = sku_demand_lookups(tmp_path / "none.duckdb", [part], settings, AS_OF, {})
    judged = {row["sku"]: row for row in by_seller.iter_rows(named=True)}

    assert judged["STEADY"]["monthly_units_sold"] == pytest.approx(30.0)
    assert (judged["STEADY"]["demand_evidence"], judged["STEADY"]["demand_reasons"]) == ("proven",
                                                                                         ["DEMAND_STEADY_SALES"])
    assert judged["SPIKE"]["demand_evidence"] == "emerging"
    assert judged["SPIKE"]["demand_reasons"] == ["DEMAND_SPIKY_SALES"]  # three months with sales, one holds most
    assert judged["NEW"]["monthly_units_sold"] == pytest.approx(30.0)  # 90 units over the 90 days the shop covers
    assert judged["NEW"]["demand_reasons"] == ["DEMAND_TOO_FEW_MONTHS"]
    assert (judged["STALE"]["demand_evidence"], judged["STALE"]["monthly_units_sold"]) == ("none", 0.0)
    assert judged["STALE"]["demand_reasons"] == ["DEMAND_NO_RECENT_SALES"]


def test_the_same_period_given_twice_in_a_run_counts_once_the_last_file_winning(tmp_path: Path, settings) -> None:  # noqa: ANN001
    first = _lines(tmp_path / "a.parquet", [("X", *_month(0), 10), ("X", *_month(1), 20)], index=0)
    second = _lines(tmp_path / "b.parquet", [("X", *_month(0), 12)], index=1)
    by_seller, _ = sku_demand_lookups(tmp_path / "none.duckdb", [first, second], settings, AS_OF, {})
    # the shop's history starts 60 days back: 12 (the second file's, not 10 + 12) + 20 units over 60 days
    assert by_seller.row(0, named=True)["monthly_units_sold"] == pytest.approx((12 + 20) * 30 / 60)


def test_a_history_younger_than_the_window_is_averaged_over_the_days_it_covers(tmp_path: Path, settings) -> None:  # noqa: ANN001
    week = (AS_OF - timedelta(days=13), AS_OF - timedelta(days=7))
    part = _lines(tmp_path / "w.parquet", [("W", *week, 70)])
    by_seller, _ = sku_demand_lookups(tmp_path / "none.duckdb", [part], settings, AS_OF, {})
    assert by_seller.row(0, named=True)["monthly_units_sold"] == pytest.approx(70 * 30 / 14)


@pytest.mark.parametrize("period", ["2025-07-13..2025-07-07", "week 28"])
def test_a_bad_sales_period_in_the_config_is_a_config_error(tmp_path: Path, period: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[[sales_periods]]\npattern = "Wk28*.csv"\nperiod = "{period}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="sales_periods"):
        load_settings(config)


def test_bad_demand_thresholds_are_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[demand]\nmin_months_with_sales = 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_months_with_sales"):
        load_settings(config)
