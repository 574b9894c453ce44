"""Estimates on the real exports in ../shared/data/exports (or $XBORDER_SHARED_EXPORTS): read where they lie,
skipped when absent. Features and scores only (no Prefect)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import polars as pl
import pytest

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.features.estimates import BASES
from xborder_pipeline.ingest import IngestOptions, read_listings
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.validation import validate_listings

BESIDE_THE_REPO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "exports"
EXPORTS = Path(os.environ.get("XBORDER_SHARED_EXPORTS") or BESIDE_THE_REPO)
HYDROPONICS = "hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv"

pytestmark = pytest.mark.skipif(
    not EXPORTS.is_dir(),
    reason=f"the shared real exports are not here ({EXPORTS}; set XBORDER_SHARED_EXPORTS); nothing to check",
)


@cache
def hydroponics() -> pl.DataFrame:
    settings = load_settings()
    ingested = read_listings([EXPORTS / HYDROPONICS], IngestOptions(weight_unit="lb", length_unit="in"))
    valid = validate_listings(ingested.records, settings, earlier_rejects=ingested.rejects).valid
    return with_scores(with_listing_features(valid, settings), settings)


def test_no_placeholder_box_prices_a_listing() -> None:
    scored = hydroponics()
    placeholder = scored.filter(pl.col("reasons").list.contains("PLACEHOLDER_DIMENSIONS"))

    assert placeholder.height > 100  # the store's 12 x 12 x 12 in box
    assert placeholder["dimensions_basis"].is_in(["declared"]).sum() == 0


def test_every_listing_names_its_bases_and_estimates_only_replace_what_is_not_usable() -> None:
    scored = hydroponics()

    assert set(scored["weight_basis"]) <= set(BASES)
    assert set(scored["dimensions_basis"]) <= set(BASES)
    declared = scored.filter(pl.col("weight_basis") == "declared")
    assert declared["estimated_weight_kg"].null_count() == declared.height
    estimated = scored.filter(pl.col("weight_basis").is_in(["sibling", "title", "category_prior"]))
    assert estimated["estimated_weight_kg"].null_count() == 0
    assert (estimated["data_confidence"] != "high").all()


def test_a_4_ft_part_in_a_1_ft_box_is_priced_on_its_length() -> None:
    scored = hydroponics()
    below = scored.filter(pl.col("dimensions_below_title_size"))

    assert below.height > 0
    assert (below["longest_side_cm"] > below["length_cm"]).all()
    assert below["reasons"].list.contains("DIMENSIONS_BELOW_TITLE_SIZE").all()
