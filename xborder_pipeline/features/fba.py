"""Amazon FBA (US) features: size tier, dimensional and shipping weight, fulfilment fee, headroom to the tier limits.

The rate card is data (the packaged `fba_us_2026.toml`, or a file of the same shape); every function here takes the
loaded `FbaCard` and returns a polars expression over weight_kg, length_cm, width_cm, height_cm and price_usd.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xborder_pipeline.config import ConfigError
from xborder_pipeline.features import dimensions

CARD_RESOURCE = "fba_us_2026.toml"
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
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


class FeeWindow(_CardSection):
    """Fulfilment fees that replace the card's own from valid_from to valid_to (both included), e.g. peak season.

    A tier the window does not list keeps the card's own fee on those days: the window's figure for it is "not yet"
    sourced, and `fba_fee_card` says so (`<card>:<base window>:<window>_not_yet`).
    """

    name: str = Field(min_length=1)
    valid_from: date
    valid_to: date
    source: str = Field(min_length=1)
    fulfilment_fees: dict[str, TierFees] = Field(min_length=1)

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


class DimensionalWeightBandFee(_CardSection):
    """One band of a fee charged by the unit's dimensional weight; no upper limit on the last band."""

    max_dimensional_weight_lb: float | None = Field(default=None, gt=0)
    fee_usd: float = Field(ge=0)


class ExtraFee(_CardSection):
    """A per-unit fee on top of the fulfilment fee, for units of `tiers` (and, where a limit is given, only those
    over it: longest side or length + girth), charged from `effective_from`.

    The amount is given in one of three ways: `fee_usd` (the same for every unit), `fee_by_tier_usd` (one amount per
    size tier, every tier in `tiers` named) or `dimensional_weight_bands` (by the unit's dimensional weight, as in
    fba_dimensional_weight_lb; the first band whose limit the weight does not exceed). None of them means the amount
    is not yet sourced: the fee's column is null where it applies (never a guess).
    """

    tiers: list[str] = Field(min_length=1)
    longest_side_over_in: float | None = Field(default=None, gt=0)
    length_plus_girth_over_in: float | None = Field(default=None, gt=0)
    fee_usd: float | None = Field(default=None, ge=0)
    fee_by_tier_usd: dict[str, float] = {}
    dimensional_weight_bands: list[DimensionalWeightBandFee] = []
    effective_from: date
    source: str = Field(min_length=1)

    @property
    def priced(self) -> bool:
        return self.fee_usd is not None or bool(self.fee_by_tier_usd) or bool(self.dimensional_weight_bands)

    @model_validator(mode="after")
    def _one_amount_that_covers_every_unit(self) -> ExtraFee:
        given = [
            name
            for name, value in (
                ("fee_usd", self.fee_usd is not None),
                ("fee_by_tier_usd", bool(self.fee_by_tier_usd)),
                ("dimensional_weight_bands", bool(self.dimensional_weight_bands)),
            )
            if value
        ]
        if len(given) > 1:
            raise ValueError(f"give the amount one way, not {' and '.join(given)}")
        if self.fee_by_tier_usd:
            if any(amount < 0 for amount in self.fee_by_tier_usd.values()):
                raise ValueError("fee_by_tier_usd amounts must not be negative")
            if set(self.fee_by_tier_usd) != set(self.tiers):
                missing = sorted(set(self.tiers) - set(self.fee_by_tier_usd))
                unknown = sorted(set(self.fee_by_tier_usd) - set(self.tiers))
                raise ValueError(
                    f"fee_by_tier_usd must name exactly the fee's tiers; missing {missing}, not in tiers {unknown}"
                )
        bands = self.dimensional_weight_bands
        if bands:
            limits = [band.max_dimensional_weight_lb for band in bands]
            if limits[-1] is not None or any(limit is None for limit in limits[:-1]):
                raise ValueError("dimensional_weight_bands: only the last band, and it always, has no upper limit")
            bounded = [limit for limit in limits if limit is not None]
            if bounded != sorted(bounded) or len(set(bounded)) != len(bounded):
                raise ValueError("dimensional_weight_bands must be listed by strictly increasing limit")
        return self


