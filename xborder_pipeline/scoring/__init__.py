"""Scoring: direct-parcel suitability, overseas-warehouse flag, reasons and data confidence."""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from xborder_pipeline.codes import codes_where
from xborder_pipeline.config import Settings
from xborder_pipeline.scoring import confidence, suitability, trade_model, warehousing

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# `unknown`: a parcel with no weight and no box (declared or estimated) has no cost to judge.
SUITABILITY_BANDS = ("suitable", "marginal", "unsuitable", "unknown")
WAREHOUSE_FLAGS = ("recommended", "candidate_unproven_demand", "not_recommended")
CONFIDENCE_LEVELS = ("high", "medium", "low")


def with_scores(featured: Frame, settings: Settings) -> Frame:
    """Listings with features, plus score, band, warehouse flag, confidence and the reasons for all."""
    if "currency_assumed" not in featured.collect_schema().names():
        featured = featured.with_columns(currency_assumed=pl.lit(None, pl.Boolean))  # missing: named by the file
    scored = featured.with_columns(
        suitability_score=suitability.suitability_score(settings),
        warehouse_flag=warehousing.warehouse_flag(settings),
        data_confidence=confidence.data_confidence(settings),
        trade_model_hint=trade_model.trade_model_hint(settings),
        trade_model_reasons=trade_model.trade_model_reasons(settings),
    )
    # the band and the reasons for it read the score
    return scored.with_columns(
        reasons=codes_where(reason_conditions(settings)),
        suitability_band=suitability.suitability_band(settings),
    )


def reason_conditions(settings: Settings) -> dict[str, pl.Expr]:
    """Every code of `reasons`, in the order listed: suitability (heaviest penalty first), warehouse, margin,
    confidence, then the band rules. One list built from all of them costs less than lists joined together."""
    groups = (
        suitability.suitability_reason_conditions(settings),
        warehousing.warehouse_reason_conditions(settings),
        suitability.margin_reason_conditions(settings),
        confidence.confidence_conditions(settings),
        suitability.band_reason_conditions(settings),
    )
    conditions = {code: condition for group in groups for code, condition in group.items()}
    if len(conditions) != sum(len(group) for group in groups):
        raise ValueError("a reason code belongs to two groups of reasons; each code must have one meaning")
    return conditions
