"""Exchange rates from a rates file: the ECB's euro reference rates (or a currency,usd_per_unit CSV) read into
the project's US-dollars-per-unit table and written as the `[fx]` part of a config file merged over the defaults.

The ECB quotes units of each currency per euro; the table holds US dollars per unit, so for a currency X
    usd_per_unit[X] = (USD per EUR) / (X per EUR),  usd_per_unit[EUR] = USD per EUR,  usd_per_unit[USD] = 1.
A rate the file lacks is never made up: the packaged (or already configured) rate stays, with its own date.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xborder_pipeline.config import ConfigError, FxTable, load_settings

ECB_PAGE = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"
BLOCK_START = "# >>> xborder fx update"
BLOCK_END = "# <<< xborder fx update"
SIGNIFICANT_DIGITS = 6  # the ECB publishes 4-6 significant digits; more would be false precision

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"),
        start=1,
    )
}
_NOT_QUOTED = {"", "N/A"}  # the ECB history leaves a currency it did not quote that day as N/A


class RatesFileError(ValueError):
    """A rates file cannot be read; the message names the file, line and column."""


@dataclass(frozen=True)
class RatesFile:
    """The rates a file gives, already as US dollars per unit, each with the date it was fixed."""

    path: Path
    layout: str  # how the file was read, in words
    as_of: str  # ISO date of the newest rate
    usd_per_unit: dict[str, float]
    rate_dates: dict[str, str]

    @property
    def source(self) -> str:
        if self.layout.startswith("ECB"):
            return f"{self.layout} of {self.as_of} ({ECB_PAGE}), read from {self.path.name} by `xborder fx update`"
        return f"{self.layout}, read from {self.path.name} by `xborder fx update`"


def usd_per_unit_from_euro_rates(units_per_eur: dict[str, float]) -> dict[str, float]:
    """ECB-style rates (units of each currency per euro) as US dollars per unit of each currency."""
    if "USD" not in units_per_eur:
        raise ValueError("the rates have no USD per EUR, so none can be turned into US dollars")
    usd_per_eur = units_per_eur["USD"]
    rates = {currency: usd_per_eur / units for currency, units in units_per_eur.items()}
    rates.update(USD=1.0, EUR=usd_per_eur)
    return {currency: _rounded(rate) for currency, rate in sorted(rates.items())}


def read_rates_file(path: Path, as_of: str | None = None) -> RatesFile:
    """The rates in an ECB eurofxref.csv / eurofxref-hist.csv (or their .zip), or a currency,usd_per_unit CSV.

    `as_of` dates a two-column file that has no as_of column; ECB files carry their own dates.
    """
    text, name = _read_text(path)
    rows = list(_numbered_rows(text))
    if not rows:
        raise RatesFileError(
            f"{name} is empty: expected the ECB header 'Date, USD, JPY, ...' or 'currency,usd_per_unit'"
        )
    header_line, header = rows[0]
    first = header[0].strip().lower() if header else ""
    if first == "date":
        return _read_ecb(path, name, header_line, header, rows[1:])
    if first == "currency":
        return _read_usd_per_unit(path, name, header_line, header, rows[1:], as_of)
    raise RatesFileError(
        f"{name}, line {header_line}: not a rates file I know: the header must start with 'Date' (the ECB's "
        f"eurofxref.csv or eurofxref-hist.csv) or be 'currency,usd_per_unit[,as_of]'; it starts {header[:3]}"
    )


def _read_text(path: Path) -> tuple[str, str]:
    """The file's text and the name to quote in messages (a .zip from the ECB holds one CSV)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [member for member in archive.namelist() if member.lower().endswith(".csv")]
                if len(members) != 1:
                    raise RatesFileError(f"{path} must hold exactly one .csv file, it holds {members or 'none'}")
                return archive.read(members[0]).decode("utf-8-sig"), f"{path}:{members[0]}"
        return path.read_text(encoding="utf-8-sig"), str(path)
    except FileNotFoundError:
        raise RatesFileError(f"no such file: {path}") from None
    except UnicodeDecodeError as error:
        raise RatesFileError(f"{path} is not UTF-8 text: {error}") from None
    except (OSError, zipfile.BadZipFile) as error:
        raise RatesFileError(f"cannot read {path}: {error}") from None


