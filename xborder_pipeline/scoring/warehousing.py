"""Overseas warehousing: recommended only where the goods favour a warehouse and demand is proven.

Stock sent abroad is easy to send and costly to bring back, so goods that favour a warehouse (high
price, bulky, fragile, refused by post) without evidence of demand are only candidates.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import is_physical_goods
from xborder_pipeline.scoring.suitability import _codes_where


def warehouse_trait_conditions(settings: Settings) -> dict[str, pl.Expr]:
    postal = settings.postal
    physical = is_physical_goods()
    traits = {
        "WAREHOUSE_TRAITS_HIGH_PRICE": pl.col("price_usd") >= settings.warehouse.high_price_usd,
        "WAREHOUSE_TRAITS_BULKY": (pl.col("weight_kg") > postal.max_weight_kg)
        | (pl.col("sum_of_sides_cm") > postal.max_sum_of_sides_cm)
        | (pl.col("longest_side_cm") > postal.max_longest_side_cm),
        "WAREHOUSE_TRAITS_FRAGILE": pl.col("is_fragile"),
        "WAREHOUSE_TRAITS_REFUSED_BY_POST": pl.col("has_battery")
        | pl.col("is_liquid")
        | pl.col("is_powder")
        | pl.col("has_magnet")
        | pl.col("is_aerosol_or_flammable"),
    }
    return {code: physical & condition for code, condition in traits.items()}


def demand_shortfall_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """Why demand does not yet justify stock abroad (none hold when it does)."""
    sold = pl.col("monthly_units_sold")
    return {
        "NO_DEMAND_EVIDENCE": sold.is_null() | (sold == 0),
        "LOW_SALES_VELOCITY": (sold > 0) & (sold < settings.warehouse.min_monthly_units_sold),
        "SLOW_SELL_THROUGH": pl.col("months_of_cover") > settings.warehouse.max_months_of_cover,
    }


def _any_of(conditions: dict[str, pl.Expr]) -> pl.Expr:
    return pl.any_horizontal([condition.fill_null(False) for condition in conditions.values()])


def warehouse_flag(settings: Settings) -> pl.Expr:
    favours = _any_of(warehouse_trait_conditions(settings))
    demand_proven = ~_any_of(demand_shortfall_conditions(settings))
    return (
        pl.when(favours & demand_proven)
        .then(pl.lit("recommended"))
        .when(favours)
        .then(pl.lit("candidate_unproven_demand"))
        .otherwise(pl.lit("not_recommended"))
    )


def warehouse_reasons(settings: Settings) -> pl.Expr:
    """The traits that favour a warehouse and, for candidates, what demand lacks."""
    traits = warehouse_trait_conditions(settings)
    favours = _any_of(traits)
    shortfalls = {code: favours & condition for code, condition in demand_shortfall_conditions(settings).items()}
    return _codes_where({**traits, **shortfalls, "NO_WAREHOUSE_ADVANTAGE": is_physical_goods() & ~favours})
