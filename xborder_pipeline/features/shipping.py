"""Direct parcels from China: where a listing ships, which channels will carry it, what each costs landed.

For every channel the listing gets columns named `<channel>__<what>` (eligibility, chargeable weight,
shipping cost, landed cost); `with_cheapest_channel` then picks the cheapest eligible one.
`channel_costs_long` turns the per-channel columns into the one-row-per-listing-per-channel table
that answers "why not express?" in SQL.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.codes import codes_where
from xborder_pipeline.config import Channel, Market, Settings
from xborder_pipeline.features.dimensions import (
    is_physical_goods,
    known_weight_kg,
    volumetric_weight_kg,
)

# Feature flag behind each goods class a channel may refuse.
GOODS_FLAGS: dict[str, str] = {
    "battery": "has_battery",
    "loose_battery": "is_loose_battery",
    "liquid": "is_liquid",
    "powder": "is_powder",
    "magnet": "has_magnet",
    "aerosol_or_flammable": "is_aerosol_or_flammable",
    "restricted": "is_restricted",
}
CHANNEL_FIELDS: tuple[str, ...] = (
    "ineligible_reasons",
    "eligible",
    "chargeable_weight_kg",
    "shipping_cost_usd",
    "landed_cost_usd",
)


def column(channel_name: str, field: str) -> str:
    return f"{channel_name}__{field}"


# --- where it ships ------------------------------------------------------------------------------


def destination_country(settings: Settings) -> pl.Expr:
    """The country the listing's marketplace serves, else the configured default."""
    return (
        pl.col("marketplace")
        .str.to_lowercase()
        .replace_strict(settings.destinations.by_marketplace, default=None, return_dtype=pl.String)
        .fill_null(settings.destinations.default_country)
    )


def destination_market(settings: Settings) -> pl.Expr:
    """US, GB, or EU for a member state (a country with an EU VAT rate); other countries count as US."""
    eu_countries = list(settings.markets["EU"].vat_by_country)
    country = pl.col("destination_country")
    return (
        pl.when(country == "GB")
        .then(pl.lit("GB"))
        .when(country.is_in(eu_countries))
        .then(pl.lit("EU"))
        .otherwise(pl.lit("US"))
    )


# --- duty and VAT on a direct parcel --------------------------------------------------------------


def _usd(settings: Settings, currency: str) -> float:
    return settings.fx.usd_per_unit[currency.upper()]


def vat_usd(settings: Settings) -> pl.Expr:
    """VAT inside the consumer price (IOSS in the EU, point-of-sale collection in the UK)."""
    eu = settings.markets["EU"]
    rate = (
        pl.when(pl.col("destination_market") == "EU")
        .then(
            pl.col("destination_country")
            .replace_strict(eu.vat_by_country, default=eu.vat_rate, return_dtype=pl.Float64)
        )
        .when(pl.col("destination_market") == "GB")
        .then(pl.lit(settings.markets["GB"].vat_rate))
        .otherwise(pl.lit(settings.markets["US"].vat_rate))
    )
    return pl.col("price_usd") * rate / (1 + rate)


def duty_usd(settings: Settings) -> pl.Expr:
    """Import duty on one parcel: flat per item below a market's low-value threshold, ad valorem above."""
    duty: pl.Expr = pl.lit(None, pl.Float64)
    for name, market in settings.markets.items():
        duty = pl.when(pl.col("destination_market") == name).then(_market_duty(settings, market)).otherwise(duty)
    return duty


def _market_duty(settings: Settings, market: Market) -> pl.Expr:
    threshold_usd = market.low_value_threshold * _usd(settings, market.threshold_currency)
    flat_usd = market.low_value_duty_per_item * _usd(settings, market.threshold_currency)
    above = market.duty_rate_above_threshold if market.duty_rate_above_threshold is not None else market.duty_rate
    price = pl.col("price_usd")
    return pl.when(price < threshold_usd).then(flat_usd + price * market.duty_rate).otherwise(price * above)


