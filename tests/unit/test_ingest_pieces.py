"""Platform exports read in pieces give exactly what reading them whole gives (issue #8).

Each file is read whole and then in pieces of two or three records (`stream_over_bytes=0`): records,
skips and rejects must be identical. The files below put what a piece alone would get wrong into a
later or another piece: a product's rows across a cut, a decimal comma only at the end, a variation
whose parent comes later.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.helpers import GOOD_ROW
from xborder_pipeline.ingest import IngestOptions, InputFileError, read_file_in_pieces
from xborder_pipeline.ingest.mapping import load_mapping
from xborder_pipeline.ingest.pieces import FileScan, GroupApart

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
PLUGIN_UNITS = {"weight_unit": "lb", "length_unit": "in"}


def _read(path: Path, options: IngestOptions | None = None, **pieces: object) -> tuple[int, dict[str, pl.DataFrame]]:
    """How many pieces the file came in, and its records, skipped and rejects."""
    options = options or IngestOptions()
    mapping = load_mapping(options.mapping_path) if options.mapping_path else None
    results = list(read_file_in_pieces(path, options, mapping, **pieces))  # type: ignore[arg-type]
    frames = {part: pl.concat([getattr(result, part) for result in results]) for part in ("records", "skipped",
                                                                                           "rejects")}
    return len(results), frames


def _same_in_pieces(path: Path, options: IngestOptions | None = None, sizes: tuple[int, ...] = (2, 3)) -> dict:
    """Read whole and in pieces of each size: identical frames; returns the whole read's frames."""
    count, whole = _read(path, options)
    assert count == 1
    records = whole["records"].height + whole["skipped"].height + whole["rejects"]["source_row"].n_unique()
    for size in sizes:
        pieces, got = _read(path, options, piece_rows=size, stream_over_bytes=0)
        assert pieces > 1 or records <= size, f"{path.name} was not read in pieces of {size}"
        for part, frame in whole.items():
            assert_frame_equal(got[part], frame, check_exact=True)
    return whole


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _listings(frames: dict) -> dict[str, dict]:
    return {row["sku"]: row for row in frames["records"].to_dicts()}


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("shopify_products.csv", {}),
        ("woocommerce_products.csv", {}),
        ("woocommerce_plugin_export.csv", PLUGIN_UNITS),
        ("amazon_flat_file.txt", {}),
        ("amazon_all_listings.txt", {}),
        ("ebay_active_listings.csv", {}),
        ("ebay_file_exchange.csv", {}),
        ("etsy_listings_it.csv", {}),
        ("etsy_listings_de.csv", {}),
        ("magento2_products.csv", {}),
        ("prestashop_products.csv", {}),
        ("alibaba_products_gbk.csv", {}),
        ("olist/olist_products_dataset.csv", {}),
        ("olist/product_category_name_translation.csv", {}),
        ("custom_export.csv", {"mapping_path": FIXTURES / "custom_mapping.toml"}),
    ],
)
def test_every_platform_export_read_in_pieces_equals_it_read_whole(name: str, options: dict) -> None:
    whole = _same_in_pieces(FIXTURES / name, IngestOptions(**options))

    assert whole["records"].height + whole["skipped"].height > 0


SHOPIFY_HEADER = (
    "Handle,Title,Body (HTML),Vendor,Type,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Price,"
    "Image Src"
)


def test_a_shopify_product_whose_rows_straddle_a_cut_keeps_its_title_and_variant_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "products_export.csv", [
        SHOPIFY_HEADER,
        "solo,Solo Item,<p>One</p>,Acme,Gadgets,Title,Default Title,SOLO,100,5.00,",
        "mug,Ceramic Mug,<p>Glazed</p>,Acme,Mugs,Color,Red,MUG-RED,350,12.50,",  # record 2: piece 1 ends here
        "mug,,,,,,Blue,MUG-BLUE,360,12.50,",  # records 3-5 would be piece 2, without the product's title
        "mug,,,,,,Green,MUG-GREEN,370,13.00,",
        "mug,,,,,,,,,,https://cdn.example.com/mug-side.jpg",
        "lamp,Desk Lamp,,Acme,Lighting,Title,Default Title,LAMP,900,30.00,",
    ])

    whole = _same_in_pieces(path)

    listings = _listings(whole)
    assert listings["MUG-GREEN"]["title"] == "Ceramic Mug (Green)"
    assert listings["MUG-GREEN"]["listing_id"] == "mug/Green"
    assert listings["MUG-BLUE"]["description"] == "Glazed"
    assert listings["SOLO"]["listing_id"] == "solo"
    assert whole["skipped"]["source_row"].to_list() == [5]


