"""Fragility from what the listing says about itself: category, title and description keywords."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import FragilitySettings
from xborder_pipeline.features.keywords import listing_text, mentions_any, without_phrases


def fragility_score(settings: FragilitySettings) -> pl.Expr:
    """0-1: the highest score among keyword families found; description-only finds are discounted."""
    headline = without_phrases(listing_text("category", "title"), settings.exclude)
    description = without_phrases(listing_text("description"), settings.exclude)
    family_scores = [
        pl.when(mentions_any(headline, family.keywords))
        .then(pl.lit(family.score))
        .when(mentions_any(description, family.keywords))
        .then(pl.lit(family.score * settings.description_weight))
        .otherwise(pl.lit(0.0))
        for family in settings.families
    ]
    return pl.max_horizontal(family_scores)


def is_fragile(settings: FragilitySettings) -> pl.Expr:
    return pl.col("fragility_score") >= settings.fragile_min_score
