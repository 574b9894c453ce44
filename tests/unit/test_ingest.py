"""Reading canonical files: every format gives the same text columns, lineage and clear file errors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from xborder_pipeline.schemas.listing import ADAPTER_COLUMNS, CANONICAL_COLUMNS, LINEAGE_COLUMNS

from tests.helpers import GOOD_ROW, canonical_csv
from xborder_pipeline.ingest import InputFileError, read_listings


def test_csv_records_keep_their_file_and_one_based_row(tmp_path: Path) -> None:
    path = canonical_csv(tmp_path / "export.csv", [{}, {"title": "Second"}, {}])

    records = read_listings([path]).records

    assert records.columns == [*CANONICAL_COLUMNS, *ADAPTER_COLUMNS, *LINEAGE_COLUMNS]
    assert records["source_format"].unique().to_list() == ["canonical_csv"]
    assert records["source_row"].to_list() == [1, 2, 3]
    assert records["source_file"].unique().to_list() == [str(path)]
    assert records["title"][1] == "Second"


def test_quoted_newline_does_not_start_a_new_record(tmp_path: Path) -> None:
    path = canonical_csv(tmp_path / "export.csv", [{"description": "line one\nline two"}, {}])

    records = read_listings([path]).records

    assert records.height == 2
    assert records["source_row"].to_list() == [1, 2]
    assert records["description"][0] == "line one\nline two"


def test_optional_columns_absent_from_the_header_come_out_missing(tmp_path: Path) -> None:
    columns = ("sku", "title", "price", "currency", "weight_kg", "length_cm", "width_cm", "height_cm")
    path = canonical_csv(tmp_path / "minimal.csv", [{}], columns=columns)

    records = read_listings([path]).records

    assert records["listing_id"][0] is None
    assert records["stock_qty"][0] is None
    assert records["sku"][0] == "SKU-1"


def test_missing_required_header_names_the_file_and_the_columns(tmp_path: Path) -> None:
    columns = ("listing_id", "title", "price", "currency", "length_cm", "width_cm", "height_cm")
    path = canonical_csv(tmp_path / "no_weight.csv", [{}], columns=columns)

    with pytest.raises(InputFileError) as raised:
        read_listings([path])

    assert "no_weight.csv" in str(raised.value)
    assert "weight_kg" in str(raised.value)


def test_parquet_json_and_ndjson_read_like_csv(tmp_path: Path) -> None:
    rows = [{**GOOD_ROW, "listing_id": "P-1"}, {**GOOD_ROW, "listing_id": "P-2", "title": "Mug"}]
    typed = pl.DataFrame(rows).with_columns(pl.col("price", "weight_kg").cast(pl.Float64))
    typed.write_parquet(tmp_path / "a.parquet")
    (tmp_path / "a.json").write_text(json.dumps(rows), encoding="utf-8")
    (tmp_path / "a.ndjson").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")

    for name in ("a.parquet", "a.json", "a.ndjson"):
        records = read_listings([tmp_path / name]).records
        assert records["listing_id"].to_list() == ["P-1", "P-2"], name
        assert records["title"].to_list() == ["Silicone phone case", "Mug"], name
        assert float(records["price"][0]) == pytest.approx(12.99), name
        assert records["source_row"].to_list() == [1, 2], name


def test_blank_parquet_cells_are_missing_whatever_the_column_type_and_numbers_keep_their_text(tmp_path: Path) -> None:
    rows = [{**GOOD_ROW, "listing_id": "P-1"}, {**GOOD_ROW, "listing_id": "P-2"}]
    typed = pl.DataFrame(rows).with_columns(
        pl.Series("title", ["Mug", "   "]),
        pl.Series("category", ["Kitchen", " "], dtype=pl.Categorical),
        pl.Series("weight_kg", [0.0, None], dtype=pl.Float64),
        pl.Series("stock_qty", [3, 0], dtype=pl.Int64),
    )
    typed.write_parquet(tmp_path / "a.parquet")

    records = read_listings([tmp_path / "a.parquet"]).records

    assert records["title"].to_list() == ["Mug", None]
    assert records["category"].to_list() == ["Kitchen", None]
    assert records["weight_kg"].to_list() == ["0.0", None]
    assert records["stock_qty"].to_list() == ["3", "0"]


def test_several_files_are_read_in_order_each_with_its_own_rows(tmp_path: Path) -> None:
    first = canonical_csv(tmp_path / "first.csv", [{}, {}])
    second = canonical_csv(tmp_path / "second.csv", [{}])

    records = read_listings([first, second]).records

    assert records.select("source_file", "source_row").rows() == [
        (str(first), 1), (str(first), 2), (str(second), 1)
    ]


def test_unknown_extension_asks_for_a_format(tmp_path: Path) -> None:
    path = tmp_path / "export.xyz"
    path.write_text("a,b\n1,2\n", encoding="utf-8")

    with pytest.raises(InputFileError, match="--format"):
        read_listings([path])


def test_binary_garbage_is_a_file_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 10)

    with pytest.raises(InputFileError, match="garbage.csv"):
        read_listings([path])
