"""Reading cell text: numbers with signs, separators and ranges; units; HTML; currencies."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xborder_pipeline.ingest.text import (
    cell_currency,
    column_uses_decimal_comma,
    count_text,
    measure_text,
    plain_text,
    price_text,
)
from xborder_pipeline.ingest.units import currency_code, header_unit, length_unit, weight_unit


def _apply(expr_of, values: list[str | None], **kwargs: object) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(expr_of(pl.col("v"), **kwargs)).to_series().to_list()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12.5", "12.5"),
        ("$1,299.99", "1299.99"),
        ("US $12", "12"),
        ("1.234,56 €", "1234.56"),
        ("EUR 1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1'234.50", "1234.5"),
        ("12,5", "12.5"),
        ("0,068", "0.068"),
        ("1,234", "1234"),
        ("1.234.567", "1234567"),
        (".5", "0.5"),
        ("12.50USD", "12.5"),
        ("12元", "12"),
        ("RMB 45", "45"),
        ("12.69||151.5", "12.69"),
        ("US $1.20 - 2.50", "1.2"),
        ("3~1", "1"),
        ("10至20", "10"),
        ("call us", "call us"),
        ("europe 5", "europe 5"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_prices_are_read_whatever_their_notation(cell: str | None, expected: str | None) -> None:
    assert _apply(price_text, [cell]) == [expected]


def test_a_column_with_decimal_commas_reads_every_comma_as_decimal() -> None:
    frame = pl.DataFrame({"p": ["1,234", "12,5"]})

    assert column_uses_decimal_comma(frame, "p")
    assert _apply(price_text, ["1,234", "1.234"], decimal_comma=True) == ["1.234", "1234"]
    assert not column_uses_decimal_comma(pl.DataFrame({"p": ["1,234", "12.50"]}), "p")


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_english_and_european_notations_read_to_the_same_number(amount) -> None:
    english = f"{amount:,.2f}"
    european = english.replace(",", "_").replace(".", ",").replace("_", ".")

    read = _apply(price_text, [english, european + " €"])

    assert [float(value) for value in read] == pytest.approx([float(amount)] * 2)


@pytest.mark.parametrize(
    ("cell", "unit", "kind", "expected"),
    [
        ("1", "lb", "weight", "0.453592"),
        ("16", "oz", "weight", "0.453592"),
        ("350", "g", "weight", "0.35"),
        ("2", "kg", "weight", "2"),
        ("12 oz", "g", "weight", "0.340194"),
        ("1.5kg", None, "weight", "1.5"),
        ("0,75", "kg", "weight", "0.75"),
        ("10", "in", "length", "25.4"),
        ("250", "mm", "length", "25"),
        ("1.2", "m", "length", "120"),
        ("30cm", None, "length", "30"),
        ("0", "g", "weight", "0"),
        ("heavy", "kg", "weight", "heavy"),
        ("3 stone", "kg", "weight", "3 stone"),
        ("1.5", None, "weight", "1.5 (no unit given)"),
        ("", "kg", "weight", None),
    ],
)
def test_measures_are_converted_to_kg_and_cm(cell: str, unit: str | None, kind: str, expected: str | None) -> None:
    frame = pl.DataFrame({"v": [cell], "u": [unit]}, schema={"v": pl.String, "u": pl.String})

    result = frame.select(measure_text(pl.col("v"), pl.col("u"), kind, decimal_comma=True)).item()

    assert result == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,000 pcs", "1000"), ("≥100件", "100"), ("2 pieces", "2"), ("10.0", "10"), ("100-499", "100"), ("lots", "lots")],
)
def test_quantities_may_carry_unit_words(cell: str, expected: str) -> None:
    assert _apply(count_text, [cell]) == [expected]


def test_html_becomes_plain_text() -> None:
    cells = [
        "Zero Tolerance <b>Pest Control</b> gal",
        "<p>A&amp;B</p><p>line two &#8217;s &nbsp;x &eacute;</p>",
        "<script>alert(1)</script>Safe <!-- note -->text",
        "a < b and c > d",
        "   ",
        None,
    ]

    assert _apply(plain_text, cells) == [
        "Zero Tolerance Pest Control gal",
        "A&B\n\nline two ’s x é",
        "Safe text",
        "a < b and c > d",
        None,
        None,
    ]
    assert _apply(plain_text, ["<p>one</p><p>two</p>"], single_line=True) == ["one two"]


def test_currencies_named_in_a_price_cell() -> None:
    assert _apply(cell_currency, ["12 €", "US $5", "£3", "45元", "RMB 45", "$5", "¥5", "12", "europe"]) == [
        "EUR", "USD", "GBP", "CNY", "CNY", None, None, None, None,
    ]


def test_unit_names_and_header_units() -> None:
    assert [weight_unit(name) for name in ("lbs", "Pounds", "GR", "克", "千克", "kgs.", "stone")] == [
        "lb", "lb", "g", "g", "kg", "kg", None,
    ]
    assert [length_unit(name) for name in ("Inches", "CM", "毫米", '"', "yd")] == ["in", "cm", "mm", "in", "yd"]
    assert header_unit("Weight (lbs)") == "lbs"
    assert header_unit("重量（克）") == "克"
    assert header_unit("Weight") is None
    assert currency_code("元") == "CNY"
    assert currency_code("usd") == "USD"
