"""Trade-model fit per listing: b2b where it sells wholesale, b2b_ready at steady volume, else b2c."""

from __future__ import annotations

import pytest

from tests.helpers import scored


@pytest.mark.parametrize(
    ("overrides", "hint", "reason"),
    [
        ({"moq": 50}, "b2b", "TRADE_WHOLESALE_MOQ"),
        ({"marketplace": "alibaba", "moq": None}, "b2b", "TRADE_WHOLESALE_MARKETPLACE"),
        ({"monthly_units_sold": 400.0, "stock_qty": 800}, "b2b_ready", "TRADE_STEADY_VOLUME"),
        ({"monthly_units_sold": 400.0, "stock_qty": 5000}, "b2c", "TRADE_START_B2C"),  # slow sell-through
        ({"monthly_units_sold": 120.0, "stock_qty": 100}, "b2c", "TRADE_START_B2C"),
        ({"monthly_units_sold": None, "moq": 1}, "b2c", "TRADE_START_B2C"),
    ],
)
def test_trade_model_follows_its_signals(settings, overrides, hint, reason) -> None:
    row = scored(settings, overrides).row(0, named=True)

    assert row["trade_model_hint"] == hint
    assert reason in row["trade_model_reasons"]


def test_thresholds_come_from_configuration(tmp_path) -> None:
    from xborder_pipeline.config import load_settings

    config = tmp_path / "trade.toml"
    config.write_text("[trade_model]\nb2b_min_moq = 100\n", encoding="utf-8")
    strict = load_settings(config)

    assert scored(strict, {"moq": 50}).row(0, named=True)["trade_model_hint"] == "b2c"