def test_blank_and_malformed_records_inside_a_carried_product_keep_their_place(tmp_path: Path) -> None:
    path = _write(tmp_path, "products_export.csv", [
        SHOPIFY_HEADER,
        "solo,Solo Item,,Acme,Gadgets,Title,Default Title,SOLO,100,5.00,",
        "mug,Ceramic Mug,,Acme,Mugs,Color,Red,MUG-RED,350,12.50,",  # the mug is carried to piece 2...
        "mug,,,,,,,,,,https://cdn.example.com/mug-side.jpg",  # ...with its image row (skipped)...
        ",,,,,,,,,,",  # ...and the blank record after it, all read in piece 1
        "mug,,,,,,Blue,MUG-BLUE,360,12.50,,an extra field",
        "mug,,,,,,Green,MUG-GREEN,370,13.00,",
        "lamp,Desk Lamp,,Acme,Lighting,Title,Default Title,LAMP,900,30.00,",
    ])

    whole = _same_in_pieces(path, sizes=(4, 5))

    assert whole["skipped"]["source_row"].to_list() == [3, 4]
    assert whole["rejects"]["source_row"].to_list() == [5]
    assert _listings(whole)["MUG-GREEN"]["title"] == "Ceramic Mug (Green)"


def test_a_decimal_comma_seen_only_in_the_last_piece_decides_the_whole_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "products_export.csv", [
        SHOPIFY_HEADER,
        "a,A,,,,Title,Default Title,A,100,\"1,250\",",  # alone, 1,250 reads as one thousand two hundred and fifty
        "b,B,,,,Title,Default Title,B,100,7.00,",
        "c,C,,,,Title,Default Title,C,100,3.00,",
        "d,D,,,,Title,Default Title,D,100,\"12,5\",",  # ...but this column writes decimal commas
    ])

    whole = _same_in_pieces(path)

    assert _listings(whole)["A"]["price"] == "1.25"
    assert _listings(whole)["D"]["price"] == "12.5"


def test_a_decimal_comma_late_in_a_row_by_row_export_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "All Listings Report.txt", [
        "item-name\tlisting-id\tseller-sku\tprice\tquantity",
        "Lamp\tL1\tLAMP\t1,299\t3",
        "Mug\tL2\tMUG\t4.00\t3",
        "Case\tL3\tCASE\t5.00\t3",
        "Cup\tL4\tCUP\t0,99\t3",
    ])

    whole = _same_in_pieces(path)

    assert _listings(whole)["LAMP"]["price"] == "1.299"


def test_a_shopify_product_split_across_the_file_is_read_whole_below_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "products_export.csv", [
        SHOPIFY_HEADER,
        "mug,Ceramic Mug,,Acme,Mugs,Color,Red,MUG-RED,350,12.50,",
        "lamp,Desk Lamp,,Acme,Lighting,Title,Default Title,LAMP,900,30.00,",
        "vase,Vase,,Acme,Decor,Title,Default Title,VASE,900,30.00,",
        "mug,,,,,,Blue,MUG-BLUE,360,12.50,",  # the mug comes back, two pieces later
    ])
    _, whole = _read(path)

    pieces, got = _read(path, piece_rows=2, stream_over_bytes=0)

    assert pieces == 1  # read whole, so that the mug's rows are one product as before
    for part, frame in whole.items():
        assert_frame_equal(got[part], frame)
    assert _listings(got)["MUG-BLUE"]["title"] == "Ceramic Mug (Blue)"
    with pytest.raises(InputFileError, match=r"'mug' are not consecutive \(record 4 .*limits\.max_whole_file_mb"):
        _read(path, piece_rows=2, stream_over_bytes=0, max_whole_file_bytes=100)


EBAY_HEADER = (
    "Item number,Title,Variation details,Custom label (SKU),Available quantity,Currency,Start price,Current price"
)


def test_an_ebay_listing_whose_variations_straddle_a_cut_skips_its_own_row_and_ids_each_variation(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "eBay-active-listings.csv", [
        '"Seller Hub Reports","Active listings"',
        "",
        EBAY_HEADER,
        "100,Phone Case,,CASE,5,USD,9.99,9.99",
        "200,LED Strip,,LED,30,USD,19.99,19.99",  # record 2: the listing's own row ends piece 1
        "200,LED Strip,Length=5m,LED-5M,20,USD,19.99,19.99",
        "200,LED Strip,Length=10m,LED-10M,10,USD,29.99,29.99",
        "300,Desk Lamp,,LAMP,2,USD,30.00,30.00",
        "",
        "4 record(s) downloaded, from Jan-01-26 to Jan-31-26",
    ])

    whole = _same_in_pieces(path)

    listings = _listings(whole)
    assert listings["LED-10M"]["listing_id"] == "200:Length=10m"
    assert listings["CASE"]["listing_id"] == "100"
    assert "LED" not in listings
    assert whole["skipped"]["source_row"].to_list() == [2, 6, 7]


def test_ebay_rows_without_an_item_number_are_cut_anywhere(tmp_path: Path) -> None:
    path = _write(tmp_path, "file_exchange.csv", [
        "*Action(SiteID=US|Country=US|Currency=USD|Version=1193),ItemID,CustomLabel,*Title,*StartPrice,*Quantity",
        *(f"Add,,SKU-{n},Item {n},{n}.50,1" for n in range(1, 8)),
    ])

    _same_in_pieces(path)

    assert _read(path, piece_rows=2, stream_over_bytes=0)[0] == 4  # not one group of blank item numbers


