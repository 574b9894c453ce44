"""Dates of sales as the platforms write them, and periods as the user gives them.

A sale is dated by the calendar day the platform wrote, in the store's own time: `2025-05-11 09:55:16
-0400` is 11 May whatever the offset. Read: ISO dates with or without a time (`2025-07-21`,
`2025-07-21T12:00:00+00:00`), US month/day/year (`7/21/25`, `07/21/2025 09:17`, as Shopify re-saved,
Etsy and WooCommerce write them) and eBay's `Jul-21-25`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

_ISO = r"^(\d{4}-\d{2}-\d{2})"
_US = r"^(\d{1,2}/\d{1,2}/\d{4})\b"
_US_SHORT = r"^(\d{1,2}/\d{1,2}/\d{2})\b"
_MONTH_NAME = r"^([A-Za-z]{3}-\d{1,2}-\d{4})\b"
_MONTH_NAME_SHORT = r"^([A-Za-z]{3}-\d{1,2}-\d{2})\b"


def parse_sale_date(text: pl.Expr) -> pl.Expr:
    """The day a cell names, or null when it names none in a known layout."""
    cell = text.str.strip_chars()
    return pl.coalesce(
        cell.str.extract(_ISO, 1).str.to_date("%Y-%m-%d", strict=False),
        cell.str.extract(_US, 1).str.to_date("%m/%d/%Y", strict=False),
        cell.str.extract(_US_SHORT, 1).str.to_date("%m/%d/%y", strict=False),
        cell.str.extract(_MONTH_NAME, 1).str.to_date("%b-%d-%Y", strict=False),
        cell.str.extract(_MONTH_NAME_SHORT, 1).str.to_date("%b-%d-%y", strict=False),
    )


_PERIOD = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


@dataclass(frozen=True)
class Period:
    """The days a sales report covers, both ends included."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def parse_period(text: str) -> Period:
    """`2025-07-07..2025-07-13` as a Period; a ValueError saying what is wrong otherwise."""
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"period {text!r} is not written as FIRST..LAST with ISO dates, e.g. 2025-07-07..2025-07-13")
    try:
        start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
    except ValueError as error:
        raise ValueError(f"period {text!r}: {error}") from None
    if end < start:
        raise ValueError(f"period {text!r} ends before it starts")
    return Period(start, end)
