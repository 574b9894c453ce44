"""What a unit costs when it is sold from an overseas warehouse, against the cheapest direct parcel.

Per unit sold: its share of the sea first leg (by revenue ton), import duty on the goods' value,
receiving, storage for the months it waits, pick and pack, the last mile, and the expected cost of
stock that does not sell: P(unsold) x the cheaper of bringing it back and liquidating it.
VAT is left out on both sides: the buyer's price carries the same VAT either way.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import is_physical_goods, known_weight_kg


def goods_value_usd(settings: Settings) -> pl.Expr:
    """The customs value of one unit: its cost where known, else a share of its price."""
    return pl.coalesce(pl.col("unit_cost_usd"), pl.col("price_usd") * settings.warehouse.goods_value_share_of_price)


def first_leg_usd(settings: Settings) -> pl.Expr:
    """Sea LCL by revenue ton: the larger of the unit's cubic metres and its tonnes, times the rate."""
    revenue_tons = pl.max_horizontal(pl.col("volume_m3"), known_weight_kg() / 1000)
    return revenue_tons * settings.warehouse.first_leg_usd_per_m3


def bulk_import_duty_usd(settings: Settings) -> pl.Expr:
    """Duty on the goods' value when they enter in bulk (no low-value parcel rules apply)."""
    duty: pl.Expr = pl.lit(None, pl.Float64)
    for name, market in settings.markets.items():
        rate = market.duty_rate_above_threshold if market.duty_rate_above_threshold is not None else market.duty_rate
        duty = pl.when(pl.col("destination_market") == name).then(goods_value_usd(settings) * rate).otherwise(duty)
    return duty


def batch_units(settings: Settings) -> pl.Expr:
    """Units sent in one batch: the stock on hand, else a configured number of months of sales."""
    return pl.coalesce(
        pl.col("stock_qty").cast(pl.Float64),
        pl.col("monthly_units_sold") * settings.warehouse.batch_months_of_sales,
    )


def months_in_storage(settings: Settings) -> pl.Expr:
    """How long a unit waits on average: half the time the batch takes to sell, within the horizon."""
    horizon = settings.warehouse.sell_through_horizon_months
    months_to_sell = pl.when(pl.col("monthly_units_sold") > 0).then(
        batch_units(settings) / pl.col("monthly_units_sold")
    )
    return (months_to_sell.clip(upper_bound=horizon) / 2).fill_null(horizon / 2)


def unsold_share(settings: Settings) -> pl.Expr:
    """P(unsold): the part of a batch that would not sell within the horizon, at least the floor."""
    warehouse = settings.warehouse
    sold_in_horizon = pl.col("monthly_units_sold") * warehouse.sell_through_horizon_months
    share = pl.when(batch_units(settings) > 0).then(1 - sold_in_horizon / batch_units(settings))
    with_evidence = share.clip(lower_bound=warehouse.unsold_share_floor, upper_bound=1.0)
    no_evidence = pl.col("monthly_units_sold").is_null() | (pl.col("monthly_units_sold") <= 0)
    return (
        pl.when(no_evidence)
        .then(pl.lit(warehouse.unsold_share_without_demand_evidence))
        .otherwise(with_evidence.fill_null(warehouse.unsold_share_floor))
    )


def unsold_unit_cost_usd(settings: Settings) -> pl.Expr:
    """What an unsold unit costs: the cheaper of shipping it back and liquidating it locally."""
    warehouse = settings.warehouse
    repatriation = pl.col("warehouse_first_leg_usd") + warehouse.removal_usd_per_unit
    liquidation_loss = goods_value_usd(settings) * (1 - warehouse.liquidation_recovery_share)
    return pl.min_horizontal(repatriation, liquidation_loss)


def with_warehouse_economics(listings, settings: Settings):
    """Warehouse cost per unit sold, its parts, and the saving against the cheapest direct parcel."""
    warehouse = settings.warehouse
    physical = is_physical_goods()
    parts = listings.with_columns(
        warehouse_first_leg_usd=pl.when(physical).then(first_leg_usd(settings)),
        warehouse_duty_usd=pl.when(physical).then(bulk_import_duty_usd(settings)),
        warehouse_storage_usd=pl.when(physical).then(
            pl.col("volume_m3") * warehouse.storage_usd_per_m3_month * months_in_storage(settings)
        ),
        warehouse_handling_usd=pl.when(physical).then(
            pl.lit(warehouse.inbound_usd_per_unit + warehouse.pick_pack_usd_per_unit)
        ),
        warehouse_last_mile_usd=pl.when(physical).then(
            warehouse.last_mile_usd_per_parcel + pl.col("chargeable_weight_kg") * warehouse.last_mile_usd_per_kg
        ),
        warehouse_unsold_share=pl.when(physical).then(unsold_share(settings)),
    )
    with_risk = parts.with_columns(
        warehouse_unsold_risk_usd=pl.col("warehouse_unsold_share") * unsold_unit_cost_usd(settings),
    )
    total = with_risk.with_columns(
        warehouse_cost_per_unit_usd=pl.sum_horizontal(
            "warehouse_first_leg_usd",
            "warehouse_duty_usd",
            "warehouse_storage_usd",
            "warehouse_handling_usd",
            "warehouse_last_mile_usd",
            "warehouse_unsold_risk_usd",
            ignore_nulls=False,
        ),
        direct_cost_per_unit_usd=pl.col("est_direct_ship_cost_usd")
        + pl.col("duty_usd").fill_null(0.0)
        + pl.col("customs_fee_usd").fill_null(0.0),
    )
    return total.with_columns(
        warehouse_saving_per_unit_usd=pl.col("direct_cost_per_unit_usd") - pl.col("warehouse_cost_per_unit_usd"),
    )


def said_to_be_unique(settings: Settings) -> pl.Expr:
    """Whether the title, description or attributes (Etsy tags and materials among them) call the goods a single
    unique piece: one of `warehouse.unique_piece_words`, as whole words in any case. Computed once per listing."""
    words = "|".join(pl.escape_regex(word.lower()) for word in settings.warehouse.unique_piece_words)
    if not words:
        return pl.lit(False)
    said = pl.concat_str(
        [pl.col("title"), pl.col("description"), pl.col("attributes")], separator=" | ", ignore_nulls=True
    ).str.to_lowercase()
    return said.str.contains(f"(?-u:\\b)(?:{words})(?-u:\\b)").fill_null(False)