WOO_HEADER = (
    "ID,Type,SKU,Name,Published,Description,Weight (kg),Length (cm),Width (cm),Height (cm),Sale price,"
    "Regular price,Categories,Parent"
)


def test_a_woocommerce_variation_inherits_from_a_parent_in_another_piece(tmp_path: Path) -> None:
    path = _write(tmp_path, "wc-product-export.csv", [
        WOO_HEADER,
        "21,variation,tee-red,Tee - Red,1,,,,,,,12,,tee",  # its parent (by SKU) is three pieces later
        "30,simple,cup,Cup,1,A cup,0.3,10,10,10,,5,Kitchen,",
        "31,simple,pan,Pan,1,A pan,1.2,30,30,8,,25,Kitchen,",
        "32,simple,pot,Pot,1,A pot,1.5,30,30,20,,35,Kitchen,",
        "33,simple,jug,Jug,1,A jug,0.9,15,15,25,,15,Kitchen,",
        "34,simple,bowl,Bowl,1,A bowl,0.4,15,15,8,,8,Kitchen,",
        "20,variable,tee,Cotton Tee,1,<p>Soft</p>,0.2,30,20,2,,,Clothing,",
        "22,variation,tee-blue,Tee - Blue,1,,0.25,,,,9,12,,id:20",  # by id, parent in the piece before
    ])

    whole = _same_in_pieces(path)

    listings = _listings(whole)
    assert (listings["tee-red"]["weight_kg"], listings["tee-red"]["length_cm"]) == ("0.2", "30")
    assert (listings["tee-red"]["category"], listings["tee-red"]["description"]) == ("Clothing", "Soft")
    assert (listings["tee-blue"]["weight_kg"], listings["tee-blue"]["height_cm"]) == ("0.25", "2")
    assert whole["skipped"]["source_row"].to_list() == [7]  # the variable product itself


def test_a_woocommerce_plugin_file_with_a_unitless_weight_only_at_its_end_fails_before_any_piece(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "Products-Export.csv", [
        "ID,Product Name,Type,Regular Price,Sku,Weight",
        *(f"{n},Item {n},simple,5,S{n}," for n in range(1, 6)),
        "6,Item 6,simple,5,S6,2.5",
    ])

    with pytest.raises(InputFileError, match="--weight-unit"):
        next(read_file_in_pieces(path, IngestOptions(), piece_rows=2, stream_over_bytes=0))


def test_a_parquet_shopify_export_is_read_by_record_batch_like_its_whole_file(tmp_path: Path) -> None:
    csv_path = FIXTURES / "shopify_products.csv"
    parquet = tmp_path / "products.parquet"
    pl.read_csv(csv_path, infer_schema=False).write_parquet(parquet, row_group_size=2)
    _, whole = _read(csv_path)

    pieces, got = _read(parquet, piece_rows=2)

    assert pieces > 1
    assert_frame_equal(got["records"].drop("source_file"), whole["records"].drop("source_file"))


def test_a_spreadsheet_over_the_xlsx_limit_fails_before_it_is_loaded(tmp_path: Path) -> None:
    book = tmp_path / "products.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\0" * 2_000)  # not even a valid workbook: the size alone decides

    with pytest.raises(InputFileError, match=r"limits\.max_xlsx_mb \(0\.0 MB\).*Save the sheet as CSV"):
        _read(book, max_xlsx_bytes=1_000)


def test_json_over_the_whole_file_limit_fails_before_it_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([{**GOOD_ROW, "description": "x" * 2_000}]), encoding="utf-8")

    with pytest.raises(InputFileError, match=r"over limits\.max_whole_file_mb.*Parquet or CSV"):
        _read(path, max_whole_file_bytes=1_000)
    assert _read(path, max_whole_file_bytes=1e6)[1]["records"].height == 1


def test_the_group_scan_finds_a_key_coming_back_in_a_later_piece_only() -> None:
    scan = FileScan([], group="handle")
    scan.add(pl.DataFrame({"handle": ["a", "a", "b"], "_row": [1, 2, 3]}))
    scan.add(pl.DataFrame({"handle": ["b", "c", None], "_row": [4, 5, 6]}))  # b goes on: still together
    assert scan.apart is None

    scan.add(pl.DataFrame({"handle": [None, "a"], "_row": [7, 8]}))

    assert scan.apart == GroupApart("a", 8)


@pytest.mark.parametrize("row_group_size", [1, 2, 5])
def test_a_parquet_file_of_row_groups_no_larger_than_a_piece_is_read_in_the_same_pieces(
    tmp_path: Path, row_group_size: int
) -> None:
    csv_path = FIXTURES / "shopify_products.csv"
    parquet = tmp_path / "products.parquet"
    pl.read_csv(csv_path, infer_schema=False).write_parquet(parquet, row_group_size=row_group_size)
    _, whole = _read(csv_path)

    pieces, got = _read(parquet, piece_rows=5)

    assert pieces > 1
    assert_frame_equal(got["records"].drop("source_file"), whole["records"].drop("source_file"))
