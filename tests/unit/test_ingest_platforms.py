"""One test per platform adapter, on small fixtures built from each platform's published column names."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest
from xborder_pipeline.schemas.listing import ADAPTER_COLUMNS, CANONICAL_COLUMNS, LINEAGE_COLUMNS

from xborder_pipeline.ingest import IngestOptions, IngestResult, InputFileError, read_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _read(name: str, **options: object) -> IngestResult:
    return read_listings([FIXTURES / name], IngestOptions(**options))  # type: ignore[arg-type]


def _by_sku(result: IngestResult) -> dict[str, dict[str, object]]:
    return {row["sku"]: row for row in result.records.to_dicts()}


def _accounted(result: IngestResult) -> list[int]:
    rows = [*result.records["source_row"], *result.skipped["source_row"], *result.rejects["source_row"].unique()]
    return sorted(rows)


@pytest.mark.parametrize(
    ("name", "adapter", "options"),
    [
        ("shopify_products.csv", "shopify", {}),
        ("woocommerce_products.csv", "woocommerce", {}),
        ("woocommerce_plugin_export.csv", "woocommerce_plugin", {"weight_unit": "lb", "length_unit": "in"}),
        ("amazon_flat_file.txt", "amazon_flat_file", {}),
        ("amazon_all_listings.txt", "amazon_all_listings", {}),
        ("ebay_active_listings.csv", "ebay", {}),
        ("ebay_file_exchange.csv", "ebay", {}),
        ("etsy_listings_it.csv", "etsy", {}),
        ("etsy_listings_de.csv", "etsy", {}),
        ("magento2_products.csv", "magento2", {}),
        ("prestashop_products.csv", "prestashop", {}),
        ("alibaba_products_gbk.csv", "alibaba", {}),
        ("olist/olist_products_dataset.csv", "olist", {}),
    ],
)
def test_each_export_is_detected_and_every_record_accounted_for(name: str, adapter: str, options: dict) -> None:
    result = _read(name, **options)

    assert result.records.columns == [*CANONICAL_COLUMNS, *ADAPTER_COLUMNS, *LINEAGE_COLUMNS]
    assert set(result.records.schema.values()) <= {pl.String, pl.Int64}
    assert result.records["source_format"].unique().to_list() in ([adapter], [])
    assert _accounted(result) == list(range(1, result.rows_read + 1))
    for values in result.records["original_values"].drop_nulls():
        assert isinstance(json.loads(values), dict)
    # Forcing the detected adapter gives the same records.
    forced = _read(name, file_format=adapter, **options)
    assert forced.records.equals(result.records)


def test_shopify_variants_inherit_their_product_and_image_rows_are_skipped() -> None:
    result = _read("shopify_products.csv")
    listings = _by_sku(result)

    red, blue = listings["MUG-RED"], listings["MUG-BLUE"]
    assert red["title"] == "Ceramic Mug & Saucer (Red)"
    assert blue["title"] == "Ceramic Mug & Saucer (Blue)"
    assert blue["description"] == red["description"] == "Hand-glazed ceramic.\n\nDishwasher safe – 350 ml."
    assert blue["category"].startswith("Home & Garden > Kitchen")
    assert (red["listing_id"], blue["listing_id"]) == ("ceramic-mug/Red", "ceramic-mug/Blue")
    assert (red["weight_kg"], blue["weight_kg"]) == ("0.35", "0.36")
    assert (red["price"], red["unit_cost"], red["currency"]) == ("12.5", "3.2", "USD")
    assert result.skipped.select("source_row").to_series().to_list() == [3]
    assert "image-only" in result.skipped["reason"][0]


def test_shopify_grams_are_grams_whatever_the_display_unit() -> None:
    jacket = _by_sku(_read("shopify_products.csv"))["JKT-001"]

    assert jacket["weight_kg"] == "0.680389"  # 680.388555 g, displayed as 1.5 lb
    assert jacket["price"] == "1049"
    assert jacket["listing_id"] == "denim-jacket"
    assert json.loads(jacket["original_values"])["Variant Weight Unit"] == "lb"


def test_shopify_gift_cards_are_not_physical() -> None:
    listings = _by_sku(_read("shopify_products.csv"))

    assert listings["GC-25"]["is_physical"] == "false"
    assert listings["MUG-RED"]["is_physical"] == "true"


def test_woocommerce_units_come_from_the_headers_and_variations_inherit() -> None:
    result = _read("woocommerce_products.csv")
    listings = _by_sku(result)

    red, blue, lamp = listings["tee-red"], listings["tee-blue"], listings["lamp"]
    assert red["weight_kg"] == "0.226796"  # the parent's .5 lbs
    assert blue["weight_kg"] == "0.453592"  # its own 1 lbs
    assert (red["length_cm"], red["width_cm"], red["height_cm"]) == ("25.4", "20.32", "2.54")
    assert red["category"] == "Clothing > Tshirts"
    assert blue["price"] == "9.5"  # the sale price
    assert lamp["price"] == "1299.9"
    assert listings["ebook"]["is_physical"] == "false"
    assert set(listings) == {"tee-red", "tee-blue", "lamp", "ebook", "poster"}
    assert dict(result.skipped.select("source_row", "reason").iter_rows()).keys() == {1, 6}
    assert json.loads(red["original_values"])["inherited_from_parent"] == "tee"


def test_woocommerce_plugin_export_needs_its_units(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="--weight-unit.*docs/adapters.md"):
        _read("woocommerce_plugin_export.csv")

    result = _read("woocommerce_plugin_export.csv", weight_unit="lb", length_unit="in")
    listings = _by_sku(result)

    assert listings["NUT-A-GAL"]["weight_kg"] == "0.907185"
    assert listings["NUT-A-GAL"]["length_cm"] == "30.48"
    assert listings["NUT-A-GAL"]["price"] == "29.99"
    assert listings["NUT-A-QT"]["category"] == "Nutrients & Supplements"
    assert listings["BOOK-1"]["is_physical"] == "false"
    assert listings["TENT-1"]["price"] == "call us"  # validation rejects it, naming the value
    assert result.rejects.select("source_row").unique().to_series().sort().to_list() == [4, 5]
    assert result.skipped.select("source_row", "reason").rows() == [
        (2, "WooCommerce grouped product: a set of other products, each listed on its own row"),
        (6, "blank line: no values"),
    ]

    mapping = tmp_path / "store.toml"
    mapping.write_text('weight_unit = "lb"\nlength_unit = "in"\n', encoding="utf-8")
    via_mapping = _read("woocommerce_plugin_export.csv", mapping_path=mapping)
    assert via_mapping.records.drop("original_values").equals(result.records.drop("original_values"))


def test_amazon_flat_file_prefers_package_measures_and_skips_parents() -> None:
    result = _read("amazon_flat_file.txt")
    listings = _by_sku(result)

    clear, black, trivet = listings["KETTLE-CLEAR"], listings["KETTLE-BLACK"], listings["TRIVET-1"]
    assert (clear["weight_kg"], clear["length_cm"], clear["width_cm"], clear["height_cm"]) == ("1.6", "25", "20", "22")
    assert black["weight_kg"] == "1.133981"  # 2.5 Pounds, the item's own weight
    assert (black["length_cm"], black["width_cm"], black["height_cm"]) == ("22.86", "17.78", "21.59")
    assert trivet["weight_kg"] == "1.5 (no unit given)"
    assert clear["listing_id"] is None and clear["marketplace"] == "amazon"
    assert result.skipped["source_row"].to_list() == [1]
    assert result.records["source_row"].to_list() == [2, 3, 4]


def test_amazon_all_listings_report() -> None:
    listings = _by_sku(_read("amazon_all_listings.txt"))

    assert listings["CUP-4"]["title"] == "Café Espresso Cups, Set of 4"  # Windows-1252
    assert listings["CUP-4"]["listing_id"] == "0105XYZ123"
    assert listings["TRAY-1"]["price"] == "1299"
    assert listings["TRAY-1"]["stock_qty"] == "2"


def test_ebay_report_preamble_footer_and_variations() -> None:
    result = _read("ebay_active_listings.csv")
    listings = _by_sku(result)

    assert set(listings) == {"CASE-1", "LED-5M", "LED-10M"}
    assert listings["LED-10M"]["listing_id"] == "326000000002:Length=10m"
    assert listings["CASE-1"]["listing_id"] == "326000000001"
    assert listings["LED-10M"]["price"] == "29.99"
    assert result.skipped.select("source_row", "reason").rows() == [
        (2, "eBay multi-variation listing: its variations are listed on their own rows"),
        (5, "blank line: no values"),
        (6, "report footer line, not a listing"),
        (7, "report footer line, not a listing"),
    ]


def test_ebay_file_exchange_weights_and_site_currency() -> None:
    listings = _by_sku(_read("ebay_file_exchange.csv"))

    set_, teapot = listings["TEA-01"], listings["TEA-02"]
    assert (set_["weight_kg"], set_["price"], set_["currency"]) == ("1.25", "34.99", "GBP")
    assert (set_["length_cm"], set_["width_cm"], set_["height_cm"]) == ("30", "20", "15")
    assert teapot["weight_kg"] == "0.8"  # blank WeightUnit: a UK site is metric
    assert teapot["listing_id"] == "1234567890"
    assert set_["description"] == "Six cups & a pot"


def test_etsy_localised_headers_decimal_commas_and_digital_downloads() -> None:
    result = _read("etsy_listings_it.csv")
    mug, pattern = result.records.to_dicts()

    assert (mug["title"], mug["price"], mug["currency"], mug["stock_qty"]) == (
        "Tazza in ceramica fatta a mano", "24.5", "EUR", "5"
    )
    assert mug["is_physical"] is None
    assert pattern["is_physical"] == "false"
    assert pattern["sku"] is None and pattern["listing_id"].startswith("etsy:title:")
    assert _read("etsy_listings_it.csv").records["listing_id"].equals(result.records["listing_id"])  # stable

    german = _read("etsy_listings_de.csv").records.to_dicts()[0]
    assert (german["sku"], german["price"], german["currency"]) == ("APRON-1", "39", "EUR")


def test_magento_skips_containers_and_store_views_and_reads_weight_in_lbs() -> None:
    result = _read("magento2_products.csv")
    listings = _by_sku(result)

    assert set(listings) == {"MUG-S", "MUG-L", "WARRANTY-2Y"}
    assert listings["MUG-S"]["weight_kg"] == "0.362874"  # 0.8 lbs, Magento's default unit
    assert listings["MUG-S"]["category"] == "Kitchen/Mugs"
    assert listings["WARRANTY-2Y"]["is_physical"] == "false"
    assert result.skipped["source_row"].to_list() == [1, 4]
    assert _by_sku(_read("magento2_products.csv", weight_unit="kg"))["MUG-S"]["weight_kg"] == "0.8"


def test_prestashop_semicolons_decimal_commas_and_virtual_products() -> None:
    listings = _by_sku(_read("prestashop_products.csv"))

    board = listings["BAMBOO-1"]
    assert (board["price"], board["unit_cost"], board["weight_kg"]) == ("12.5", "4.2", "0.75")
    assert (board["length_cm"], board["width_cm"], board["height_cm"]) == ("20", "30", "2")
    assert board["category"] == "Cuisine, Bois"  # every category, not only the first
    assert listings["GLASS-12"]["price"] == "1249"
    assert listings["GLASS-12"]["moq"] == "2"
    assert listings["GIFT-25"]["is_physical"] == "false"


def test_alibaba_chinese_headers_units_ranges_and_moq() -> None:
    cup, vase = _read("alibaba_products_gbk.csv").records.to_dicts()

    assert (cup["listing_id"], cup["price"], cup["currency"]) == ("6230001", "25.8", "CNY")
    assert (cup["weight_kg"], cup["length_cm"], cup["width_cm"], cup["height_cm"]) == ("0.35", "22", "8", "8")
    assert (cup["stock_qty"], cup["moq"], cup["monthly_units_sold"]) == ("1200", "50", "320")
    assert cup["description"] == "双层真空"
    assert (vase["price"], vase["weight_kg"], vase["length_cm"]) == ("45", "1.2", "30")


def test_olist_units_column_order_and_category_translation() -> None:
    first, second = _read("olist/olist_products_dataset.csv").records.to_dicts()

    sizes = (first["weight_kg"], first["length_cm"], first["width_cm"], first["height_cm"])
    assert sizes == ("0.225", "16", "14", "10")
    assert first["category"] == "perfumery"
    assert json.loads(first["original_values"])["product_category_name"] == "perfumaria"
    assert first["listing_id"] == "1e9e8ef04dbcff4541ed26657ea517e5"
    assert (first["price"], first["currency"], first["title"]) == (None, None, None)
    assert second["weight_kg"] is None


def test_olist_category_table_is_recognised_and_skipped() -> None:
    result = _read("olist/product_category_name_translation.csv")

    assert result.records.height == 0
    assert result.skipped.height == 2
    assert "translation table" in result.skipped["reason"][0]


def test_currency_option_replaces_the_assumed_default() -> None:
    default = _by_sku(_read("woocommerce_products.csv"))["lamp"]
    given = _by_sku(_read("woocommerce_products.csv", currency="eur"))["lamp"]

    assert (default["currency"], json.loads(default["original_values"])["assumed_currency"]) == ("USD", "USD")
    assert (given["currency"], json.loads(given["original_values"])["assumed_currency"]) == ("EUR", None)


def test_every_fixture_record_is_counted_like_a_spreadsheet_would() -> None:
    name = "shopify_products.csv"
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        records_in_file = sum(1 for _ in csv.reader(handle)) - 1

    assert _read(name).rows_read == records_in_file == 5
