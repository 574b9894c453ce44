"""The real exports in ../shared/data/exports: detected, every record accounted for, units and prices right.

These files are not ours to ship, so the tests read them where they lie and skip when the folder is
absent. They run ingest and validation only (no Prefect).
"""

from __future__ import annotations

import csv
import json
import os
from functools import cache
from pathlib import Path

import polars as pl
import pytest

from xborder_pipeline.ingest import IngestOptions, IngestResult, InputFileError, read_listings
from xborder_pipeline.validation import validate_listings

# ../shared next to the repository, or where XBORDER_SHARED points (a worktree elsewhere).
SHARED = Path(os.environ.get("XBORDER_SHARED") or Path(__file__).resolve().parents[2].parent / "shared")
EXPORTS = SHARED / "data" / "exports"

pytestmark = pytest.mark.skipif(
    not EXPORTS.is_dir(), reason=f"the shared real exports are not here ({EXPORTS}); nothing to check"
)

HMOON_UNITS = {"weight_unit": "lb", "length_unit": "in"}  # the store's WooCommerce settings

# file, adapter it must be detected as, options, delimiter (for counting records independently)
FILES: list[tuple[str, str, dict[str, str], str]] = [
    ("woocommerce_sample/sample_products.csv", "woocommerce", {}, ","),
    ("hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv", "woocommerce_plugin", HMOON_UNITS, ","),
    ("hmoonhydro_shopify/products_export_1.csv", "shopify", {}, ","),
    ("shopify_template/product_template.csv", "shopify", {}, ","),
    ("magento2_sample/products.csv", "magento2", {}, ","),
    ("prestashop_sample/products_import.csv", "prestashop", {}, ";"),
    ("etsy_eleswood/EtsyListingsDownload.csv", "etsy", {}, ","),
    ("olist_kaggle/olist_products_dataset.csv", "olist", {}, ","),
    ("olist_kaggle/product_category_name_translation.csv", "olist_category_translation", {}, ","),
]


@cache
def _read(name: str) -> IngestResult:
    options = next(options for file, _, options, _ in FILES if file == name)
    return read_listings([EXPORTS / name], IngestOptions(**options))


def _records_in_file(name: str, delimiter: str) -> int:
    with (EXPORTS / name).open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=delimiter)) - 1


def _listing(name: str, **where: str) -> dict[str, object]:
    records = _read(name).records
    for column, value in where.items():
        records = records.filter(pl.col(column) == value)
    assert records.height == 1, f"expected one listing with {where} in {name}, found {records.height}"
    return records.to_dicts()[0]


@pytest.mark.parametrize(("name", "adapter", "options", "delimiter"), FILES, ids=[file for file, *_ in FILES])
def test_every_record_is_accounted_for_and_the_adapter_detected(
    name: str, adapter: str, options: dict[str, str], delimiter: str, settings
) -> None:
    result = _read(name)
    expected_source_format = [] if adapter == "olist_category_translation" else [adapter]

    assert result.rows_read == _records_in_file(name, delimiter)
    rows = sorted([*result.records["source_row"], *result.skipped["source_row"],
                   *result.rejects["source_row"].unique()])
    assert rows == list(range(1, result.rows_read + 1))
    assert result.records["source_format"].unique().to_list() == expected_source_format

    checked = validate_listings(result.records, settings, earlier_rejects=result.rejects)
    assert checked.valid.height + checked.rows_rejected + result.skipped.height == result.rows_read
    assert checked.rows_rejected <= 0.01 * result.rows_read + 1


def test_woocommerce_sample_units_from_headers_and_variations() -> None:
    name = "woocommerce_sample/sample_products.csv"
    tee = _listing(name, sku="woo-long-sleeve-tee")
    assert (tee["weight_kg"], tee["length_cm"], tee["price"]) == ("0.453592", "17.78", "25")  # 1 lbs, 7 in
    assert _listing(name, sku="woo-beanie")["price"] == "18"  # on sale from 20
    red = _listing(name, sku="woo-vneck-tee-red")
    assert (red["weight_kg"], red["length_cm"], red["category"]) == ("0.226796", "60.96", "Clothing > Tshirts")
    assert _listing(name, sku="woo-album")["is_physical"] == "false"
    reasons = _read(name).skipped["reason"].to_list()
    assert sum("variable product" in reason for reason in reasons) == 2
    assert sum("grouped product" in reason for reason in reasons) == 1


