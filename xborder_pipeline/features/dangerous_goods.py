"""Dangerous and sensitive goods, as forwarders class them, from the listing's own words."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import DangerousGoodsSettings, KeywordList
from xborder_pipeline.features.keywords import listing_text, mentions_any, without_phrases


def _mentions(keyword_list: KeywordList) -> pl.Expr:
    text = without_phrases(listing_text("category", "title", "description"), keyword_list.exclude)
    return mentions_any(text, keyword_list.keywords)


def has_battery(settings: DangerousGoodsSettings) -> pl.Expr:
    return _mentions(settings.battery) | _mentions(settings.loose_battery)


def is_loose_battery(settings: DangerousGoodsSettings) -> pl.Expr:
    """A battery sold on its own (power bank, battery pack), not inside a device."""
    return _mentions(settings.loose_battery)


def is_liquid(settings: DangerousGoodsSettings) -> pl.Expr:
    return _mentions(settings.liquid)


def is_powder(settings: DangerousGoodsSettings) -> pl.Expr:
    return _mentions(settings.powder)


def has_magnet(settings: DangerousGoodsSettings) -> pl.Expr:
    return _mentions(settings.magnet)


def is_aerosol_or_flammable(settings: DangerousGoodsSettings) -> pl.Expr:
    return _mentions(settings.aerosol_or_flammable)
