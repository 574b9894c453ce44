"""Configuration: defaults load, a user file overrides only what it names, mistakes are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from xborder_pipeline.config import ConfigError, load_settings


def test_defaults_load_and_every_channel_names_its_source() -> None:
    settings = load_settings()

    assert settings.postal.max_weight_kg == 2.0
    assert settings.channels["express"].volumetric_divisor_cm3_per_kg == 5000
    assert set(settings.markets) == {"US", "EU", "GB"}
    assert all(market.source for market in settings.markets.values())
    assert all(channel.source for channel in settings.channels.values())
    assert settings.fx.as_of and settings.fx.source


def test_user_file_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text("[postal]\nmax_weight_kg = 3.0\n[fx.usd_per_unit]\nSEK = 0.095\n", encoding="utf-8")

    settings = load_settings(user)

    assert settings.postal.max_weight_kg == 3.0
    assert settings.postal.max_sum_of_sides_cm == 90.0
    assert settings.fx.usd_per_unit["SEK"] == 0.095
    assert settings.fx.usd_per_unit["USD"] == 1.0


def test_config_hash_changes_with_any_setting(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text("[scoring]\nsuitable_min_score = 75.0\n", encoding="utf-8")

    assert load_settings().config_hash() == load_settings().config_hash()
    assert load_settings(user).config_hash() != load_settings().config_hash()


def test_environment_variable_names_the_user_file(tmp_path: Path, monkeypatch) -> None:
    user = tmp_path / "env.toml"
    user.write_text("[run]\nmax_reject_share = 0.5\n", encoding="utf-8")
    monkeypatch.setenv("XBORDER_CONFIG", str(user))

    assert load_settings().run.max_reject_share == 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[postal]\nmax_weight_kgs = 3\n", "postal.max_weight_kgs"),
        ("[postal]\nmax_weight_kg = -1\n", "postal.max_weight_kg"),
        ("[channels.express]\nrefuses = ['pigeons']\n", "pigeons"),
        ("[channels.special_line_sensitive]\nrates_from = 'pigeon_post'\n", "rates_from"),
        ("[scoring.penalties]\nMADE_UP = 5\n", "MADE_UP"),
        ("[scoring]\nsuitable_min_score = 10.0\n", "marginal_min_score"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why(tmp_path: Path, text: str, expected: str) -> None:
    user = tmp_path / "bad.toml"
    user.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError, match=expected):
        load_settings(user)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_a_channel_borrowing_rates_adds_its_surcharge() -> None:
    settings = load_settings()
    general = settings.channel_rates("special_line_general")["US"][0]
    sensitive = settings.channel_rates("special_line_sensitive")["US"][0]

    assert sensitive.per_kg == general.per_kg * 1.15
    assert sensitive.per_parcel == general.per_parcel + 1.0
