"""Platform exports scored in pieces of two records store exactly what one whole read stores (issue #8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from tests.e2e.test_batched_runs import STORED, _config, _score
from xborder_pipeline import batches
from xborder_pipeline.ingest import read_file_in_pieces
from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"

# A product whose variants straddle every cut of two records, and a decimal comma only in the last row.
SHOPIFY = """Handle,Title,Body (HTML),Vendor,Type,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Price
solo,Solo Lamp,<p>Metal</p>,Acme,Lighting,Title,Default Title,SOLO,900,"1,250"
mug,Ceramic Mug,<p>Glazed</p>,Acme,Mugs,Color,Red,MUG-RED,350,"12,50"
mug,,,,,,Blue,MUG-BLUE,360,"12,50"
mug,,,,,,Green,MUG-GREEN,370,"13,00"
vase,Glass Vase,<p>Fragile</p>,Acme,Decor,Title,Default Title,VASE,1200,"30,5"
"""


@pytest.fixture(scope="module")
def whole_and_pieces(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("platform_pieces")
    shopify = folder / "products_export.csv"
    shopify.write_text(SHOPIFY, encoding="utf-8")
    inputs = [
        shopify,
        FIXTURES / "shopify_products.csv",
        FIXTURES / "woocommerce_products.csv",
        FIXTURES / "ebay_active_listings.csv",
        FIXTURES / "amazon_flat_file.txt",
        FIXTURES / "magento2_products.csv",
    ]
    (folder / "whole").mkdir()
    (folder / "pieces").mkdir()
    whole, pieces = folder / "whole.duckdb", folder / "pieces.duckdb"
    _score(inputs, whole, _config(folder / "whole", max_reject_share=1.0))
    counted: dict[str, int] = {}

    def counting(path, *args, **kwargs):
        for piece in read_file_in_pieces(path, *args, **kwargs):
            counted[Path(path).name] = counted.get(Path(path).name, 0) + 1
            yield piece

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batches, "read_file_in_pieces", counting)
        _score(inputs, pieces, _config(folder / "pieces", max_reject_share=1.0, batch_rows=2,
                                       stream_files_over_mb=0.0))
    # every export really was read in pieces (the product of three variants makes one piece of three)
    assert counted["products_export.csv"] == 3
    assert all(counted[path.name] > 1 for path in inputs), counted
    return whole, pieces


@pytest.mark.parametrize("table", list(STORED))
def test_platform_exports_scored_in_pieces_of_two_store_what_one_whole_read_stores(whole_and_pieces, table) -> None:
    whole, pieces = whole_and_pieces
    expected, got = query(whole, STORED[table]), query(pieces, STORED[table])

    assert got.height == expected.height > 0
    assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


def test_the_product_across_pieces_and_the_late_decimal_comma_are_read_as_in_a_whole_file(whole_and_pieces) -> None:
    _, pieces = whole_and_pieces
    stored = query(
        pieces,
        "select listing_id, title, price from listings where source_file like '%products_export.csv' "
        "order by source_row",
    )

    assert stored.rows() == [
        ("solo", "Solo Lamp", 1.25),
        ("mug/Red", "Ceramic Mug (Red)", 12.5),
        ("mug/Blue", "Ceramic Mug (Blue)", 12.5),
        ("mug/Green", "Ceramic Mug (Green)", 13.0),
        ("vase", "Glass Vase", 30.5),
    ]


def test_a_large_export_that_must_be_read_whole_fails_the_run_naming_the_limit(tmp_path) -> None:
    shopify = tmp_path / "products_export.csv"
    rows = SHOPIFY.splitlines()
    shopify.write_text("\n".join([*rows, rows[2].replace("MUG-RED", "MUG-PINK").replace("Red", "Pink")]) + "\n",
                       encoding="utf-8")  # the mug comes back after the vase: its rows are apart
    config = tmp_path / "config.toml"
    config.write_text("[run]\nstream_files_over_mb = 0.0\n[limits]\nmax_whole_file_mb = 0.0001\n", encoding="utf-8")

    with pytest.raises(Exception, match=r"'mug' are not consecutive.*over limits\.max_whole_file_mb \(0\.0 MB\)"):
        _score([shopify], tmp_path / "store.duckdb", config)