def test_hmoonhydro_woocommerce_units_prices_and_malformed_rows() -> None:
    name = "hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv"
    with pytest.raises(InputFileError, match="--weight-unit"):
        read_listings([EXPORTS / name])

    book = _listing(name, sku="hmh00001")
    assert (book["weight_kg"], book["price"], book["currency"]) == ("0.453592", "24.95", "USD")
    gallon = _listing(name, sku="hmh00012")
    assert (gallon["length_cm"], gallon["width_cm"], gallon["height_cm"]) == ("30.48", "20.32", "20.32")
    assert gallon["category"] == "Nutrients & Supplements > Spray N Grow"  # &amp; decoded
    result = _read(name)
    assert result.rejects.select("source_row", "check_name").unique().sort("source_row").rows() == [
        (1312, "field_count"), (1318, "field_count"),
    ]
    assert result.skipped.height == 277  # grouped products, priced as ranges such as 12.69||151.5
    assert result.records.filter(pl.col("price").str.contains(r"\|")).height == 0


def test_hmoonhydro_shopify_grams_and_image_rows() -> None:
    name = "hmoonhydro_shopify/products_export_1.csv"
    listing = _listing(name, sku="hmh00555")
    assert (listing["weight_kg"], listing["price"], listing["title"]) == (
        "0.425243", "75", "Zero Tolerance Pest Control gal"
    )
    assert json.loads(listing["original_values"])["Variant Weight Unit"] == "oz"
    result = _read(name)
    assert (result.records.height, result.skipped.height) == (1194, 65)
    assert result.skipped["reason"].str.contains("image-only").all()


def test_shopify_template_variants() -> None:
    name = "shopify_template/product_template.csv"
    shirt = _listing(name, sku="SRT_COT_322")
    assert (shirt["weight_kg"], shirt["title"], shirt["listing_id"]) == (
        "0.145", "Example T-Shirt (Gray / M)", "example-shirt/Gray/M"
    )
    assert _listing(name, sku="PNT_DEN_285")["weight_kg"] == "0.226796"  # 8 oz exported as grams
    assert _read(name).skipped["source_row"].to_list() == [16]


def test_magento_prestashop_etsy_and_olist_spot_checks() -> None:
    hoodie = _listing("magento2_sample/products.csv", sku="MH01-XS-Black")
    assert (hoodie["weight_kg"], hoodie["price"]) == ("0.453592", "52")  # 1 lbs, Magento's default unit
    assert _read("magento2_sample/products.csv").skipped.height == 147  # configurable parents

    nano = _listing("prestashop_sample/products_import.csv", sku="RP-demo_1")
    assert (nano["weight_kg"], nano["price"], nano["unit_cost"]) == ("0.068357", "100", "80")

    etsy = _read("etsy_eleswood/EtsyListingsDownload.csv").records
    assert etsy["is_physical"].to_list() == ["false"] * etsy.height  # PDF plans and printables
    assert etsy["listing_id"].n_unique() == etsy.height

    perfume = _listing("olist_kaggle/olist_products_dataset.csv", listing_id="1e9e8ef04dbcff4541ed26657ea517e5")
    assert (perfume["weight_kg"], perfume["length_cm"], perfume["width_cm"], perfume["height_cm"]) == (
        "0.225", "16", "14", "10"
    )
    assert perfume["category"] == "perfumery"


def test_attributes_product_groups_and_assumed_currencies_on_the_real_exports() -> None:
    magento = _read("magento2_sample/products.csv").records
    assert magento["product_group"].n_unique() == 147  # every simple child under one of the 147 configurables
    hoodie = _listing("magento2_sample/products.csv", sku="MH01-XS-Black")
    assert hoodie["product_group"] == "MH01" and "Wool" in hoodie["attributes"]  # the parent's material=Wool
    assert hoodie["category"] == "Men/Tops/Hoodies & Sweatshirts, Collections/Eco Friendly"

    template = _read("shopify_template/product_template.csv").records
    assert template["product_group"].n_unique() == 3  # three handles, sixteen variants
    assert (template["currency_assumed"] == "true").all()  # Shopify's export names no currency

    etsy = _read("etsy_eleswood/EtsyListingsDownload.csv").records
    assert etsy["attributes"].is_not_null().all()  # every listing has materials or tags
    assert (etsy["currency_assumed"] == "false").all()  # CURRENCY_CODE names it

    woo = _read("woocommerce_sample/sample_products.csv").records
    vneck = woo.filter(pl.col("sku").str.starts_with("woo-vneck-tee-"))
    assert vneck.height >= 2 and vneck["product_group"].n_unique() == 1

    olist = _read("olist_kaggle/olist_products_dataset.csv").records
    assert (olist["product_group"] == olist["listing_id"]).all()