def customs_fee_usd(settings: Settings) -> pl.Expr:
    fee: pl.Expr = pl.lit(0.0)
    for name, market in settings.markets.items():
        fee = pl.when(pl.col("destination_market") == name).then(market.customs_fee_per_parcel_usd).otherwise(fee)
    return fee


# --- each channel ---------------------------------------------------------------------------------


def chargeable_weight_on(channel: Channel) -> pl.Expr:
    """What the channel bills: actual weight, or the larger of actual and volumetric, rounded up."""
    actual = known_weight_kg()
    if channel.volumetric_divisor_cm3_per_kg is None:
        billed = actual
    else:
        billed = pl.max_horizontal(actual, volumetric_weight_kg(channel.volumetric_divisor_cm3_per_kg))
    if channel.rounding_step_kg is not None:
        step = channel.rounding_step_kg
        billed = (billed / step - 1e-9).ceil() * step
    return billed


def ineligible_reasons(channel: Channel, rates: dict[str, list], chargeable: pl.Expr) -> pl.Expr:
    """Why the channel will not carry the listing (an empty list when it will)."""
    checks: dict[str, pl.Expr] = {"NOT_PHYSICAL": ~is_physical_goods()}
    checks["NO_WEIGHT_OR_SIZE"] = chargeable.is_null()
    checks["OVER_CHANNEL_WEIGHT"] = chargeable > channel.max_weight_kg
    if rates:
        top_band = {market: bands[-1].max_chargeable_kg for market, bands in rates.items()}
        over_card = pl.col("destination_market").replace_strict(top_band, default=None, return_dtype=pl.Float64)
        checks["NO_RATE_FOR_DESTINATION"] = over_card.is_null()
        checks["OVER_RATE_CARD_WEIGHT"] = (chargeable > over_card) & (chargeable <= channel.max_weight_kg)
    size_limits = []
    if channel.max_sum_of_sides_cm is not None:
        size_limits.append(pl.col("sum_of_sides_cm") > channel.max_sum_of_sides_cm)
    if channel.max_longest_side_cm is not None:
        size_limits.append(pl.col("longest_side_cm") > channel.max_longest_side_cm)
    if size_limits:
        checks["OVER_CHANNEL_SIZE"] = pl.any_horizontal(size_limits)
    for goods in channel.refuses:
        checks[f"REFUSES_{goods.upper()}"] = pl.col(GOODS_FLAGS[goods])
    return codes_where(checks)


def shipping_cost_usd(settings: Settings, channel: Channel, rates: dict[str, list], chargeable: pl.Expr) -> pl.Expr:
    """Chargeable kg x per-kg rate + per-parcel fee of the band, plus any oversize surcharge, in USD."""
    cost: pl.Expr = pl.lit(None, pl.Float64)
    for market, bands in rates.items():
        for band, floor in reversed(list(zip(bands, _band_floors(bands), strict=True))):
            cost = (
                pl.when((pl.col("destination_market") == market) & (chargeable <= band.max_chargeable_kg))
                .then(pl.max_horizontal(chargeable * band.per_kg + band.per_parcel, pl.lit(floor)))
                .otherwise(cost)
            )
    if channel.oversize_longest_side_cm is not None and channel.oversize_surcharge > 0:
        oversize = (pl.col("longest_side_cm") > channel.oversize_longest_side_cm).fill_null(False)
        cost = cost + pl.when(oversize).then(channel.oversize_surcharge).otherwise(0.0)
    return cost * _usd(settings, channel.currency)


def _band_floors(bands: list) -> list[float]:
    """The least each band may charge: the dearest price any lighter band reaches at its top weight.

    Some cards drop at a band edge (0.1 kg at 98/kg + 24 costs more than 0.11 kg at 92/kg + 22); a
    heavier parcel is never priced below a lighter one.
    """
    floors, dearest = [], 0.0
    for band in bands:
        floors.append(dearest)
        dearest = max(dearest, band.max_chargeable_kg * band.per_kg + band.per_parcel)
    return floors


