"""Every dated fact the configuration prices with, one row each: which card, which window, its dates and source.

`xborder config show` prints these rows first, so a reader sees what a run on a given date would use: the FBA card's
own (non-peak) fees and each peak window, the fuel surcharge, the fees on top (overmax handling, bulky packaging, with
"not yet" where no amount is sourced), the FX table, every dated window on fx, markets and channels, and the channels
whose figures are a proxy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xborder_pipeline.config import DatedValues, Settings
from xborder_pipeline.features.fba import FbaCard


def card_windows(settings: Settings, card: FbaCard, day: date) -> list[dict[str, Any]]:
    """One row per card or window: card, window, valid_from, valid_to, in_force (on `day`), status, source."""
    own_in_force = card.effective_from <= day <= card.effective_to and card.window_on(day) is None
    rows = [
        _row(card.id, card.base_window, card.effective_from, card.effective_to, own_in_force, "priced", card.source),
    ]
    rows += [
        _row(card.id, window.name, window.valid_from, window.valid_to, window.applies_on(day), "priced", window.source)
        for window in card.peak
    ]
    fuel = card.fuel_surcharge
    rows.append(
        _row(card.id, "fuel_surcharge", fuel.effective_from, None, day >= fuel.effective_from, "priced", fuel.source)
    )
    for name, extra in (("overmax_handling", card.overmax_handling), ("bulky_packaging", card.bulky_packaging)):
        if extra is not None:
            status = "priced" if extra.priced else "not_yet"
            rows.append(_row(card.id, name, extra.effective_from, None, day >= extra.effective_from, status,
                             extra.source))
    rows.append(_row("fx", "as_of", settings.fx.as_of, None, True, "priced", settings.fx.source))
    rows += _windows("fx", settings.fx.windows, day)
    for name, market in settings.markets.items():
        rows += _windows(f"markets.{name}", market.windows, day)
    for name, channel in settings.channels.items():
        rows += _windows(f"channels.{name}", channel.windows, day)
        if channel.is_proxy:
            rows.append(_row(f"channels.{name}", "rates", None, None, True, "proxy", channel.proxy_note))
    return rows


def _windows(block: str, windows: list[DatedValues], day: date) -> list[dict[str, Any]]:
    return [
        _row(block, window.name, window.valid_from, window.valid_to, window.applies_on(day), "priced", window.source)
        for window in windows
    ]


def _row(
    card: str, window: str, valid_from: date | str | None, valid_to: date | None, in_force: bool, status: str,
    source: str,
) -> dict[str, Any]:
    return {
        "card": card,
        "window": window,
        "valid_from": str(valid_from) if valid_from is not None else None,
        "valid_to": str(valid_to) if valid_to is not None else None,
        "in_force": in_force,
        "status": status,
        "source": " ".join(source.split()),
    }
