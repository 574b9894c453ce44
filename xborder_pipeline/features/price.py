"""Prices in US dollars, through the dated FX table in configuration."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import FxTable


def usd_per_unit_of_currency(fx: FxTable) -> pl.Expr:
    return pl.col("currency").replace_strict(fx.usd_per_unit, default=None, return_dtype=pl.Float64)


def price_usd(fx: FxTable) -> pl.Expr:
    return pl.col("price") * usd_per_unit_of_currency(fx)


def unit_cost_usd(fx: FxTable) -> pl.Expr:
    return pl.col("unit_cost") * usd_per_unit_of_currency(fx)
