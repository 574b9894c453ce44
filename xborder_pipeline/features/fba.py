"""Amazon FBA (US) features: size tier, dimensional and shipping weight, fulfilment fee, headroom to the tier limits.

The rate card is data (the packaged `fba_us_2026.toml`, or a file of the same shape); every function here takes the
loaded `FbaCard` and returns a polars expression over weight_kg, length_cm, width_cm, height_cm and price_usd.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from importlib.resources import files
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xborder_pipeline.config import ConfigError
from xborder_pipeline.features import dimensions

CARD_RESOURCE = "fba_us_2026.toml"
CM_PER_IN = 2.54
LB_PER_KG = 2.20462
OZ_PER_LB = 16.0

# Sides arrive in cm and weights in kg: 38.1 cm is 15.000000000000002 in after conversion. Limits and band edges are
# compared with this much slack (in in, lb, oz or steps) so a unit measured exactly at a limit stays inside it.
_TOLERANCE = 1e-6


class _CardSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DimensionalWeightRule(_CardSection):
    divisor_in3_per_lb: float = Field(gt=0)
    min_width_height_in: float = Field(ge=0)
    min_width_height_tiers: list[str]
    unit_weight_only_tiers: list[str]
    source: str = Field(min_length=1)


class PriceBands(_CardSection):
    low_price_below_usd: float = Field(gt=0)
    high_price_above_usd: float = Field(gt=0)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _edges_in_order(self) -> PriceBands:
        if not self.low_price_below_usd <= self.high_price_above_usd:
            raise ValueError("low_price_below_usd must not exceed high_price_above_usd")
        return self


class FuelSurcharge(_CardSection):
    rate_pct: float = Field(ge=0, le=100)
    effective_from: date
    source: str = Field(min_length=1)


class SizeTier(_CardSection):
    """Upper limits of one tier; a missing limit does not constrain. The weight is the one the tier bills on."""

    name: str = Field(min_length=1)
    max_weight_lb: float | None = Field(default=None, gt=0)
    max_longest_in: float | None = Field(default=None, gt=0)
    max_median_in: float | None = Field(default=None, gt=0)
    max_shortest_in: float | None = Field(default=None, gt=0)
    max_length_plus_girth_in: float | None = Field(default=None, gt=0)
    source: str = Field(min_length=1)

    @property
    def has_limits(self) -> bool:
        return any(
            limit is not None
            for limit in (
                self.max_weight_lb,
                self.max_longest_in,
                self.max_median_in,
                self.max_shortest_in,
                self.max_length_plus_girth_in,
            )
        )


class WeightBandFee(_CardSection):
    max_shipping_weight_oz: float = Field(gt=0)
    under_10_usd: float = Field(ge=0)
    from_10_to_50_usd: float = Field(ge=0)
    over_50_usd: float = Field(ge=0)


class IncrementalFee(_CardSection):
    """Base fee plus `per_step_usd` for each `step_lb`, or part of one, above `charged_above_lb`."""

    charged_above_lb: float = Field(ge=0)
    step_lb: float = Field(gt=0)
    per_step_usd: float = Field(ge=0)
    base_under_10_usd: float = Field(ge=0)
    base_from_10_to_50_usd: float = Field(ge=0)
    base_over_50_usd: float = Field(ge=0)


class TierFees(_CardSection):
    source: str = Field(min_length=1)
    weight_bands: list[WeightBandFee] = []
    above_bands: IncrementalFee | None = None

    @model_validator(mode="after")
    def _bands_are_usable(self) -> TierFees:
        if not self.weight_bands and self.above_bands is None:
            raise ValueError("a tier needs weight_bands, above_bands or both")
        limits = [band.max_shipping_weight_oz for band in self.weight_bands]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError("weight_bands must be listed by strictly increasing max_shipping_weight_oz")
        if self.weight_bands and self.above_bands is not None:
            last_oz = limits[-1]
            if abs(self.above_bands.charged_above_lb * OZ_PER_LB - last_oz) > _TOLERANCE:
                raise ValueError(
                    f"above_bands.charged_above_lb ({self.above_bands.charged_above_lb} lb) must be where the last "
                    f"weight band ends ({last_oz} oz = {last_oz / OZ_PER_LB} lb)"
                )
        return self


class FbaCard(_CardSection):
    """One FBA rate card: size tiers (tried in order), dimensional weight, price bands, fees, fuel surcharge."""

    name: str = Field(min_length=1)
    effective_from: date
    effective_to: date
    source: str = Field(min_length=1)
    dimensional_weight: DimensionalWeightRule
    price_bands: PriceBands
    fuel_surcharge: FuelSurcharge
    size_tiers: list[SizeTier] = Field(min_length=1)
    fulfilment_fees: dict[str, TierFees]

    @model_validator(mode="after")
    def _tiers_are_consistent(self) -> FbaCard:
        names = [tier.name for tier in self.size_tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"size_tiers repeat a name: {', '.join(names)}")
        if self.size_tiers[-1].has_limits:
            raise ValueError(f"the last size tier ({names[-1]}) must have no limits, so that every unit gets a tier")
        for tier in self.size_tiers[:-1]:
            if not tier.has_limits:
                raise ValueError(f"size tier {tier.name} has no limits, so the tiers after it can never apply")
        if set(self.fulfilment_fees) != set(names):
            missing = sorted(set(names) - set(self.fulfilment_fees))
            unknown = sorted(set(self.fulfilment_fees) - set(names))
            raise ValueError(f"fulfilment_fees must cover exactly the size tiers; missing {missing}, unknown {unknown}")
        rule = self.dimensional_weight
        for field_name, listed in (
            ("min_width_height_tiers", rule.min_width_height_tiers),
            ("unit_weight_only_tiers", rule.unit_weight_only_tiers),
        ):
            unknown = sorted(set(listed) - set(names))
            if unknown:
                raise ValueError(f"dimensional_weight.{field_name} names unknown tiers: {', '.join(unknown)}")
        if not self.effective_from <= self.effective_to:
            raise ValueError("effective_from must not be after effective_to")
        return self


def load_fba_card(path: Path | str | None = None) -> FbaCard:
    """The packaged 2026 US card, or the card in the TOML file at `path`."""
    where = str(path) if path is not None else f"packaged {CARD_RESOURCE}"
    try:
        if path is None:
            text = (files("xborder_pipeline") / CARD_RESOURCE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return FbaCard.model_validate(tomllib.loads(text))
    except FileNotFoundError:
        raise ConfigError(f"FBA rate card not found: {where}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"FBA rate card {where} is not valid TOML: {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise ConfigError(f"invalid FBA rate card {where}: {problems}") from None


# --- public features ----------------------------------------------------------------------------------------------


def fba_size_tier(card: FbaCard) -> pl.Expr:
    """The first tier, in card order, whose limits the unit meets; null when a side or the weight is missing."""
    tiers = card.size_tiers
    if len(tiers) == 1:
        chosen: pl.Expr = pl.lit(tiers[0].name)
    else:
        chain = pl.when(_fits(card, tiers[0])).then(pl.lit(tiers[0].name))
        for tier in tiers[1:-1]:
            chain = chain.when(_fits(card, tier)).then(pl.lit(tier.name))
        chosen = chain.otherwise(pl.lit(tiers[-1].name))
    return pl.when(_unit_is_measured()).then(chosen)


def fba_dimensional_weight_lb(card: FbaCard) -> pl.Expr:
    """L x W x H in / divisor, with the minimum width and height where the unit's tier has one."""
    tier = fba_size_tier(card)
    floored = card.dimensional_weight.min_width_height_tiers
    return (
        pl.when(tier.is_in(floored))
        .then(_dimensional_weight_lb(card, min_width_height=True))
        .when(tier.is_not_null())
        .then(_dimensional_weight_lb(card, min_width_height=False))
    )