def with_channel_costs(listings: pl.DataFrame | pl.LazyFrame, settings: Settings):
    """Destination, duty, VAT, and per channel: eligibility, chargeable weight, shipping and landed cost."""
    placed = listings.with_columns(destination_country=destination_country(settings)).with_columns(
        destination_market=destination_market(settings)
    )
    taxed = placed.with_columns(
        duty_usd=pl.when(is_physical_goods()).then(duty_usd(settings)),
        vat_usd=vat_usd(settings),
        customs_fee_usd=pl.when(is_physical_goods()).then(customs_fee_usd(settings)),
    )
    per_channel = []
    for name, channel in settings.channels.items():
        rates = settings.channel_rates(name)
        chargeable = chargeable_weight_on(channel)
        per_channel += [
            chargeable.alias(column(name, "chargeable_weight_kg")),
            ineligible_reasons(channel, rates, chargeable).alias(column(name, "ineligible_reasons")),
            shipping_cost_usd(settings, channel, rates, chargeable).alias(column(name, "shipping_cost_usd")),
        ]
    costed = taxed.with_columns(per_channel)
    landed = []
    for name in settings.channels:
        eligible = pl.col(column(name, "ineligible_reasons")).list.len() == 0
        landed += [
            eligible.alias(column(name, "eligible")),
            pl.when(eligible)
            .then(
                pl.col(column(name, "shipping_cost_usd"))
                + pl.col("duty_usd").fill_null(0.0)
                + pl.col("customs_fee_usd").fill_null(0.0)
                + pl.col("vat_usd").fill_null(0.0)
            )
            .alias(column(name, "landed_cost_usd")),
        ]
    return costed.with_columns(landed)


def with_cheapest_channel(listings: pl.DataFrame | pl.LazyFrame, settings: Settings):
    """The cheapest eligible channel landed (ties go to the channel listed first) and its figures."""
    names = list(settings.channels)
    landed = [pl.col(column(name, "landed_cost_usd")) for name in names]
    cheapest = pl.min_horizontal(landed)
    chosen: pl.Expr = pl.lit(None, pl.String)
    for name in reversed(names):
        chosen = pl.when(pl.col(column(name, "landed_cost_usd")) == cheapest).then(pl.lit(name)).otherwise(chosen)
    picked = listings.with_columns(recommended_channel=chosen)

    def of_recommended(value: str | float | int, dtype: pl.DataType) -> pl.Expr:
        expr: pl.Expr = pl.lit(None, dtype)
        for name in names:
            expr = pl.when(pl.col("recommended_channel") == name).then(_value(name, value, settings)).otherwise(expr)
        return expr

    return picked.with_columns(
        est_direct_ship_cost_usd=of_recommended("shipping_cost_usd", pl.Float64()),
        landed_cost_usd=of_recommended("landed_cost_usd", pl.Float64()),
        recommended_transit_days_min=of_recommended("transit_days_min", pl.Int64()),
        recommended_transit_days_max=of_recommended("transit_days_max", pl.Int64()),
    )


def _value(name: str, value: str, settings: Settings) -> pl.Expr:
    if value.startswith("transit_days"):
        return pl.lit(getattr(settings.channels[name], value), pl.Int64)
    return pl.col(column(name, value))


def channel_costs_long(scored: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """One row per listing per channel: eligible or why not, chargeable weight, shipping and landed cost."""
    frames = []
    for name, channel in settings.channels.items():
        frames.append(
            scored.select(
                "listing_id",
                pl.lit(name).alias("channel"),
                pl.col(column(name, "eligible")).alias("eligible"),
                pl.col(column(name, "ineligible_reasons")).alias("ineligible_reasons"),
                pl.col(column(name, "chargeable_weight_kg")).alias("chargeable_weight_kg"),
                pl.col(column(name, "shipping_cost_usd")).alias("shipping_cost_usd"),
                pl.col(column(name, "landed_cost_usd")).alias("landed_cost_usd"),
                pl.lit(channel.transit_days_min, pl.Int64).alias("transit_days_min"),
                pl.lit(channel.transit_days_max, pl.Int64).alias("transit_days_max"),
                (pl.col("recommended_channel") == name).fill_null(False).alias("is_recommended"),
                pl.lit(channel.is_proxy).alias("is_proxy"),
            )
        )
    return pl.concat(frames, how="vertical")
