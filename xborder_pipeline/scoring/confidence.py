"""How far to trust a score: weight and box size drive every cost, so doubtful values lower it."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.features.dimensions import all_sides_known, is_physical_goods


def confidence_conditions(settings: Settings) -> dict[str, pl.Expr]:
    quality = settings.data_quality
    density = pl.col("density_kg_per_m3")
    doubts = {
        "NO_SHIPPING_ESTIMATE": pl.col("chargeable_weight_kg").is_null(),
        "MISSING_WEIGHT": pl.col("weight_kg").is_null() | (pl.col("weight_kg") == 0),
        "MISSING_DIMENSIONS": ~all_sides_known(),
        "PLACEHOLDER_DIMENSIONS": (pl.col("listings_sharing_box") >= quality.placeholder_box_min_listings)
        & (pl.col("categories_sharing_box") >= quality.placeholder_box_min_categories),
        "IMPLAUSIBLE_DENSITY": (density < quality.min_density_kg_per_m3)
        | (density > quality.max_density_kg_per_m3)
        # a declared weight denser than any packed goods is set aside (features/estimates.py)
        | pl.col("declared_weight_too_dense")
        # ... or, for a light weight, the box is (estimates.dense_box_doubted_up_to_kg)
        | pl.col("declared_box_too_small"),
        "NO_PRICE": pl.col("price_usd").is_null(),
        "NO_TEXT": _blank("title") & _blank("description"),
        "IMPLAUSIBLE_WEIGHT": pl.col("weight_set_aside"),
        "DIMENSIONS_BELOW_TITLE_SIZE": pl.col("dimensions_below_title_size"),
        "ESTIMATED_WEIGHT": pl.col("weight_basis").is_in(ESTIMATED_BASES),
        "ESTIMATED_DIMENSIONS": pl.col("dimensions_basis").is_in(ESTIMATED_BASES),
    }
    # Goods that are never shipped need no weight or box; only their price can be in doubt.
    physical = is_physical_goods()
    conditions = {code: condition if code == "NO_PRICE" else physical & condition for code, condition in doubts.items()}
    # Doubts that cap confidence at medium without counting towards low (see data_confidence).
    conditions["CURRENCY_ASSUMED"] = pl.col("currency_assumed").fill_null(False)
    return conditions


# A listing with one of these is at most `medium`, but they do not add to the doubts that make it `low`:
# an assumed currency makes every money figure doubtful, not the weight or box the shipping cost rests on;
# estimates name what a doubt (a missing or set-aside value) led to rather than a doubt of their own.
ESTIMATE_CODES = ("ESTIMATED_WEIGHT", "ESTIMATED_DIMENSIONS")
CAPPED_AT_MEDIUM: tuple[str, ...] = ("CURRENCY_ASSUMED", *ESTIMATE_CODES)
ESTIMATED_BASES = ("sibling", "title", "category_prior")


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def data_confidence(settings: Settings) -> pl.Expr:
    """high: nothing doubtful; medium: one doubt, or a capping one (CAPPED_AT_MEDIUM); low: two or more
    doubts, or no shipping estimate at all."""
    conditions = confidence_conditions(settings)
    doubts = pl.sum_horizontal([
        condition.fill_null(False).cast(pl.Int32) for code, condition in conditions.items()
        if code not in CAPPED_AT_MEDIUM
    ])
    capped = pl.any_horizontal([conditions[code].fill_null(False) for code in CAPPED_AT_MEDIUM])
    return (
        pl.when(conditions["NO_SHIPPING_ESTIMATE"].fill_null(False) | (doubts >= 2))
        .then(pl.lit("low"))
        .when((doubts == 1) | capped)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("high"))
    )
