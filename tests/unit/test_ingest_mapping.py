"""Mapping files: reading an unknown export by its columns, and giving adapters their units."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xborder_pipeline.ingest import IngestOptions, InputFileError, read_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def test_an_unknown_export_is_read_through_its_mapping() -> None:
    result = read_listings(
        [FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=FIXTURES / "custom_mapping.toml")
    )
    flask, insurance = result.records.to_dicts()

    assert (flask["sku"], flask["title"], flask["price"], flask["currency"]) == ("A-1", "Thermosflasche", "19.9", "EUR")
    assert flask["weight_kg"] == "0.340194"  # "12 oz": a unit in the cell wins over the column's grams
    assert (flask["length_cm"], flask["width_cm"], flask["height_cm"]) == ("25", "8", "8")
    assert (flask["marketplace"], flask["seller_id"], flask["stock_qty"]) == ("shopx", "berlin-store", "12")
    assert flask["source_format"] == "mapping"
    assert flask["source_row"] == 1  # the title line before the header is not a record
    assert insurance["is_physical"] == "false"
    assert json.loads(flask["original_values"])["Preis"] == "19,90 €"


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("colour = 'red'\n", "unknown key.*colour"),
        ("[columns]\nwingspan = 'W'\n", "unknown field 'wingspan'"),
        ("[columns]\nweight_kg = { column = 'W', unit = 'stone' }\n", "unknown unit 'stone'"),
        ("[columns]\ntitle = { column = 'T', unit = 'kg' }\n", "only weights and sizes take a unit"),
        ("weight_unit = 'stone'\n", "unknown weight unit 'stone'"),
        ("header_row = 0\n", "header_row"),
        ("encoding = 'klingon'\n", "unknown encoding"),
        ("this is = not toml =\n", "not a valid TOML"),
    ],
)
def test_mapping_mistakes_are_named(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(InputFileError, match=complaint):
        read_listings([FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=_mapping(tmp_path, text)))


def test_a_mapped_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "currency = 'EUR'\ndelimiter = ';'\n[columns]\nsku = 'Art.-Nr.'\ntitle = 'Name'\n")

    with pytest.raises(InputFileError, match="names column.*Name"):
        read_listings([FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=mapping))


def test_a_mapped_price_needs_a_currency(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "delimiter = ';'\n[columns]\nsku = 'Art.-Nr.'\nprice = 'Preis'\n")

    with pytest.raises(InputFileError, match="maps price but no currency"):
        read_listings([FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=mapping))
    records = read_listings(
        [FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=mapping, currency="CHF")
    ).records
    assert records["currency"].to_list() == ["EUR", "CHF"]  # the "€" in the first price cell names it


def test_mapped_weights_default_to_kg_and_options_win_over_the_mapping(tmp_path: Path) -> None:
    mapping = _mapping(
        tmp_path,
        "weight_unit = 'g'\ncurrency = 'EUR'\ndelimiter = ';'\nheader_row = 2\n"
        "[columns]\nsku = 'Art.-Nr.'\nweight = 'L'\n",
    )

    by_mapping = read_listings([FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=mapping)).records
    by_option = read_listings(
        [FIXTURES / "custom_export.csv"], IngestOptions(mapping_path=mapping, weight_unit="kg")
    ).records

    assert by_mapping["weight_kg"][0] == "0.25"
    assert by_option["weight_kg"][0] == "250"


def test_format_mapping_without_a_mapping_file_is_refused() -> None:
    with pytest.raises(InputFileError, match="--format mapping needs --mapping"):
        read_listings([FIXTURES / "custom_export.csv"], IngestOptions(file_format="mapping"))