class FbaCard(_CardSection):
    """One FBA rate card: size tiers (tried in order), dimensional weight, price bands, fees, fuel surcharge.

    The card's own fees apply from effective_from to effective_to, except on the days of a `peak` window.
    """

    name: str = Field(min_length=1)
    id: str = Field(default="fba_card", pattern=r"^[a-z0-9_]+$")  # names the card in fba_fee_card
    base_window: str = Field(default="non_peak", pattern=r"^[a-z0-9_]+$")  # names the card's own fees there
    effective_from: date
    effective_to: date
    source: str = Field(min_length=1)
    dimensional_weight: DimensionalWeightRule
    price_bands: PriceBands
    fuel_surcharge: FuelSurcharge
    size_tiers: list[SizeTier] = Field(min_length=1)
    fulfilment_fees: dict[str, TierFees]
    peak: list[FeeWindow] = []
    overmax_handling: ExtraFee | None = None
    bulky_packaging: ExtraFee | None = None

    def window_on(self, day: date | None) -> FeeWindow | None:
        """The fee window in force on `day`; None on the card's own days, or when no date is given."""
        if day is None:
            return None
        return next((window for window in self.peak if window.applies_on(day)), None)

    def fees_on(self, day: date | None) -> dict[str, TierFees]:
        """Each tier's fees on `day`: the window's where it has them, else the card's own."""
        window = self.window_on(day)
        return self.fulfilment_fees if window is None else {**self.fulfilment_fees, **window.fulfilment_fees}

    def label_on(self, day: date | None) -> str:
        """`<card id>:<window>` for the card's own fees on `day` (with `:before_card` / `:after_card` when `day` is
        outside effective_from..effective_to: the card is then the nearest one configured, not the one in force)."""
        window = self.window_on(day)
        label = f"{self.id}:{window.name if window else self.base_window}"
        if day is not None and day < self.effective_from:
            label += ":before_card"
        elif day is not None and day > self.effective_to:
            label += ":after_card"
        return label

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
        for window in self.peak:
            unknown = sorted(set(window.fulfilment_fees) - set(names))
            if unknown:
                raise ValueError(f"peak window {window.name} names unknown tiers: {', '.join(unknown)}")
            if not self.effective_from <= window.valid_from <= window.valid_to <= self.effective_to:
                raise ValueError(
                    f"peak window {window.name} ({window.valid_from}..{window.valid_to}) must lie inside the card's "
                    f"effective_from..effective_to ({self.effective_from}..{self.effective_to}) in date order"
                )
        ordered = sorted(self.peak, key=lambda window: window.valid_from)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later.valid_from <= earlier.valid_to:
                raise ValueError(f"peak windows {earlier.name} and {later.name} overlap")
        for section, extra in (("overmax_handling", self.overmax_handling), ("bulky_packaging", self.bulky_packaging)):
            unknown = sorted(set(extra.tiers) - set(names)) if extra else []
            if unknown:
                raise ValueError(f"{section}.tiers names unknown tiers: {', '.join(unknown)}")
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
#
# Each feature reads one struct per row (see `_unit`): the measures, the tier and the billed weight are computed once
# in it and then referred to by field. Polars does not share repeated subexpressions across when/then branches, so
# writing the tier out in every branch made the plan grow with every tier and band and ran ~100x slower.


FBA_FEATURE_COLUMNS = (
    "fba_size_tier",
    "fba_dimensional_weight_lb",
    "fba_shipping_weight_lb",
    "fba_fulfilment_fee_usd",
    "fba_fulfilment_fee_with_fuel_usd",
    "fba_tier_headroom_pct",
)
# Added by with_fba_features next to FBA_FEATURE_COLUMNS: which card and window priced the fee, the fees on top
# of it, and the sum (null where a part that applies is not yet sourced).
FBA_DATED_COLUMNS = (
    "fba_fee_card",
    "fba_overmax_fee_usd",
    "fba_bulky_packaging_fee_usd",
    "fba_fees_total_usd",
)


def fba_size_tier(card: FbaCard) -> pl.Expr:
    """The first tier, in card order, whose limits the unit meets; null when a side or the weight is missing."""
    return _field_of_unit(card, _size_tier(card)).alias("fba_size_tier")


def fba_dimensional_weight_lb(card: FbaCard) -> pl.Expr:
    """L x W x H in / divisor, with the minimum width and height where the unit's tier has one."""
    return _field_of_unit(card, _dimensional_weight_lb(card)).alias("fba_dimensional_weight_lb")


def fba_shipping_weight_lb(card: FbaCard) -> pl.Expr:
    """The weight the fee is billed on: unit weight for unit-weight-only tiers, else max(unit, dimensional)."""
    return _field_of_unit(card, pl.field("billed_weight_lb")).alias("fba_shipping_weight_lb")


