"""Exchange rates: the packaged table, ECB files read and converted, and the config file `xborder fx update` writes."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from xborder_pipeline.config import UNDATED, load_settings
from xborder_pipeline.fx import (
    BLOCK_START,
    RatesFileError,
    read_rates_file,
    usd_per_unit_from_euro_rates,
    write_fx_config,
)

# The ECB's daily file as published: a header of currency codes, one row, every line ending in ", ".
ECB_DAILY = (
    "Date, USD, JPY, CZK, GBP, PLN, SEK, BRL, MXN, \n"
    "04 December 2026, 1.1000, 165.00, 24.500, 0.8800, 4.2500, 11.000, 6.3000, 21.000, \n"
)
# The history: ISO dates, newest first, N/A where a currency was not quoted that day.
ECB_HISTORY = (
    "Date,USD,JPY,BGN,GBP,SEK,\n"
    "2026-12-04,1.1000,165.00,N/A,0.8800,11.000,\n"
    "2026-12-03,1.0800,160.00,N/A,0.8500,10.500,\n"
    "2025-12-31,1.1700,180.00,1.9558,0.8700,10.800,\n"
)
WRITTEN_ON = date(2026, 12, 6)

# The currencies of the ECB's euro reference rates (BGN left them when Bulgaria adopted the euro in 2026).
ECB_CURRENCIES = (
    "USD JPY CZK DKK GBP HUF PLN RON SEK CHF ISK NOK TRY AUD BRL CAD CNY HKD IDR ILS INR KRW MXN MYR NZD PHP SGD THB "
    "ZAR"
).split()


def _file(tmp_path: Path, text: str, name: str = "eurofxref.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the packaged table -------------------------------------------------------------------------------------------


def test_the_packaged_table_covers_the_ecb_list_and_the_marketplace_currencies() -> None:
    fx = load_settings().fx

    for currency in [*ECB_CURRENCIES, "EUR", "TWD", "AED", "SAR", "VND", "CLP", "COP", "PEN", "EGP", "NGN", "PKR"]:
        assert currency in fx.usd_per_unit, currency


def test_every_packaged_rate_has_its_own_date_and_source() -> None:
    fx = load_settings().fx

    assert set(fx.rate_dates) == set(fx.rate_sources) == set(fx.usd_per_unit)
    assert all(source.strip() for source in fx.rate_sources.values())
    # The ECB's currencies share the table's date; a rate from elsewhere may be older, never newer.
    assert {fx.date_of(currency) for currency in [*ECB_CURRENCIES, "EUR"]} == {fx.as_of}
    assert max(fx.rate_dates.values()) == fx.as_of
    assert all("ECB" in fx.source_of(currency) for currency in [*ECB_CURRENCIES, "EUR"] if currency != "USD")


def test_pegged_currencies_hold_their_pegs_and_cross_rates_agree() -> None:
    fx = load_settings().fx.usd_per_unit

    assert 1 / fx["AED"] == pytest.approx(3.6725, rel=1e-5)
    assert 1 / fx["SAR"] == pytest.approx(3.75, rel=1e-5)
    assert 7.75 <= 1 / fx["HKD"] <= 7.85  # the HKMA's band
    assert fx["EUR"] / fx["BGN"] == pytest.approx(1.95583, rel=1e-5)  # the euro conversion rate
    assert fx["EUR"] / fx["SEK"] == pytest.approx(10.978, rel=1e-5)  # the ECB's 10.9780 SEK per EUR of the table's day
    assert fx["EUR"] / fx["GBP"] == pytest.approx(0.8338, rel=1e-5)


# --- the conversion -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "usd_per_unit"),
    [
        ("USD", 1.0),
        ("EUR", 1.1),  # 1.10 USD per EUR
        ("GBP", 1.25),  # 1.10 USD / 0.88 GBP
        ("JPY", 1.1 / 165),
        ("SEK", 0.1),  # 1.10 USD / 11 SEK
    ],
)
def test_euro_rates_become_us_dollars_per_unit(currency: str, usd_per_unit: float) -> None:
    rates = usd_per_unit_from_euro_rates({"USD": 1.1, "GBP": 0.88, "JPY": 165.0, "SEK": 11.0})

    assert rates[currency] == pytest.approx(usd_per_unit, rel=1e-5)


def test_a_price_converts_through_euros_as_the_ecb_cross_rate_does() -> None:
    rates = usd_per_unit_from_euro_rates({"USD": 1.1, "GBP": 0.88, "JPY": 165.0})

    # 1 GBP = 165 / 0.88 JPY by the ECB's cross rate; both sides in USD must agree.
    assert rates["GBP"] == pytest.approx(165 / 0.88 * rates["JPY"], rel=1e-5)


def test_without_a_usd_rate_nothing_converts() -> None:
    with pytest.raises(ValueError, match="no USD"):
        usd_per_unit_from_euro_rates({"GBP": 0.88})


# --- reading files ------------------------------------------------------------------------------------------------


def test_the_ecb_daily_file_is_read_with_its_date(tmp_path: Path) -> None:
    rates = read_rates_file(_file(tmp_path, ECB_DAILY))

    assert rates.as_of == "2026-12-04"
    assert rates.usd_per_unit["GBP"] == 1.25
    assert rates.usd_per_unit["PLN"] == pytest.approx(1.1 / 4.25, rel=1e-5)
    assert set(rates.usd_per_unit) == {"USD", "EUR", "JPY", "CZK", "GBP", "PLN", "SEK", "BRL", "MXN"}
    assert set(rates.rate_dates.values()) == {"2026-12-04"}
    assert "ECB" in rates.source and "eurofxref.csv" in rates.source


def test_the_history_gives_its_newest_day_and_skips_what_was_not_quoted(tmp_path: Path) -> None:
    shuffled = ECB_HISTORY.splitlines()
    text = "\n".join([shuffled[0], shuffled[3], shuffled[1], shuffled[2]]) + "\n"  # newest not first

    rates = read_rates_file(_file(tmp_path, text, "eurofxref-hist.csv"))

    assert rates.as_of == "2026-12-04"
    assert rates.usd_per_unit["GBP"] == 1.25
    assert "BGN" not in rates.usd_per_unit  # N/A that day: the rate is not invented


def test_the_ecb_zip_is_read_as_the_csv_inside(tmp_path: Path) -> None:
    archive = tmp_path / "eurofxref.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("eurofxref.csv", ECB_DAILY)

    assert read_rates_file(archive).usd_per_unit["GBP"] == 1.25


def test_a_usd_per_unit_csv_is_read_with_its_dates(tmp_path: Path) -> None:
    path = _file(tmp_path, "currency,usd_per_unit,as_of\nsek,0.095,2026-11-30\nTWD,0.031,2026-12-01\n", "mine.csv")

    rates = read_rates_file(path)

    assert rates.usd_per_unit == {"SEK": 0.095, "TWD": 0.031}
    assert rates.rate_dates == {"SEK": "2026-11-30", "TWD": "2026-12-01"}
    assert rates.as_of == "2026-12-01"


def test_a_usd_per_unit_csv_without_dates_needs_as_of(tmp_path: Path) -> None:
    path = _file(tmp_path, "currency,usd_per_unit\nSEK,0.095\n", "mine.csv")

    with pytest.raises(RatesFileError, match="--as-of"):
        read_rates_file(path)
    assert read_rates_file(path, as_of="2026-12-02").rate_dates == {"SEK": "2026-12-02"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("Datum;USD\n", "not a rates file"),
        ("Date, USD, GBP, \n04 December 2026, 1.1, abc, \n", "line 2, column 3 (GBP): 'abc' is not a number"),
        ("Date, USD, GBP, \n04 December 2026, 1.1, -0.88, \n", "line 2, column 3 (GBP): '-0.88' is not a rate"),
        ("Date, USD, GBP, \n31 Brumaire 2026, 1.1, 0.88, \n", "line 2, column 1 (Date)"),
        ("Date, USD, GBP, \n04 December 2026, 1.1, 0.88, 7.0, \n", "line 2: 4 values for 3 columns"),
        ("Date, USD, GB, \n04 December 2026, 1.1, 0.88, \n", "line 1, column 3: 'GB' is not a currency code"),
        ("Date, USD, GBP, GBP, \n04 December 2026, 1.1, 0.88, 0.88, \n", "named twice: GBP"),
        ("Date, GBP, \n04 December 2026, 0.88, \n", "no USD rate"),
        ("Date, USD, GBP, \n", "no rates"),
        ("currency,usd_per_unit,as_of\nSEK,0.095,2026-13-01\n", "line 2, column 3 (as_of)"),
        ("currency,usd_per_unit,as_of\nSEK,0.095,2026-12-01\nsek,0.1,2026-12-01\n", "line 3, column 1 (currency)"),
        ("currency,usd_per_unit,as_of\nSEK,,2026-12-01\n", "line 2, column 2 (usd_per_unit)"),
        ("currency,usd_per_unit,as_of\nUSD,1.1,2026-12-01\n", "USD must be 1.0"),
        ("currency,rate\nSEK,0.095\n", "the header must be"),
    ],
)
def test_malformed_files_are_refused_naming_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    path = _file(tmp_path, text, "rates.csv")

    with pytest.raises(RatesFileError) as error:
        read_rates_file(path)

    assert expected in str(error.value)
    assert "rates.csv" in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RatesFileError, match="no such file"):
        read_rates_file(tmp_path / "nope.csv")


# --- the config file ----------------------------------------------------------------------------------------------


def test_the_written_config_is_merged_over_the_defaults(tmp_path: Path) -> None:
    out = tmp_path / "xborder.toml"
    write_fx_config(read_rates_file(_file(tmp_path, ECB_DAILY)), out, WRITTEN_ON)

    fx = load_settings(out).fx

    assert fx.as_of == "2026-12-04"
    assert "eurofxref.csv" in fx.source
    assert fx.usd_per_unit["GBP"] == 1.25
    assert fx.date_of("GBP") == "2026-12-04" and "eurofxref.csv" in fx.source_of("GBP")
    defaults = load_settings().fx
    # What the file lacks keeps its packaged rate, date and source.
    for currency in ("AED", "TWD", "CNY"):
        assert fx.usd_per_unit[currency] == defaults.usd_per_unit[currency]
        assert fx.date_of(currency) == defaults.date_of(currency) < "2026-12-04"
        assert fx.source_of(currency) == defaults.source_of(currency)


def test_an_update_keeps_the_rest_of_a_config_and_replaces_its_own_block(tmp_path: Path) -> None:
    out = tmp_path / "mine.toml"
    out.write_text("# my settings\n[run]\nmax_reject_share = 0.05\n", encoding="utf-8")

    write_fx_config(read_rates_file(_file(tmp_path, ECB_DAILY)), out, WRITTEN_ON)
    newer = ECB_DAILY.replace("04 December 2026", "05 December 2026").replace("0.8800", "0.8000")
    write_fx_config(read_rates_file(_file(tmp_path, newer, "newer.csv")), out, WRITTEN_ON)

    text = out.read_text(encoding="utf-8")
    assert text.startswith("# my settings\n[run]\nmax_reject_share = 0.05\n")
    assert text.count(BLOCK_START) == 1
    settings = load_settings(out)
    assert settings.run.max_reject_share == 0.05
    assert settings.fx.as_of == "2026-12-05"
    assert settings.fx.usd_per_unit["GBP"] == pytest.approx(1.375)


def test_a_config_with_hand_written_rates_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine.toml"
    original = "[fx.usd_per_unit]\nSEK = 0.095\n"
    out.write_text(original, encoding="utf-8")

    with pytest.raises(RatesFileError, match="already sets fx keys"):
        write_fx_config(read_rates_file(_file(tmp_path, ECB_DAILY)), out, WRITTEN_ON)
    assert out.read_text(encoding="utf-8") == original


def test_a_rate_given_by_hand_is_dated_by_its_file_not_the_defaults(tmp_path: Path) -> None:
    undated = tmp_path / "undated.toml"
    undated.write_text("[fx.usd_per_unit]\nSEK = 0.095\n", encoding="utf-8")
    dated = tmp_path / "dated.toml"
    dated.write_text('[fx]\nas_of = "2026-11-02"\nsource = "my bank"\n[fx.usd_per_unit]\nSEK = 0.095\n', "utf-8")

    assert load_settings(undated).fx.date_of("SEK") == UNDATED
    assert "undated.toml" in load_settings(undated).fx.source_of("SEK")
    assert load_settings(dated).fx.date_of("SEK") == "2026-11-02"
    assert load_settings(dated).fx.source_of("SEK") == "my bank (dated.toml)"
    assert load_settings(dated).fx.date_of("NOK") == load_settings().fx.date_of("NOK")
