"""What a listing costs to ship as a direct parcel, from a channel's rate card."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Channel, FxTable


def direct_ship_cost_usd(channel: Channel, fx: FxTable, chargeable_weight: pl.Expr) -> pl.Expr:
    """Per-kg rate x chargeable weight + per-parcel fee of the band the weight falls in, in USD.

    Null where the weight is unknown or beyond the channel's piece limit.
    """
    usd_per_unit = fx.usd_per_unit[channel.currency.upper()]
    cost: pl.Expr = pl.lit(None, pl.Float64)
    for band in reversed(channel.bands):
        cost = (
            pl.when(chargeable_weight <= band.max_chargeable_kg)
            .then(chargeable_weight * band.per_kg + band.per_parcel)
            .otherwise(cost)
        )
    within_limit = chargeable_weight <= channel.max_weight_kg
    return pl.when(within_limit).then(cost * usd_per_unit)


def logistics_cost_ratio() -> pl.Expr:
    """Direct shipping cost as a share of the price."""
    return pl.when(pl.col("price_usd") > 0).then(pl.col("est_direct_ship_cost_usd") / pl.col("price_usd"))
