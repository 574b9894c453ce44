"""Suitability for direct cross-border parcels: 100 less a penalty for each reason found."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import is_physical_goods
from xborder_pipeline.features.estimates import priced_weight_kg


def suitability_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """Each suitability reason code and the condition under which a listing carries it."""
    scoring, postal = settings.scoring, settings.postal
    # A parcel is prohibitive when it lands (shipping, duty, customs fee) above the price; fine and poor
    # judge shipping alone unless scoring.fine_and_poor_ratio_basis says "landed".
    landed = pl.col("landed_cost_ratio")
    ratio = landed if scoring.fine_and_poor_ratio_basis == "landed" else pl.col("logistics_cost_ratio")
    margin = judged_margin_ratio(settings)
    physical = is_physical_goods()
    shipping_conditions = {
        "RESTRICTED_GOODS": pl.col("is_restricted"),
        "NO_DIRECT_PARCEL_CHANNEL": pl.col("recommended_channel").is_null()
        & pl.col("chargeable_weight_kg").is_not_null(),
        "SHIPPING_EXCEEDS_PRICE": landed > scoring.logistics_cost_ratio_prohibitive,
        "AEROSOL_OR_FLAMMABLE_REFUSED_BY_POST": pl.col("is_aerosol_or_flammable"),
        "LOOSE_BATTERY_REFUSED_BY_POST": pl.col("is_loose_battery"),
        "HIGH_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_poor)
        & (landed <= scoring.logistics_cost_ratio_prohibitive),
        "NEGATIVE_MARGIN": (pl.col("margin_after_logistics_usd") < 0) | (margin < 0),
        "LIQUID_REFUSED_BY_POST": pl.col("is_liquid"),
        "OVER_POSTAL_WEIGHT": priced_weight_kg() > postal.max_weight_kg,
        "OVER_POSTAL_SIZE": (pl.col("sum_of_sides_cm") > postal.max_sum_of_sides_cm)
        | (pl.col("longest_side_cm") > postal.max_longest_side_cm),
        "FRAGILE": pl.col("is_fragile"),
        "BATTERY_SENSITIVE_CARGO": pl.col("has_battery") & ~pl.col("is_loose_battery"),
        "ELEVATED_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_fine)
        & (ratio <= scoring.logistics_cost_ratio_poor)
        & (landed <= scoring.logistics_cost_ratio_prohibitive),
        "POWDER_SENSITIVE_CARGO": pl.col("is_powder"),
        "THIN_MARGIN": (margin >= 0) & (margin < scoring.thin_margin_ratio),
        "MAGNET_SENSITIVE_CARGO": pl.col("has_magnet"),
        "OVERSIZE_FOR_PARCEL": pl.col("is_oversize"),
    }
    return {
        "NOT_PHYSICAL": ~physical,
        **{code: physical & condition for code, condition in shipping_conditions.items()},
    }


def margin_on_assumed_cost() -> pl.Expr:
    """No unit cost, but a price: the margin is judged on an assumed goods cost."""
    return pl.col("unit_cost_usd").is_null() & (pl.col("price_usd") > 0)


def judged_margin_ratio(settings: Settings) -> pl.Expr:
    """The margin after logistics as a share of price: the listing's own where it has a unit cost, else
    the one left after goods costing warehouse.goods_value_share_of_price of the price (the warehouse
    model's assumption) and the landed parcel. Null where there is no price or no landed cost."""
    assumed = 1.0 - settings.warehouse.goods_value_share_of_price - pl.col("landed_cost_usd") / pl.col("price_usd")
    return pl.when(margin_on_assumed_cost()).then(assumed).otherwise(pl.col("margin_ratio"))


def margin_reason_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """NO_UNIT_COST where the margin cannot be computed; MARGIN_ON_ASSUMED_COST where a margin penalty
    (THIN_MARGIN, NEGATIVE_MARGIN) rests on the assumed goods cost instead."""
    conditions = suitability_conditions(settings)
    margin_penalised = conditions["THIN_MARGIN"].fill_null(False) | conditions["NEGATIVE_MARGIN"].fill_null(False)
    return {
        "NO_UNIT_COST": pl.col("unit_cost_usd").is_null() & pl.col("price_usd").is_not_null(),
        "MARGIN_ON_ASSUMED_COST": margin_on_assumed_cost() & margin_penalised,
    }


def fragile_margin_unknown(settings: Settings) -> pl.Expr:
    """A fragile parcel whose margin is unknown (no unit cost or no price), where the rule is on."""
    if settings.scoring.fragile_unknown_margin_max_band == "suitable":
        return pl.lit(False)
    return is_physical_goods() & pl.col("is_fragile") & pl.col("margin_after_logistics_usd").is_null()


def band_reason_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """FRAGILE_MARGIN_UNKNOWN and OVERSIZE_LOW_MARGIN where that rule lowered the band the score (and the rules
    before it) give (a band that stays so, not one that is `unknown` for want of a parcel cost)."""
    by_score = _band_rank_by_score(settings)
    fragile_lowered = fragile_margin_unknown(settings) & (by_score < _fragile_cap_rank(settings))
    before_low_margin = pl.max_horizontal(by_score, _cap_rank(settings, exclude_low_margin=True))
    low_margin_lowered = oversize_low_margin(settings) & (
        before_low_margin < BAND_RANKS[settings.scoring.oversize_low_margin_max_band]
    )
    return {
        "FRAGILE_MARGIN_UNKNOWN": fragile_lowered & ~no_parcel_cost(),
        "OVERSIZE_LOW_MARGIN": low_margin_lowered & ~no_parcel_cost(),
    }


def oversize_goods() -> pl.Expr:
    return is_physical_goods() & pl.col("is_oversize").fill_null(False)


def oversize_low_margin(settings: Settings) -> pl.Expr:
    """Oversize goods whose judged margin (their own, else on the assumed goods cost) is below thin_margin_ratio."""
    low = (judged_margin_ratio(settings) < settings.scoring.thin_margin_ratio).fill_null(False)
    return oversize_goods() & low


def _cap_rank(settings: Settings, exclude_low_margin: bool = False) -> pl.Expr:
    """The worst band rank the band rules set (0, suitable, where none applies)."""
    scoring = settings.scoring
    caps = [
        pl.when(fragile_margin_unknown(settings).fill_null(False)).then(_fragile_cap_rank(settings)).otherwise(0),
        pl.when(oversize_goods()).then(BAND_RANKS[scoring.oversize_max_band]).otherwise(0),
    ]
    if not exclude_low_margin:
        caps.append(
            pl.when(oversize_low_margin(settings)).then(BAND_RANKS[scoring.oversize_low_margin_max_band]).otherwise(0)
        )
    return pl.max_horizontal(caps)


def suitability_reason_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """The suitability conditions, the heaviest penalty first."""
    conditions = suitability_conditions(settings)
    by_impact = sorted(conditions, key=lambda code: -settings.scoring.penalties[code])
    return {code: conditions[code] for code in by_impact}


def suitability_score(settings: Settings) -> pl.Expr:
    """0-100. FRAGILE's penalty scales with fragility_score; every other penalty is taken whole."""
    penalties = settings.scoring.penalties
    taken = [
        pl.when(condition.fill_null(False))
        .then(penalties[code] * (pl.col("fragility_score") if code == "FRAGILE" else pl.lit(1.0)))
        .otherwise(0.0)
        for code, condition in suitability_conditions(settings).items()
    ]
    return (100.0 - pl.sum_horizontal(taken)).clip(0.0, 100.0).round(1)


BAND_RANKS = {"suitable": 0, "marginal": 1, "unsuitable": 2}


def _band_rank_by_score(settings: Settings) -> pl.Expr:
    score = pl.col("suitability_score")
    return (
        pl.when(score >= settings.scoring.suitable_min_score)
        .then(BAND_RANKS["suitable"])
        .when(score >= settings.scoring.marginal_min_score)
        .then(BAND_RANKS["marginal"])
        .otherwise(BAND_RANKS["unsuitable"])
    )


def _fragile_cap_rank(settings: Settings) -> int:
    return BAND_RANKS[settings.scoring.fragile_unknown_margin_max_band]


def suitability_band(settings: Settings) -> pl.Expr:
    """The band of the score, then rules that no score can lift:

    - a fragile listing with no known margin reaches at best scoring.fragile_unknown_margin_max_band;
    - an oversize listing reaches at best scoring.oversize_max_band, and scoring.oversize_low_margin_max_band when
      its judged margin is below scoring.thin_margin_ratio;
    - a physical listing with no chargeable weight (no weight and no full box, declared or estimated)
      is `unknown`: its parcel has no cost. A listing already `unsuitable` on what is known stays so,
      since every cost still missing could only take more points off.
    """
    rank = pl.max_horizontal(_band_rank_by_score(settings), _cap_rank(settings))
    band = rank.replace_strict({position: band for band, position in BAND_RANKS.items()}, return_dtype=pl.String)
    return pl.when(no_parcel_cost() & (band != "unsuitable")).then(pl.lit("unknown")).otherwise(band)


def no_parcel_cost() -> pl.Expr:
    """A physical listing with no chargeable weight: no weight above 0 and no full box, declared or estimated."""
    return is_physical_goods() & pl.col("chargeable_weight_kg").is_null()