def fba_fulfilment_fee_usd(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """Fulfilment fee per unit before the fuel surcharge; null without a tier or a price above zero.

    `as_of` picks the fees in force that day (a peak window's, else the card's own); None: the card's own.
    """
    return _field_of_unit(card, _fulfilment_fee_usd(card, card.fees_on(as_of))).alias("fba_fulfilment_fee_usd")


def fba_fulfilment_fee_with_fuel_usd(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """The fulfilment fee with the fuel and logistics surcharge, rounded to the cent.

    `as_of` is the date the fee is charged; before the surcharge's effective date the fee is returned unchanged.
    None means the surcharge applies (the card is current).
    """
    with_fuel = _with_fuel_surcharge(card, _fulfilment_fee_usd(card, card.fees_on(as_of)), as_of)
    return _field_of_unit(card, with_fuel).alias("fba_fulfilment_fee_with_fuel_usd")


def fba_fee_card(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """Which card and window priced the unit's fee, e.g. `fba_us_2026:peak_2026`; null without a tier."""
    return _field_of_unit(card, _fee_card_label(card, as_of)).alias("fba_fee_card")


def fba_overmax_fee_usd(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """The overmax handling fee: 0 where it does not apply, null where it applies but its amount is not sourced."""
    return _field_of_unit(card, _extra_fee_usd(card, card.overmax_handling, as_of)).alias("fba_overmax_fee_usd")


def fba_bulky_packaging_fee_usd(card: FbaCard, as_of: date | None = None) -> pl.Expr:
    """The bulky packaging fee: 0 where it does not apply, null where it applies but its amount is not sourced."""
    fee = _extra_fee_usd(card, card.bulky_packaging, as_of)
    return _field_of_unit(card, fee).alias("fba_bulky_packaging_fee_usd")


def fba_tier_headroom_pct(card: FbaCard) -> pl.Expr:
    """How far, in % of its current value, the closest measure can grow before the unit leaves its tier.

    Measures: longest, median and shortest side, the tier's billed weight, and length + girth where the tier limits
    it. 0 means a measure sits exactly on its limit. Null for a tier without limits (the heaviest extra-large band).
    """
    return _field_of_unit(card, _tier_headroom_pct(card)).alias("fba_tier_headroom_pct")


def with_fba_features(listings: Frame, card: FbaCard, as_of: date | None = None) -> Frame:
    """The listings with the six FBA_FEATURE_COLUMNS and the FBA_DATED_COLUMNS added, from one pass over each row.

    Same values as the functions of those names; about 2-3x faster than adding them one by one, because the struct
    of measures is built once (a multi-field struct expression would be expanded and rebuilt per field).
    `as_of` is the day the fees are charged (peak windows, fuel surcharge, extra fees); None: the card's own fees.
    """
    scratch = "__fba_features"
    features = _unit(card).struct.with_fields(
        fba_size_tier=_size_tier(card),
        fba_dimensional_weight_lb=_dimensional_weight_lb(card),
        fba_shipping_weight_lb=pl.field("billed_weight_lb"),
        fba_fulfilment_fee_usd=_fulfilment_fee_usd(card, card.fees_on(as_of)),
        fba_fee_card=_fee_card_label(card, as_of),
        fba_overmax_fee_usd=_extra_fee_usd(card, card.overmax_handling, as_of),
        fba_bulky_packaging_fee_usd=_extra_fee_usd(card, card.bulky_packaging, as_of),
    )
    with_fuel = features.struct.with_fields(
        fba_fulfilment_fee_with_fuel_usd=_with_fuel_surcharge(card, pl.field("fba_fulfilment_fee_usd"), as_of),
        fba_tier_headroom_pct=_tier_headroom_pct(card),
    )
    totalled = with_fuel.struct.with_fields(
        fba_fees_total_usd=(
            pl.field("fba_fulfilment_fee_with_fuel_usd")
            + pl.field("fba_overmax_fee_usd")
            + pl.field("fba_bulky_packaging_fee_usd")
        ).round(2, mode="half_away_from_zero"),
    )
    return (
        listings.with_columns(totalled.alias(scratch))
        .with_columns(pl.col(scratch).struct.field(*FBA_FEATURE_COLUMNS, *FBA_DATED_COLUMNS))
        .drop(scratch)
    )


# --- feature values over the fields of `_unit` ------------------------------------------------------------------


def _size_tier(card: FbaCard) -> pl.Expr:
    names = {index: tier.name for index, tier in enumerate(card.size_tiers)}
    return pl.field("tier_index").replace_strict(names, return_dtype=pl.String)


def _dimensional_weight_lb(card: FbaCard) -> pl.Expr:
    floored = _tier_indices(card, card.dimensional_weight.min_width_height_tiers)
    tier = pl.field("tier_index")
    return (
        pl.when(tier.is_in(floored))
        .then(pl.field("dimensional_weight_floored_lb"))
        .when(tier.is_not_null())
        .then(pl.field("dimensional_weight_lb"))
    )


def _fulfilment_fee_usd(card: FbaCard, fees: dict[str, TierFees]) -> pl.Expr:
    banded, incremental = _banded_fee_usd(card, fees), _incremental_fee_usd(card, fees)
    return pl.coalesce(banded, incremental).round(2, mode="half_away_from_zero")


def _fee_card_label(card: FbaCard, as_of: date | None) -> pl.Expr:
    """The card and window label; in a window, tiers the window lacks say they fell back to the card's own fee."""
    tier = pl.field("tier_index")
    label = pl.when(tier.is_not_null()).then(pl.lit(card.label_on(as_of)))
    window = card.window_on(as_of)
    if window is None:
        return label
    lacking = [name for name in card.fulfilment_fees if name not in window.fulfilment_fees]
    if not lacking:
        return label
    fallback = f"{card.label_on(None)}:{window.name}_not_yet"
    return pl.when(tier.is_in(_tier_indices(card, lacking))).then(pl.lit(fallback)).otherwise(label)


def _extra_fee_usd(card: FbaCard, extra: ExtraFee | None, as_of: date | None) -> pl.Expr:
    """0 where the fee does not apply, its amount where it does (null while not sourced); null without a tier."""
    tier = pl.field("tier_index")
    if extra is None:  # a card that does not model the fee: unknown
        return pl.lit(None, pl.Float64)
    if as_of is not None and as_of < extra.effective_from:
        return pl.when(tier.is_not_null()).then(pl.lit(0.0))
    over = []
    if extra.longest_side_over_in is not None:
        over.append(pl.field("longest_in") > extra.longest_side_over_in + _TOLERANCE)
    if extra.length_plus_girth_over_in is not None:
        over.append(pl.field("length_plus_girth_in") > extra.length_plus_girth_over_in + _TOLERANCE)
    applies = tier.is_in(_tier_indices(card, extra.tiers))
    if over:
        applies = applies & pl.any_horizontal(over)
    return (
        pl.when(tier.is_null())
        .then(pl.lit(None, pl.Float64))
        .when(applies)
        .then(_extra_fee_amount_usd(card, extra))
        .otherwise(pl.lit(0.0))
    )


def _extra_fee_amount_usd(card: FbaCard, extra: ExtraFee) -> pl.Expr:
    """The fee's amount for a unit it applies to: flat, by size tier or by dimensional weight; null if not sourced."""
    if extra.fee_by_tier_usd:
        return _per_tier(pl.field("tier_index"), [extra.fee_by_tier_usd.get(t.name) for t in card.size_tiers])
    if extra.dimensional_weight_bands:
        weight = _dimensional_weight_lb(card)
        amount: pl.Expr = pl.lit(extra.dimensional_weight_bands[-1].fee_usd, pl.Float64)  # the open last band
        for band in reversed(extra.dimensional_weight_bands[:-1]):
            limit = band.max_dimensional_weight_lb
            if limit is not None:  # always, below the last band (checked at load)
                amount = pl.when(weight <= limit + _TOLERANCE).then(pl.lit(band.fee_usd, pl.Float64)).otherwise(amount)
        return amount
    return pl.lit(extra.fee_usd, pl.Float64)


def _with_fuel_surcharge(card: FbaCard, fee: pl.Expr, as_of: date | None) -> pl.Expr:
    surcharge = card.fuel_surcharge
    if as_of is not None and as_of < surcharge.effective_from:
        return fee
    return (fee * (1 + surcharge.rate_pct / 100)).round(2, mode="half_away_from_zero")


def _tier_headroom_pct(card: FbaCard) -> pl.Expr:
    tiers, tier = card.size_tiers, pl.field("tier_index")
    measures: list[tuple[list[float | None], str]] = [
        ([t.max_weight_lb for t in tiers], "billed_weight_lb"),
        ([t.max_longest_in for t in tiers], "longest_in"),
        ([t.max_median_in for t in tiers], "median_in"),
        ([t.max_shortest_in for t in tiers], "shortest_in"),
        ([t.max_length_plus_girth_in for t in tiers], "length_plus_girth_in"),
    ]
    margins = [
        (_per_tier(tier, limits) - pl.field(measure)) / pl.field(measure) * 100
        for limits, measure in measures
        if any(limit is not None for limit in limits)
    ]
    # min_horizontal skips the limits a tier does not set; a tier that sets none stays null.
    return pl.min_horizontal(margins).clip(lower_bound=0.0)


# --- building blocks ----------------------------------------------------------------------------------------------

_PRICE_BANDS = ("under_10", "from_10_to_50", "over_50")  # price_band 0, 1, 2


def _field_of_unit(card: FbaCard, value: pl.Expr) -> pl.Expr:
    """`value`, an expression over the fields of `_unit(card)`, evaluated per row."""
    return _unit(card).struct.with_fields(value=value).struct.field("value")


def _unit(card: FbaCard) -> pl.Expr:
    """One struct per row: sides (in), weights (lb), price, tier index, billed weight and price band."""
    rule = card.dimensional_weight
    longest, median, shortest = pl.field("longest_in"), pl.field("median_in"), pl.field("shortest_in")
    floor = rule.min_width_height_in
    measured = pl.struct(
        longest_in=dimensions.longest_side_cm() / CM_PER_IN,
        median_in=dimensions.median_side_cm() / CM_PER_IN,
        shortest_in=dimensions.shortest_side_cm() / CM_PER_IN,
        unit_weight_lb=dimensions.known_weight_kg() * LB_PER_KG,
        price_usd=pl.col("price_usd"),
    )
    derived = measured.struct.with_fields(
        length_plus_girth_in=longest + 2 * (median + shortest),
        dimensional_weight_lb=longest * median * shortest / rule.divisor_in3_per_lb,
        dimensional_weight_floored_lb=(
            longest * median.clip(lower_bound=floor) * shortest.clip(lower_bound=floor) / rule.divisor_in3_per_lb
        ),
    )
    # Where every side and the weight are known, so max_horizontal's skipping of nulls cannot hide a missing one.
    weighed = derived.struct.with_fields(
        shipping_weight_lb=pl.max_horizontal(pl.field("unit_weight_lb"), pl.field("dimensional_weight_lb")),
        shipping_weight_floored_lb=pl.max_horizontal(
            pl.field("unit_weight_lb"), pl.field("dimensional_weight_floored_lb")
        ),
    )
    tiered = weighed.struct.with_fields(
        tier_index=pl.when(longest.is_not_null() & pl.field("unit_weight_lb").is_not_null()).then(_tier_index(card))
    )
    return tiered.struct.with_fields(billed_weight_lb=_billed_weight_lb(card), price_band=_price_band(card))


def _weight_field(card: FbaCard, tier_name: str) -> str:
    """The weight a tier's weight limit and fee apply to: unit weight, or the greater of unit and dimensional."""
    rule = card.dimensional_weight
    if tier_name in rule.unit_weight_only_tiers:
        return "unit_weight_lb"
    if tier_name in rule.min_width_height_tiers:
        return "shipping_weight_floored_lb"
    return "shipping_weight_lb"


def _tier_index(card: FbaCard) -> pl.Expr:
    """Position in card.size_tiers of the first tier whose limits the unit meets (the last tier has none)."""
    tiers = card.size_tiers
    chosen: pl.Expr = pl.lit(len(tiers) - 1, pl.Int64)
    for index in reversed(range(len(tiers) - 1)):
        chosen = pl.when(_fits(card, tiers[index])).then(pl.lit(index, pl.Int64)).otherwise(chosen)
    return chosen


def _fits(card: FbaCard, tier: SizeTier) -> pl.Expr:
    limits: list[tuple[float | None, str]] = [
        (tier.max_weight_lb, _weight_field(card, tier.name)),
        (tier.max_longest_in, "longest_in"),
        (tier.max_median_in, "median_in"),
        (tier.max_shortest_in, "shortest_in"),
        (tier.max_length_plus_girth_in, "length_plus_girth_in"),
    ]
    return pl.all_horizontal(
        [pl.field(measure) <= limit + _TOLERANCE for limit, measure in limits if limit is not None]
    )


def _tier_indices(card: FbaCard, names: list[str]) -> list[int]:
    return [index for index, tier in enumerate(card.size_tiers) if tier.name in names]


def _billed_weight_lb(card: FbaCard) -> pl.Expr:
    tier = pl.field("tier_index")
    billed: pl.Expr = pl.lit(None, pl.Float64)
    for weight_field in ("shipping_weight_lb", "shipping_weight_floored_lb", "unit_weight_lb"):
        indices = [index for index, t in enumerate(card.size_tiers) if _weight_field(card, t.name) == weight_field]
        billed = pl.when(tier.is_in(indices)).then(pl.field(weight_field)).otherwise(billed)
    return billed


def _price_band(card: FbaCard) -> pl.Expr:
    """0 under the low-price edge, 1 up to and including the high-price edge, 2 above it; null without a price > 0."""
    price, bands = pl.field("price_usd"), card.price_bands
    return (
        pl.when(~(price > 0))
        .then(pl.lit(None, pl.Int64))
        .when(price < bands.low_price_below_usd)
        .then(pl.lit(0, pl.Int64))
        .when(price <= bands.high_price_above_usd)
        .then(pl.lit(1, pl.Int64))
        .when(price > bands.high_price_above_usd)
        .then(pl.lit(2, pl.Int64))
    )


def _per_tier(tier: pl.Expr, values: list[float | None]) -> pl.Expr:
    """values[tier index] as Float64; null where the tier has no value."""
    mapping = {index: value for index, value in enumerate(values) if value is not None}
    if not mapping:
        return pl.lit(None, pl.Float64)
    return tier.replace_strict(mapping, default=None, return_dtype=pl.Float64)


def _by_price_band(under_10_usd: float, from_10_to_50_usd: float, over_50_usd: float) -> pl.Expr:
    band = pl.field("price_band")
    return (
        pl.when(band == 0)
        .then(pl.lit(under_10_usd))
        .when(band == 1)
        .then(pl.lit(from_10_to_50_usd))
        .when(band == 2)
        .then(pl.lit(over_50_usd))
    )


def _banded_fee_usd(card: FbaCard, fees: dict[str, TierFees]) -> pl.Expr:
    """The fee of the weight band holding the billed weight; null beyond a tier's last band or without bands."""
    tier, weight_oz = pl.field("tier_index"), pl.field("billed_weight_lb") * OZ_PER_LB
    fee: pl.Expr = pl.lit(None, pl.Float64)
    for index, size_tier in enumerate(card.size_tiers):
        bands = fees[size_tier.name].weight_bands
        if not bands:
            continue
        band_fee: pl.Expr = pl.lit(None, pl.Float64)
        for band in reversed(bands):
            band_fee = (
                pl.when(weight_oz <= band.max_shipping_weight_oz + _TOLERANCE)
                .then(_by_price_band(band.under_10_usd, band.from_10_to_50_usd, band.over_50_usd))
                .otherwise(band_fee)
            )
        fee = pl.when(tier == index).then(band_fee).otherwise(fee)
    return fee


def _incremental_fee_usd(card: FbaCard, fees: dict[str, TierFees]) -> pl.Expr:
    """Base + per_step_usd x whole or part steps above charged_above_lb; null for tiers without above_bands."""
    tier = pl.field("tier_index")
    rates = [fees[t.name].above_bands for t in card.size_tiers]
    charged_above_lb = _per_tier(tier, [rate.charged_above_lb if rate else None for rate in rates])
    step_lb = _per_tier(tier, [rate.step_lb if rate else None for rate in rates])
    per_step_usd = _per_tier(tier, [rate.per_step_usd if rate else None for rate in rates])
    base_by_band = [
        _per_tier(tier, [getattr(rate, f"base_{band}_usd") if rate else None for rate in rates])
        for band in _PRICE_BANDS
    ]
    band = pl.field("price_band")
    base = (
        pl.when(band == 0)
        .then(base_by_band[0])
        .when(band == 1)
        .then(base_by_band[1])
        .when(band == 2)
        .then(base_by_band[2])
    )
    steps = ((pl.field("billed_weight_lb") - charged_above_lb) / step_lb - _TOLERANCE).ceil().clip(lower_bound=0)
    return base + steps * per_step_usd
