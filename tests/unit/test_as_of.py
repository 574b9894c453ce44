"""The run's as-of date and dated windows on configuration blocks (fx, markets, channels)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from xborder_pipeline.as_of import as_of_date, settings_for_run, with_as_of
from xborder_pipeline.config import ConfigError, load_settings
from xborder_pipeline.features import shipping

SETTINGS = load_settings()


def test_the_configured_date_wins_else_today_in_the_schedule_time_zone(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[run]\nas_of = "2026-12-05"\n[schedule]\ntimezone = "Pacific/Kiritimati"\n', encoding="utf-8")
    dated = load_settings(config)
    undated = with_as_of(dated, None).model_copy(update={"run": dated.run.model_copy(update={"as_of": ""})})

    assert as_of_date(dated) == date(2026, 12, 5)
    assert as_of_date(undated) == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()


@pytest.mark.parametrize("bad", ["2026-13-01", "05/12/2026", "2026-2-1", "tomorrow"])
def test_a_bad_as_of_date_is_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        with_as_of(SETTINGS, bad)


def test_a_bad_as_of_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[run]\nas_of = "5 Dec 2026"\n', encoding="utf-8")

    with pytest.raises(ConfigError, match="run.as_of"):
        load_settings(config)


def test_settings_for_run_fixes_the_date_once_and_applies_the_windows_in_force() -> None:
    june = settings_for_run(with_as_of(SETTINGS, "2026-06-30"))
    july = settings_for_run(with_as_of(SETTINGS, "2026-07-01"))
    today = settings_for_run(SETTINGS)

    assert june.run.as_of == "2026-06-30" and july.run.as_of == "2026-07-01"
    assert today.run.as_of == as_of_date(SETTINGS).isoformat()
    assert june.markets["EU"].low_value_duty_per_item == 0.0
    assert july.markets["EU"].low_value_duty_per_item == 3.0
    assert july.windows_in_force(date(2026, 7, 1)) == ["markets.EU:eu_flat_duty_2026"]
    assert settings_for_run(july) == july  # resolving twice changes nothing


def test_the_eu_flat_duty_prices_parcels_from_2026_07_01_only() -> None:
    listing = pl.DataFrame({"price_usd": [20.0], "destination_market": ["EU"]})

    def duty_on(day: str) -> float:
        settings = settings_for_run(with_as_of(SETTINGS, day))
        return listing.select(shipping.duty_usd(settings)).item()

    eur_usd = SETTINGS.fx.usd_per_unit["EUR"]
    assert duty_on("2026-06-30") == 0.0
    assert duty_on("2026-07-01") == pytest.approx(3.0 * eur_usd)
    assert duty_on("2028-06-30") == pytest.approx(3.0 * eur_usd)
    assert duty_on("2028-07-01") == 0.0  # the window's end; what follows it is not in our sources


def test_a_window_on_the_fx_table_and_on_a_channel(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        """
[[fx.windows]]
name = "december_rates"
valid_from = "2026-12-01"
valid_to = "2026-12-31"
source = "test rates"
values = { as_of = "2026-12-01", usd_per_unit = { EUR = 1.2 } }

[[channels.express.windows]]
name = "carrier_peak_2026"
valid_from = "2026-11-15"
source = "test surcharge, open-ended"
values = { oversize_surcharge = 150.0 }
""",
        encoding="utf-8",
    )
    settings = load_settings(config)

    november, december = (settings.on(date(2026, 11, 30)), settings.on(date(2026, 12, 5)))

    assert november.fx.usd_per_unit["EUR"] == SETTINGS.fx.usd_per_unit["EUR"]
    assert (december.fx.usd_per_unit["EUR"], december.fx.as_of) == (1.2, "2026-12-01")
    assert december.fx.usd_per_unit["GBP"] == SETTINGS.fx.usd_per_unit["GBP"]  # the rates it does not give stay
    assert november.channels["express"].oversize_surcharge == 150.0
    assert settings.on(date(2026, 11, 14)).channels["express"].oversize_surcharge == 114.0


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ('values = { low_value_duty = 3.0 }', "sets unknown keys: low_value_duty"),
        ('values = { low_value_duty_per_item = -1.0 }', "greater than or equal to 0"),
        ('valid_to = "2026-01-01"\nvalues = { duty_rate = 0.1 }', "before valid_from"),
    ],
)
def test_a_bad_window_is_refused_with_where_and_why(tmp_path: Path, window: str, expected: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[markets.US.windows]]\nname = "w"\nvalid_from = "2026-07-01"\nsource = "s"\n{window}\n', encoding="utf-8"
    )

    with pytest.raises(ConfigError, match=expected):
        load_settings(config)


def test_the_postal_channel_is_marked_as_a_proxy_with_a_note() -> None:
    postal = SETTINGS.channels["postal_small_packet"]

    assert postal.is_proxy and "2020" in postal.proxy_note
    assert not SETTINGS.channels["express"].is_proxy


def test_a_proxy_channel_without_a_note_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[channels.express]\nis_proxy = true\n', encoding="utf-8")

    with pytest.raises(ConfigError, match="proxy_note"):
        load_settings(config)


def test_the_config_hash_ignores_the_date_but_not_the_windows_in_force() -> None:
    def hash_on(day: str) -> str:
        return settings_for_run(with_as_of(SETTINGS, day)).config_hash()

    assert hash_on("2026-12-05") == hash_on("2026-12-06")  # nightly runs keep one hash
    assert hash_on("2026-06-30") != hash_on("2026-07-01")  # the EU flat duty starts