def fba_shipping_weight_lb(card: FbaCard) -> pl.Expr:
    """The weight the fee is billed on: unit weight for unit-weight-only tiers, else max(unit, dimensional)."""
    return _per_tier(card, lambda tier: _billed_weight_lb(card, tier.name))


def fba_fulfilment_fee_usd(card: FbaCard) -> pl.Expr:
    """Non-peak fulfilment fee per unit before the fuel surcharge; null without a tier or a price above zero."""
    price = pl.col("price_usd")
    fee = _per_tier(
        card,
        lambda tier: _tier_fee(card, card.fulfilment_fees[tier.name], _billed_weight_lb(card, tier.name), price),
    )
    return pl.when(price > 0).then(fee.round(2, mode="half_away_from_zero"))


def fba_fulfilment_fee_with_fuel_usd(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """The fulfilment fee with the fuel and logistics surcharge, rounded to the cent.

    `as_of` is the date the fee is charged; before the surcharge's effective date the fee is returned unchanged.
    None means the surcharge applies (the card is current).
    """
    fee = fba_fulfilment_fee_usd(card)
    surcharge = card.fuel_surcharge
    if as_of is not None and as_of < surcharge.effective_from:
        return fee
    return (fee * (1 + surcharge.rate_pct / 100)).round(2, mode="half_away_from_zero")


def fba_tier_headroom_pct(card: FbaCard) -> pl.Expr:
    """How far, in % of its current value, the closest measure can grow before the unit leaves its tier.

    Measures: longest, median and shortest side, the tier's billed weight, and length + girth where the tier limits
    it. 0 means a measure sits exactly on its limit. Null for a tier without limits (the heaviest extra-large band).
    """

    def headroom(tier: SizeTier) -> pl.Expr | None:
        margins = [
            (limit - value) / value * 100
            for limit, value in _limited_measures(card, tier)
        ]
        return pl.min_horizontal(margins).clip(lower_bound=0.0) if margins else None

    return _per_tier(card, headroom)


def fba_feature_columns(card: FbaCard, as_of: date | None = None) -> dict[str, pl.Expr]:
    """Every FBA feature by its column name, for `frame.with_columns(**fba_feature_columns(card))`."""
    return {
        "fba_size_tier": fba_size_tier(card),
        "fba_dimensional_weight_lb": fba_dimensional_weight_lb(card),
        "fba_shipping_weight_lb": fba_shipping_weight_lb(card),
        "fba_fulfilment_fee_usd": fba_fulfilment_fee_usd(card),
        "fba_fulfilment_fee_with_fuel_usd": fba_fulfilment_fee_with_fuel_usd(card, as_of),
        "fba_tier_headroom_pct": fba_tier_headroom_pct(card),
    }


# --- building blocks ----------------------------------------------------------------------------------------------


def _unit_is_measured() -> pl.Expr:
    return dimensions.all_sides_known() & (pl.col("weight_kg") > 0)


def _longest_in() -> pl.Expr:
    return dimensions.longest_side_cm() / CM_PER_IN


def _median_in() -> pl.Expr:
    return dimensions.median_side_cm() / CM_PER_IN


def _shortest_in() -> pl.Expr:
    return dimensions.shortest_side_cm() / CM_PER_IN


def _length_plus_girth_in() -> pl.Expr:
    return dimensions.length_plus_girth_cm() / CM_PER_IN


def _unit_weight_lb() -> pl.Expr:
    return dimensions.known_weight_kg() * LB_PER_KG


def _dimensional_weight_lb(card: FbaCard, *, min_width_height: bool) -> pl.Expr:
    median, shortest = _median_in(), _shortest_in()
    if min_width_height:
        floor = card.dimensional_weight.min_width_height_in
        median, shortest = median.clip(lower_bound=floor), shortest.clip(lower_bound=floor)
    return _longest_in() * median * shortest / card.dimensional_weight.divisor_in3_per_lb


def _billed_weight_lb(card: FbaCard, tier_name: str) -> pl.Expr:
    """The weight a tier's weight limit and fee apply to."""
    unit = _unit_weight_lb()
    rule = card.dimensional_weight
    if tier_name in rule.unit_weight_only_tiers:
        return unit
    dimensional = _dimensional_weight_lb(card, min_width_height=tier_name in rule.min_width_height_tiers)
    # max_horizontal skips nulls; a missing weight or side must give null, not the other weight.
    return pl.when(unit.is_not_null() & dimensional.is_not_null()).then(pl.max_horizontal(unit, dimensional))


def _limited_measures(card: FbaCard, tier: SizeTier) -> list[tuple[float, pl.Expr]]:
    """(limit, measure) for every limit the tier sets."""
    pairs: list[tuple[float | None, pl.Expr]] = [
        (tier.max_weight_lb, _billed_weight_lb(card, tier.name)),
        (tier.max_longest_in, _longest_in()),
        (tier.max_median_in, _median_in()),
        (tier.max_shortest_in, _shortest_in()),
        (tier.max_length_plus_girth_in, _length_plus_girth_in()),
    ]
    return [(limit, measure) for limit, measure in pairs if limit is not None]


def _fits(card: FbaCard, tier: SizeTier) -> pl.Expr:
    return pl.all_horizontal([measure <= limit + _TOLERANCE for limit, measure in _limited_measures(card, tier)])


def _per_tier(card: FbaCard, value_for: Callable[[SizeTier], pl.Expr | None]) -> pl.Expr:
    """`value_for(tier)` on the rows of each tier; null where the tier is unknown or the value is None."""
    tier_column = fba_size_tier(card)
    chain = None
    for tier in card.size_tiers:
        value = value_for(tier)
        if value is None:
            continue
        condition = tier_column == tier.name
        chain = pl.when(condition).then(value) if chain is None else chain.when(condition).then(value)
    return pl.lit(None, pl.Float64) if chain is None else chain.otherwise(pl.lit(None, pl.Float64))


def _by_price_band(card: FbaCard, price: pl.Expr, under_10: float, from_10_to_50: float, over_50: float) -> pl.Expr:
    bands = card.price_bands
    return (
        pl.when(price < bands.low_price_below_usd)
        .then(pl.lit(under_10))
        .when(price <= bands.high_price_above_usd)
        .then(pl.lit(from_10_to_50))
        .when(price > bands.high_price_above_usd)
        .then(pl.lit(over_50))
    )


def _tier_fee(card: FbaCard, fees: TierFees, weight_lb: pl.Expr, price: pl.Expr) -> pl.Expr:
    """Weight band that holds the weight, else the increment above the last band (null beyond both)."""
    above: pl.Expr = pl.lit(None, pl.Float64)
    if fees.above_bands is not None:
        rate = fees.above_bands
        steps = ((weight_lb - rate.charged_above_lb) / rate.step_lb - _TOLERANCE).ceil().clip(lower_bound=0)
        base = _by_price_band(
            card, price, rate.base_under_10_usd, rate.base_from_10_to_50_usd, rate.base_over_50_usd
        )
        above = base + steps * rate.per_step_usd
    if not fees.weight_bands:
        return above
    weight_oz = weight_lb * OZ_PER_LB
    first, *rest = fees.weight_bands
    chain = pl.when(weight_oz <= first.max_shipping_weight_oz + _TOLERANCE).then(
        _by_price_band(card, price, first.under_10_usd, first.from_10_to_50_usd, first.over_50_usd)
    )
    for band in rest:
        chain = chain.when(weight_oz <= band.max_shipping_weight_oz + _TOLERANCE).then(
            _by_price_band(card, price, band.under_10_usd, band.from_10_to_50_usd, band.over_50_usd)
        )
    return chain.otherwise(above)