def _numbered_rows(text: str):
    """(line number, cells) for every non-blank line; cells stripped, a trailing empty cell dropped."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    for cells in reader:
        cells = [cell.strip() for cell in cells]
        while cells and cells[-1] == "":
            cells.pop()  # the ECB ends every line with ", "
        if cells:
            yield reader.line_num, cells


def _read_ecb(path: Path, name: str, header_line: int, header: list[str], rows) -> RatesFile:
    currencies = [cell.upper() for cell in header[1:]]
    for column, currency in enumerate(currencies, start=2):
        if not _CURRENCY_CODE.fullmatch(currency):
            raise RatesFileError(f"{name}, line {header_line}, column {column}: {currency!r} is not a currency code")
    duplicated = sorted({currency for currency in currencies if currencies.count(currency) > 1})
    if duplicated:
        raise RatesFileError(f"{name}, line {header_line}: currencies named twice: {', '.join(duplicated)}")
    if not rows:
        raise RatesFileError(f"{name} has a header but no rates")
    dated = [(_ecb_date(cells[0], name, line), line, cells) for line, cells in rows]
    day, line, cells = max(dated, key=lambda item: item[0])  # the history is newest first, but do not rely on it
    if len(cells) > len(header):
        raise RatesFileError(f"{name}, line {line}: {len(cells)} values for {len(header)} columns in the header")
    units_per_eur: dict[str, float] = {}
    for column, (currency, cell) in enumerate(zip(currencies, cells[1:], strict=False), start=2):
        if cell.upper() in _NOT_QUOTED:
            continue
        units_per_eur[currency] = _positive_number(cell, f"{name}, line {line}, column {column} ({currency})",
                                                   f"{currency} per euro")
    if "USD" not in units_per_eur:
        raise RatesFileError(f"{name}, line {line}: no USD rate on {day}, so no rate can be turned into US dollars")
    layout = "ECB euro reference rates" if len(rows) == 1 else f"ECB euro reference rates (newest of {len(rows)} days)"
    rates = usd_per_unit_from_euro_rates(units_per_eur)
    return RatesFile(path, layout, day.isoformat(), rates, dict.fromkeys(rates, day.isoformat()))


def _ecb_date(cell: str, name: str, line: int) -> date:
    """'04 December 2026' (the daily file) or '2026-12-04' (the history)."""
    try:
        return date.fromisoformat(cell)
    except ValueError:
        pass
    parts = cell.split()
    if len(parts) == 3 and parts[1].lower() in _MONTHS and parts[0].isdigit() and parts[2].isdigit():
        try:
            return date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    raise RatesFileError(f"{name}, line {line}, column 1 (Date): {cell!r} is not a date like '04 December 2026' "
                         "or 2026-12-04")


def _read_usd_per_unit(
    path: Path, name: str, header_line: int, header: list[str], rows, as_of: str | None
) -> RatesFile:
    columns = [cell.lower() for cell in header]
    if columns not in (["currency", "usd_per_unit"], ["currency", "usd_per_unit", "as_of"]):
        raise RatesFileError(f"{name}, line {header_line}: the header must be 'currency,usd_per_unit' or "
                             f"'currency,usd_per_unit,as_of', not {','.join(header)!r}")
    if len(columns) == 2:
        if as_of is None:
            raise RatesFileError(f"{name} has no as_of column: say the date the rates were read with --as-of "
                                 "YYYY-MM-DD (or add an as_of column)")
        as_of = _iso_date(as_of, "--as-of")
    rates: dict[str, float] = {}
    dates: dict[str, str] = {}
    for line, cells in rows:
        where = f"{name}, line {line}"
        if len(cells) != len(columns):
            raise RatesFileError(f"{where}: {len(cells)} values for the {len(columns)} columns {','.join(columns)}")
        currency = cells[0].upper()
        if not _CURRENCY_CODE.fullmatch(currency):
            raise RatesFileError(f"{where}, column 1 (currency): {cells[0]!r} is not a three-letter currency code")
        if currency in rates:
            raise RatesFileError(f"{where}, column 1 (currency): {currency} is listed twice")
        rates[currency] = _rounded(_positive_number(cells[1], f"{where}, column 2 (usd_per_unit)",
                                                    f"US dollars per {currency}"))
        dates[currency] = _iso_date(cells[2], f"{where}, column 3 (as_of)") if len(cells) == 3 else str(as_of)
    if not rates:
        raise RatesFileError(f"{name} has a header but no rates")
    if rates.get("USD", 1.0) != 1.0:
        raise RatesFileError(f"{name}: USD must be 1.0 in a table of US dollars per unit, not {rates['USD']}")
    return RatesFile(path, "US dollars per unit (currency,usd_per_unit CSV)", max(dates.values()), rates, dates)


def _positive_number(cell: str, where: str, meaning: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise RatesFileError(f"{where}: {cell!r} is not a number (expected {meaning})") from None
    if not (math.isfinite(value) and value > 0):
        raise RatesFileError(f"{where}: {cell!r} is not a rate (expected a positive number of {meaning})")
    return value


def _iso_date(text: str, where: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise RatesFileError(f"{where}: {text!r} is not a date YYYY-MM-DD") from None


def _rounded(rate: float) -> float:
    return float(f"{rate:.{SIGNIFICANT_DIGITS}g}")


def fx_config_block(rates: RatesFile, written_on: date) -> str:
    """The `[fx]` tables for a config file: the file's rates, dates and source, between marker comments."""
    source = (
        f"{rates.source} on {written_on.isoformat()}. Currencies the file lacks keep the packaged rates; "
        "fx.rate_dates and fx.rate_sources say, per currency, which rate comes from where."
    )
    lines = [
        f"{BLOCK_START} (written {written_on.isoformat()} from {rates.path.name}; run it again to refresh, "
        "do not edit between these markers)",
        "[fx]",
        f"as_of = {_toml_string(rates.as_of)}",
        f"source = {_toml_string(source)}",
        "",
        "[fx.usd_per_unit]",
        *(f"{currency} = {rate!r}" for currency, rate in rates.usd_per_unit.items()),
        "",
        "[fx.rate_dates]",
        *(f"{currency} = {_toml_string(day)}" for currency, day in rates.rate_dates.items()),
        "",
        "[fx.rate_sources]",
        *(f"{currency} = {_toml_string(f'{rates.layout}, {rates.path.name}')}" for currency in rates.usd_per_unit),
        BLOCK_END,
    ]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def config_with_fx_block(existing: str | None, block: str, out: Path) -> str:
    """The text of `out` with its `xborder fx update` block replaced, or the block appended to it."""
    if existing is None or not existing.strip():
        return block
    if BLOCK_START in existing:
        start = existing.index(BLOCK_START)
        end = existing.find(BLOCK_END, start)
        if end < 0:
            raise RatesFileError(
                f"{out} has the line '{BLOCK_START}' but not '{BLOCK_END}': mend it or use another --out"
            )
        end = existing.find("\n", end)
        return existing[:start] + block + ("" if end < 0 else existing[end + 1 :])
    try:
        settings = tomllib.loads(existing)
    except tomllib.TOMLDecodeError as error:
        raise RatesFileError(f"{out} is not valid TOML ({error}); fix it or use another --out") from None
    if "fx" in settings:
        raise RatesFileError(f"{out} already sets fx keys by hand; remove them (xborder fx update writes its own) "
                             "or use another --out")
    return existing.rstrip("\n") + "\n\n" + block


