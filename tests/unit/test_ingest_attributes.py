"""What exports carry beyond the canonical columns: attributes, product groups, full categories, and
whether the currency was assumed. One test per adapter, on the fixtures of test_ingest_platforms and on
small exports written here from each platform's published column names."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from xborder_pipeline.ingest import IngestOptions, IngestResult, read_file_in_pieces, read_listings
from xborder_pipeline.validation import validate_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _read(path: Path, **options: object) -> IngestResult:
    return read_listings([path], IngestOptions(**options))  # type: ignore[arg-type]


def _by_sku(result: IngestResult) -> dict[str, dict[str, object]]:
    return {row["sku"]: row for row in result.records.to_dicts()}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_shopify_tags_and_options_are_attributes_the_handle_is_the_group_and_usd_is_assumed() -> None:
    listings = {row["listing_id"]: row for row in _read(FIXTURES / "shopify_products.csv").records.to_dicts()}

    red, blue = listings["ceramic-mug/Red"], listings["ceramic-mug/Blue"]
    assert red["attributes"] == "ceramic, mug | Red"
    assert blue["attributes"] == "ceramic, mug | Blue"  # the product's tags reach every variant
    assert red["product_group"] == blue["product_group"] == "ceramic-mug"
    assert red["category"] == "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs"
    assert red["currency"] == "USD" and red["currency_assumed"] == "true"


def test_shopify_with_a_currency_given_assumes_nothing() -> None:
    records = _read(FIXTURES / "shopify_products.csv", currency="SEK").records

    assert records["currency"].unique().to_list() == ["SEK"]
    assert records["currency_assumed"].unique().to_list() == ["false"]


def test_shopify_metafield_columns_are_attributes_of_every_variant(tmp_path: Path) -> None:
    export = _write(tmp_path / "products_export.csv", [
        "Handle,Title,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Price,"
        "Material (product.metafields.shopify.material)",
        "vase,Raku vase,handmade,Size,Small,V-S,800,45.00,Ceramic",
        "vase,,,Size,Large,V-L,1500,65.00,",
    ])

    listings = _by_sku(_read(export))

    assert listings["V-S"]["attributes"] == "handmade | Small | Ceramic"
    assert listings["V-L"]["attributes"] == "handmade | Large | Ceramic"


def test_etsy_materials_and_tags_are_attributes_and_the_named_currency_is_not_assumed() -> None:
    listing = _by_sku(_read(FIXTURES / "etsy_listings_it.csv"))["TAZZA-01"]

    assert listing["attributes"] == "ceramica,smalto | tazza,ceramica"
    assert listing["currency"] == "EUR" and listing["currency_assumed"] == "false"
    assert listing["product_group"] is None  # the export has no listing id


def test_etsy_listing_id_is_the_group(tmp_path: Path) -> None:
    export = _write(tmp_path / "EtsyListingsDownload.csv", [
        "TITLE,DESCRIPTION,PRICE,CURRENCY_CODE,QUANTITY,TAGS,MATERIALS,IMAGE1,LISTING ID,SKU",
        "Glass vase,Blown glass,30.00,USD,2,vase,glass,https://img.example.com/1.jpg,1234567,GV-1",
    ])

    assert _by_sku(_read(export))["GV-1"]["product_group"] == "1234567"


def test_woocommerce_variations_share_their_parent_group_whichever_way_they_name_it() -> None:
    listings = _by_sku(_read(FIXTURES / "woocommerce_products.csv"))

    assert listings["tee-red"]["product_group"] == "tee"  # Parent = the parent's SKU
    assert listings["tee-blue"]["product_group"] == "tee"  # Parent = id:10, the same product
    assert listings["lamp"]["product_group"] == "lamp"  # a simple product is its own group
    assert listings["tee-red"]["category"] == "Clothing > Tshirts"


def test_woocommerce_attribute_value_columns_and_tags_are_attributes(tmp_path: Path) -> None:
    export = _write(tmp_path / "wc-product-export.csv", [
        "ID,Type,SKU,Name,Published,Regular price,Categories,Tags,Parent,Attribute 1 name,Attribute 1 value(s),"
        "Attribute 2 name,Attribute 2 value(s)",
        '20,simple,VASE-1,Vase,1,30,"Home > Decor > Vases, Gifts","glass, handmade",,Material,Glass,Colour,Blue',
        "21,simple,BOWL-1,Bowl,1,20,Home,,,,,,",
    ])

    listings = _by_sku(_read(export))

    assert listings["VASE-1"]["attributes"] == "glass, handmade | Glass | Blue"
    assert listings["VASE-1"]["category"] == "Home > Decor > Vases, Gifts"
    assert listings["BOWL-1"]["attributes"] is None


def test_woocommerce_plugin_attribute_columns_are_attributes(tmp_path: Path) -> None:
    export = _write(tmp_path / "plugin.csv", [
        "ID,Product Name,Regular Price,Sku,Product tags,attribute:pa_material,attribute_data:pa_material,"
        "meta:attribute_pa_size",
        "7,Bloom 1 gal,40,BLOOM-1,nutrients,Liquid concentrate,0|1|1,1 gal",
    ])

    listing = _by_sku(_read(export))["BLOOM-1"]

    assert listing["attributes"] == "nutrients | Liquid concentrate | 1 gal"  # attribute_data flags left out
    assert listing["product_group"] == "BLOOM-1"


def test_magento_children_are_grouped_under_their_configurable_parent_and_keep_every_category() -> None:
    listings = _by_sku(_read(FIXTURES / "magento2_products.csv"))

    assert listings["MUG-S"]["product_group"] == listings["MUG-L"]["product_group"] == "MUG-CFG"
    assert listings["MUG-S"]["category"] == "Kitchen/Mugs"
    assert listings["MUG-S"]["currency_assumed"] == "true"  # Magento exports the base currency unnamed


def test_magento_additional_attributes_give_values_with_the_parent_s_and_without_flags(tmp_path: Path) -> None:
    export = _write(tmp_path / "catalog_product.csv", [
        "sku,store_view_code,attribute_set_code,product_type,categories,name,price,weight,additional_attributes,"
        "configurable_variations",
        'CUP,,Default,configurable,"Default Category/Kitchen/Cups,Default Category/Gifts",Cup,10,,'
        '"has_options=1,material=Porcelain,eco_collection=No","sku=CUP-W,color=White"',
        'CUP-W,,Default,simple,Default Category/Kitchen/Cups,Cup White,10,0.3,"color=White,new=Yes",',
    ])

    cup = _by_sku(_read(export))["CUP-W"]

    assert cup["attributes"] == "White | Porcelain"
    assert cup["product_group"] == "CUP"


def test_magento_groups_are_the_same_when_the_file_is_read_in_pieces(tmp_path: Path) -> None:
    lines = ["sku,store_view_code,attribute_set_code,product_type,name,price,weight,configurable_variations"]
    lines += [f"KID-{number},,Default,simple,Kid {number},5,0.1," for number in range(6)]
    lines += ['DAD,,Default,configurable,Dad,5,,"sku=KID-0,size=S|sku=KID-5,size=L"']
    export = _write(tmp_path / "late_parent.csv", lines)
    whole = _read(export).records
    pieces = pl.concat([
        piece.records for piece in read_file_in_pieces(export, IngestOptions(), piece_rows=2, stream_over_bytes=0)
    ])

    assert pieces.equals(whole)
    groups = dict(zip(whole["sku"], whole["product_group"], strict=True))
    assert groups["KID-0"] == groups["KID-5"] == "DAD"
    assert groups["KID-1"] == "KID-1"


def test_prestashop_features_and_tags_are_attributes_and_every_category_is_kept(tmp_path: Path) -> None:
    export = _write(tmp_path / "products_import.csv", [
        "Product ID;Name *;Categories (x,y,z...);Price tax excluded;Reference #;Tags (x,y,z...);"
        "Feature(Name:Value:Position)",
        "5;Vaso;Casa,Vasi;20;VASO-1;vaso,regalo;Materiale:Ceramica:1,Colore:Bianco:2",
    ])

    listing = _by_sku(_read(export))["VASO-1"]

    assert listing["attributes"] == "Ceramica | Bianco | vaso,regalo"
    assert listing["category"] == "Casa, Vasi"
    assert listing["product_group"] == "5"


def test_amazon_flat_file_children_are_grouped_under_the_parent_sku() -> None:
    records = _read(FIXTURES / "amazon_flat_file.txt").records
    children = records.filter(pl.col("sku").str.starts_with("KETTLE-"))

    assert children.height >= 1
    assert children["product_group"].unique().to_list() == ["KETTLE-P"]


def test_ebay_item_number_is_the_group_and_the_named_currency_is_not_assumed() -> None:
    records = _read(FIXTURES / "ebay_active_listings.csv").records

    assert (records["product_group"].str.starts_with("326")).all()
    assert records["currency_assumed"].unique().to_list() == ["false"]


def test_olist_product_is_its_own_group_with_its_category_slug() -> None:
    records = _read(FIXTURES / "olist" / "olist_products_dataset.csv").records

    assert records["product_group"].to_list() == records["listing_id"].to_list()


def test_the_new_columns_validate_and_a_canonical_file_may_carry_them(tmp_path: Path, settings) -> None:
    canonical = _write(tmp_path / "canonical.csv", [
        "listing_id,title,price,currency,weight_kg,length_cm,width_cm,height_cm,attributes,product_group,"
        "currency_assumed",
        "A,Vase,10,EUR,1,10,10,10,glass | blue,VASE,false",
        "B,Bowl,10,USD,1,10,10,10,,,true",
    ])
    shopify = _read(FIXTURES / "shopify_products.csv").records

    checked = validate_listings(pl.concat([_read(canonical).records, shopify]), settings)

    rows = {row["listing_id"]: row for row in checked.valid.to_dicts()}
    assert rows["A"]["attributes"] == "glass | blue" and rows["A"]["product_group"] == "VASE"
    assert rows["A"]["currency_assumed"] is False and rows["B"]["currency_assumed"] is True
    assert rows["ceramic-mug/Red"]["currency_assumed"] is True
    assert checked.valid.schema["currency_assumed"] == pl.Boolean


@pytest.mark.parametrize("value", ["perhaps", "2"])
def test_a_canonical_currency_assumed_that_is_not_a_yes_or_no_is_rejected(tmp_path: Path, settings,
                                                                          value: str) -> None:
    canonical = _write(tmp_path / "canonical.csv", [
        "listing_id,title,price,currency,weight_kg,length_cm,width_cm,height_cm,currency_assumed",
        f"A,Vase,10,EUR,1,10,10,10,{value}",
    ])

    checked = validate_listings(_read(canonical).records, settings)

    assert checked.valid.is_empty()
    assert checked.rejects["column_name"].to_list() == ["currency_assumed"]


def test_a_woocommerce_variation_adds_its_parent_s_tags_and_attributes_read_whole_or_in_pieces(
    tmp_path: Path,
) -> None:
    export = _write(tmp_path / "wc-variations.csv", [
        "ID,Type,SKU,Name,Published,Regular price,Categories,Tags,Parent,Attribute 1 name,Attribute 1 value(s),"
        "Attribute 2 name,Attribute 2 value(s)",
        "30,variation,VASE-S,Vase - Small,1,30,,,id:31,Size,Small,,",
        "32,simple,BOWL-1,Bowl,1,20,Home,,,,,,",
        '31,variable,VASE,Vase,1,,Home > Vases,"glass, fragile",,Size,"Small, Large",Material,Glass',
        "33,variation,VASE-L,Vase - Large,1,45,,,VASE,Size,Large,,",
    ])
    whole = _read(export).records
    pieces = pl.concat([
        piece.records for piece in read_file_in_pieces(export, IngestOptions(), piece_rows=1, stream_over_bytes=0)
    ])

    assert pieces.equals(whole)
    listings = {row["sku"]: row for row in whole.to_dicts()}
    assert listings["VASE-S"]["attributes"] == "Small | glass, fragile | Small, Large | Glass"
    assert listings["VASE-L"]["attributes"] == "Large | glass, fragile | Small, Large | Glass"
    assert listings["VASE-S"]["product_group"] == listings["VASE-L"]["product_group"] == "VASE"
    assert listings["BOWL-1"]["attributes"] is None
