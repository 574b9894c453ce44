"""Overseas warehousing: recommended only where the goods favour a warehouse and demand is proven.

Stock sent abroad is easy to send and costly to bring back, so goods that favour a warehouse (high
price, bulky, fragile, refused by post) without evidence of demand are only candidates.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import is_physical_goods
from xborder_pipeline.features.estimates import priced_weight_kg
from xborder_pipeline.features.warehouse_economics import goods_value_usd


def warehouse_trait_conditions(settings: Settings) -> dict[str, pl.Expr]:
    postal = settings.postal
    physical = is_physical_goods()
    traits = {
        "WAREHOUSE_TRAITS_HIGH_PRICE": pl.col("price_usd") >= settings.warehouse.high_price_usd,
        "WAREHOUSE_TRAITS_BULKY": (priced_weight_kg() > postal.max_weight_kg)
        | (pl.col("sum_of_sides_cm") > postal.max_sum_of_sides_cm)
        | (pl.col("longest_side_cm") > postal.max_longest_side_cm)
        | pl.col("is_oversize").fill_null(False),  # named oversize (a sofa) whatever the export's size says
        "WAREHOUSE_TRAITS_FRAGILE": pl.col("is_fragile"),
        "WAREHOUSE_TRAITS_REFUSED_BY_POST": pl.col("has_battery")
        | pl.col("is_liquid")
        | pl.col("is_powder")
        | pl.col("has_magnet")
        | pl.col("is_aerosol_or_flammable"),
    }
    return {code: physical & condition for code, condition in traits.items()}


def demand_shortfall_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """Why demand does not yet justify stock abroad (none hold when it does).

    A figure taken from sales history must also be proven there (sku_demand.demand_evidence): steady
    sales over several months, not one spike or a few weeks of a new product.
    """
    sold = pl.col("monthly_units_sold")
    return {
        "NO_DEMAND_EVIDENCE": sold.is_null() | (sold == 0),
        "LOW_SALES_VELOCITY": (sold > 0) & (sold < settings.warehouse.min_monthly_units_sold),
        "SLOW_SELL_THROUGH": pl.col("months_of_cover") > settings.warehouse.max_months_of_cover,
        "DEMAND_NOT_PROVEN_BY_SALES": (pl.col("demand_source") == "sales_history")
        & (pl.col("demand_evidence") != "proven").fill_null(True)
        & (sold > 0),
    }


def money_and_piece_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """What rules stock abroad out whatever the goods and demand say.

    The money test: a unit from the warehouse must be able to pay for itself: its warehouse cost plus the
    goods' cost stays below the price (an unknown cost does not rule it out). A single unique piece (a
    stock of one, or words such as one-of-a-kind in its title, description or attributes: `said_to_be_unique`,
    features/warehouse_economics.py) is not stock to send abroad.
    """
    physical = is_physical_goods()
    cost = pl.col("warehouse_cost_per_unit_usd") + goods_value_usd(settings)
    return {
        "WAREHOUSE_COST_EXCEEDS_PRICE": physical & (cost >= pl.col("price_usd")).fill_null(False),
        "UNIQUE_PIECE": physical
        & ((pl.col("stock_qty") == 1).fill_null(False) | pl.col("said_to_be_unique").fill_null(False)),
    }


def _any_of(conditions: dict[str, pl.Expr]) -> pl.Expr:
    return pl.any_horizontal([condition.fill_null(False) for condition in conditions.values()])


def warehouse_economics_conditions() -> dict[str, pl.Expr]:
    """Where the money points: cheaper from a warehouse, or no direct parcel at all."""
    physical = is_physical_goods()
    return {
        "WAREHOUSE_CHEAPER_PER_UNIT": physical & (pl.col("warehouse_saving_per_unit_usd") > 0),
        "WAREHOUSE_ONLY_ROUTE": physical
        & pl.col("recommended_channel").is_null()
        & pl.col("chargeable_weight_kg").is_not_null(),
    }


def warehouse_flag(settings: Settings) -> pl.Expr:
    """recommended: the warehouse pays (cheaper, or the only route) and demand is proven;
    candidate_unproven_demand: the goods or the money favour a warehouse but demand is not proven;
    never either for a unit whose warehouse cost and goods' cost reach its price, or a unique piece."""
    ruled_out = _any_of(money_and_piece_conditions(settings))
    pays = _any_of(warehouse_economics_conditions()) & ~ruled_out
    favours = pays | (_any_of(warehouse_trait_conditions(settings)) & ~ruled_out)
    demand_proven = ~_any_of(demand_shortfall_conditions(settings))
    return (
        pl.when(pl.col("is_restricted").fill_null(False))
        .then(pl.lit("not_recommended"))
        .when(pays & demand_proven)
        .then(pl.lit("recommended"))
        .when(favours & ~demand_proven)
        .then(pl.lit("candidate_unproven_demand"))
        .otherwise(pl.lit("not_recommended"))
    )


def warehouse_reason_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """What favours a warehouse, what the money says, and, where it matters, what demand lacks."""
    traits = warehouse_trait_conditions(settings)
    economics = warehouse_economics_conditions()
    ruled_out_by = money_and_piece_conditions(settings)
    ruled_out = _any_of(ruled_out_by)
    favours = (_any_of(economics) | _any_of(traits)) & ~ruled_out
    physical = is_physical_goods()
    shortfalls = {code: favours & condition for code, condition in demand_shortfall_conditions(settings).items()}
    restricted = physical & pl.col("is_restricted").fill_null(False)
    return {
        "WAREHOUSE_RESTRICTED_GOODS": restricted,
        # no route is open to goods a shipper refuses, a warehouse's neither
        **{code: condition & ~restricted for code, condition in economics.items()},
        **traits,
        **ruled_out_by,
        **shortfalls,
        "WAREHOUSE_COSTS_MORE": physical & (pl.col("warehouse_saving_per_unit_usd") <= 0),
        "NO_WAREHOUSE_ADVANTAGE": physical & ~favours & ~ruled_out,
    }