def write_fx_config(rates: RatesFile, out: Path, written_on: date) -> FxTable:
    """Write the rates into `out` (created, or its fx block replaced) and return the FX table it now gives.

    The new text is checked with load_settings before it replaces the file, so a failure leaves `out` as it was.
    """
    existing = out.read_text(encoding="utf-8") if out.is_file() else None
    text = config_with_fx_block(existing, fx_config_block(rates, written_on), out)
    draft = out.with_name(f".{out.name}.fx-update")
    draft.write_text(text, encoding="utf-8")
    try:
        fx = load_settings(draft).fx
        os.replace(draft, out)
    except ConfigError as error:
        raise RatesFileError(f"the rates would make {out} an invalid configuration: {error}") from None
    finally:
        draft.unlink(missing_ok=True)
    return fx


def describe(fx: FxTable) -> list[str]:
    """A few lines on the table's date and sources: how many rates of each date, and the overall source."""
    by_date: dict[str, list[str]] = {}
    for currency in sorted(fx.usd_per_unit):
        by_date.setdefault(fx.date_of(currency), []).append(currency)
    lines = [f"fx.as_of = {fx.as_of} ({len(fx.usd_per_unit)} currencies)"]
    for day, currencies in sorted(by_date.items(), reverse=True):
        lines.append(f"fx rates dated {day}: {len(currencies)} ({' '.join(currencies)})")
    lines.append(f"fx.source = {' '.join(fx.source.split())}")
    return lines
