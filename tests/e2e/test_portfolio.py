"""One seller's exports from two platforms: platform shares, HHI, dependency flag and SKUs across channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import canonical_csv
from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    folder = tmp_path_factory.mktemp("portfolio")
    # seller "yiwu-home": 3 listings on Amazon US + DE, 1 on eBay; Amazon sells 270 of 300 units a month.
    amazon = canonical_csv(folder / "amazon.csv", [
        {"listing_id": "A-1", "sku": "MUG", "seller_id": "yiwu-home", "marketplace": "amazon_us",
         "monthly_units_sold": "150", "stock_qty": "200"},
        {"listing_id": "A-2", "sku": "VASE", "seller_id": "yiwu-home", "marketplace": "amazon_us",
         "monthly_units_sold": "100", "stock_qty": "200"},
        {"listing_id": "A-3", "sku": "MUG", "seller_id": "yiwu-home", "marketplace": "amazon_de",
         "monthly_units_sold": "20", "stock_qty": "40", "currency": "EUR"},
        {"listing_id": "A-4", "sku": "LAMP", "seller_id": "balanced-co", "marketplace": "amazon_us",
         "monthly_units_sold": "50"},
    ])
    ebay = canonical_csv(folder / "ebay.csv", [
        {"listing_id": "E-1", "sku": "MUG", "seller_id": "yiwu-home", "marketplace": "ebay",
         "monthly_units_sold": "30", "stock_qty": "60"},
        {"listing_id": "E-2", "sku": "LAMP", "seller_id": "balanced-co", "marketplace": "ebay",
         "monthly_units_sold": "50"},
        {"listing_id": "E-3", "sku": "BULK", "seller_id": "balanced-co", "marketplace": "alibaba", "moq": "100",
         "monthly_units_sold": "50"},
    ])
    database = folder / "portfolio.duckdb"
    score_catalogue(paths=[str(amazon), str(ebay)], db_path=str(database))
    return database


def test_a_seller_selling_mostly_on_amazon_depends_on_one_platform(db: Path) -> None:
    row = query(db, "select * from seller_portfolio where seller_id = 'yiwu-home'").row(0, named=True)

    assert row["platforms"] == 2 and row["listings"] == 4
    assert row["top_platform"] == "amazon"
    assert row["hhi_listings"] == pytest.approx(0.75**2 + 0.25**2)
    assert row["hhi_sales"] == pytest.approx(0.9**2 + 0.1**2)
    assert row["hhi"] == pytest.approx(0.82)
    assert row["single_platform_dependency"] is True


def test_a_seller_spread_over_three_platforms_does_not(db: Path) -> None:
    row = query(db, "select * from seller_portfolio where seller_id = 'balanced-co'").row(0, named=True)

    assert row["platforms"] == 3
    assert row["hhi"] == pytest.approx(3 * (1 / 3) ** 2)
    assert row["single_platform_dependency"] is False
    assert row["b2b_listings"] == 1


def test_sku_channels_shows_where_each_sku_sells(db: Path) -> None:
    mug = query(db, "select * from sku_channels where seller_id = 'yiwu-home' and sku = 'MUG'").row(0, named=True)
    vase = query(db, "select * from sku_channels where seller_id = 'yiwu-home' and sku = 'VASE'").row(0, named=True)

    assert mug["platforms"] == 2 and mug["listings"] == 3
    assert mug["marketplaces"] == ["amazon_de", "amazon_us", "ebay"]
    assert mug["monthly_units_sold"] == 200
    assert mug["single_platform"] is False
    assert vase["single_platform"] is True


def test_the_dependency_threshold_is_the_configured_one(db: Path) -> None:
    threshold = query(db, "select value from thresholds where name = 'single_platform_min_hhi'")["value"][0]

    assert threshold == 0.5
