"""Validation: every failure reported at once, with file, row, column and a readable message."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.helpers import canonical_csv
from xborder_pipeline.ingest import read_listings
from xborder_pipeline.run_summary import TooManyRejects, check_reject_share
from xborder_pipeline.validation import validate_listings


def _validate(tmp_path: Path, rows: list[dict[str, str]], settings):
    path = canonical_csv(tmp_path / "export.csv", rows)
    return validate_listings(read_listings([path]).records, settings)


def _failures(result) -> list[tuple[int, str, str]]:
    return result.rejects.select("source_row", "column_name", "check_name").rows()


def test_good_rows_pass_with_typed_values(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{}, {"stock_qty": "", "moq": "12"}], settings)

    assert result.rows_rejected == 0
    assert result.valid.height == 2
    assert result.valid.schema["price"] == pl.Float64
    assert result.valid.schema["stock_qty"] == pl.Int64
    assert result.valid["moq"].to_list() == [None, 12]


@pytest.mark.parametrize(
    ("overrides", "column", "check"),
    [
        ({"price": "-5.00"}, "price", "greater_than(0)"),
        ({"price": "0"}, "price", "greater_than(0)"),
        ({"price": "abc"}, "price", "is_number"),
        ({"weight_kg": "abc"}, "weight_kg", "is_number"),
        ({"weight_kg": "2000"}, "weight_kg", "less_than_or_equal_to(1000.0)"),
        ({"length_cm": "-20"}, "length_cm", "greater_than_or_equal_to(0)"),
        ({"weight_kg": "NaN"}, "weight_kg", "is_finite"),
        ({"price": "inf"}, "price", "is_finite"),
        ({"stock_qty": "1.5"}, "stock_qty", "is_whole_number"),
        ({"monthly_units_sold": "-3"}, "monthly_units_sold", "greater_than_or_equal_to(0)"),
        ({"currency": ""}, "currency", "price_has_currency"),
        ({"listing_id": "", "sku": ""}, "listing_id", "not_nullable"),
    ],
)
def test_each_kind_of_bad_value_is_rejected_with_its_check(tmp_path, settings, overrides, column, check) -> None:
    result = _validate(tmp_path, [{}, overrides, {}], settings)

    assert result.rows_rejected == 1
    assert result.valid.height == 2
    assert _failures(result) == [(2, column, check)]
    message = result.rejects["message"][0]
    assert column in message


def test_unknown_currency_names_the_fx_table_and_the_value(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"currency": "XYZ"}], settings)

    assert _failures(result) == [(1, "currency", result.rejects["check_name"][0])]
    assert "fx.usd_per_unit" in result.rejects["message"][0]
    assert "'XYZ'" in result.rejects["message"][0]


def test_every_failure_of_a_record_is_reported_and_the_record_counts_once(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"price": "abc", "weight_kg": "-1", "currency": "XYZ"}, {}], settings)

    assert result.rows_rejected == 1
    assert sorted(column for _, column, _ in _failures(result)) == ["currency", "price", "weight_kg"]
    assert result.valid.height == 1


def test_a_repeated_listing_id_keeps_the_first_and_rejects_the_rest(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"listing_id": "A"}, {"listing_id": "B"}, {"listing_id": "A"}], settings)

    assert result.valid["listing_id"].to_list() == ["A", "B"]
    assert _failures(result) == [(3, "listing_id", "is_unique")]
    assert "row 1" in result.rejects["message"][0]


def test_listing_id_is_derived_from_marketplace_seller_and_sku(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"listing_id": "", "sku": "MUG-9", "marketplace": "ebay", "seller_id": "s1"}],
                       settings)

    assert result.valid["listing_id"].to_list() == ["ebay:s1:MUG-9"]


def test_text_is_trimmed_and_blank_text_is_missing(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"title": "  Mug  ", "category": "   ", "currency": " usd "}], settings)

    assert result.valid.select("title", "category", "currency").row(0) == ("Mug", None, "USD")


def test_reject_share_above_the_limit_fails_with_the_first_failures(tmp_path: Path, settings) -> None:
    result = _validate(tmp_path, [{"price": "abc"}, {"price": "x"}, {}], settings)

    with pytest.raises(TooManyRejects) as raised:
        check_reject_share(3, result.rows_rejected, 0.2, result.rejects)

    assert "2 of 3" in str(raised.value)
    assert "row 1, price" in str(raised.value)


def test_reject_share_at_the_limit_passes(settings) -> None:
    check_reject_share(5, 1, 0.2, pl.DataFrame())




def test_a_batch_of_failures_is_told_as_each_failure_alone_is_told() -> None:
    """The messages of a batch's failures, each distinct failure told once, are those of each failure alone, in
    order, repeated failures (a null value among them) included."""
    from xborder_pipeline.validation import _explain_check, _explained_checks

    huge = "x" * 7_500
    cases = pl.DataFrame({
        "column": ["price", "title", "title", "listing_id", "currency", "weight_kg", "price", "length_cm", "title",
                   "sku", "price"],
        "check": ["greater_than(0)", "str_length(None, 5000)", "str_length(None, 5000)", "not_nullable",
                  "price_has_currency", "less_than_or_equal_to(1000.0)", "is_finite", "less_than_or_equal_to(300)",
                  "a_check_of_a_newer_pandera", "greater_than(0)", "greater_than(0)"],
        "failure_case": ["0.0", huge, None, None, "12", "4300.0", "nan", "400", "y" * 250, None, "-1"],
    })
    cases = pl.concat([cases, cases.reverse(), cases.head(4)])

    one_at_a_time = [_explain_check(failure) for failure in cases.to_dicts()]

    assert _explained_checks(cases).to_list() == one_at_a_time
    assert one_at_a_time[1].startswith("title is 7,500 characters long")
    assert one_at_a_time[8].endswith("y…'") and len(one_at_a_time[8]) < 300
