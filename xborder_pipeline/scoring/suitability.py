"""Suitability for direct cross-border parcels: 100 less a penalty for each reason found."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.codes import codes_where
from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import is_physical_goods
from xborder_pipeline.features.estimates import priced_weight_kg


def suitability_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """Each suitability reason code and the condition under which a listing carries it."""
    scoring, postal = settings.scoring, settings.postal
    ratio = pl.col("logistics_cost_ratio")
    physical = is_physical_goods()
    shipping_conditions = {
        "NO_DIRECT_PARCEL_CHANNEL": pl.col("recommended_channel").is_null()
        & pl.col("chargeable_weight_kg").is_not_null(),
        "SHIPPING_EXCEEDS_PRICE": ratio > scoring.logistics_cost_ratio_prohibitive,
        "AEROSOL_OR_FLAMMABLE_REFUSED_BY_POST": pl.col("is_aerosol_or_flammable"),
        "LOOSE_BATTERY_REFUSED_BY_POST": pl.col("is_loose_battery"),
        "HIGH_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_poor)
        & (ratio <= scoring.logistics_cost_ratio_prohibitive),
        "NEGATIVE_MARGIN": pl.col("margin_after_logistics_usd") < 0,
        "LIQUID_REFUSED_BY_POST": pl.col("is_liquid"),
        "OVER_POSTAL_WEIGHT": priced_weight_kg() > postal.max_weight_kg,
        "OVER_POSTAL_SIZE": (pl.col("sum_of_sides_cm") > postal.max_sum_of_sides_cm)
        | (pl.col("longest_side_cm") > postal.max_longest_side_cm),
        "FRAGILE": pl.col("is_fragile"),
        "BATTERY_SENSITIVE_CARGO": pl.col("has_battery") & ~pl.col("is_loose_battery"),
        "ELEVATED_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_fine)
        & (ratio <= scoring.logistics_cost_ratio_poor),
        "POWDER_SENSITIVE_CARGO": pl.col("is_powder"),
        "THIN_MARGIN": (pl.col("margin_ratio") >= 0) & (pl.col("margin_ratio") < scoring.thin_margin_ratio),
        "MAGNET_SENSITIVE_CARGO": pl.col("has_magnet"),
    }
    return {
        "NOT_PHYSICAL": ~physical,
        **{code: physical & condition for code, condition in shipping_conditions.items()},
    }


def suitability_reasons(settings: Settings) -> pl.Expr:
    """The suitability reason codes a listing carries, the heaviest penalty first."""
    conditions = suitability_conditions(settings)
    by_impact = sorted(conditions, key=lambda code: -settings.scoring.penalties[code])
    return codes_where({code: conditions[code] for code in by_impact})


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


def suitability_band(settings: Settings) -> pl.Expr:
    score = pl.col("suitability_score")
    return (
        pl.when(score >= settings.scoring.suitable_min_score)
        .then(pl.lit("suitable"))
        .when(score >= settings.scoring.marginal_min_score)
        .then(pl.lit("marginal"))
        .otherwise(pl.lit("unsuitable"))
    )
