"""CURRENCY_ASSUMED: a cap on data confidence (at most medium), not one more doubt towards low."""

from __future__ import annotations

import polars as pl
import pytest

from tests.unit.test_scoring import confidence, listings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.scoring import with_scores


def _scored(settings, assumed: bool | None, **overrides: object) -> pl.DataFrame:
    frame = listings(overrides).with_columns(currency_assumed=pl.lit(assumed, pl.Boolean))
    return with_scores(with_listing_features(frame, settings), settings)


@pytest.mark.parametrize(
    ("assumed", "overrides", "level", "codes"),
    [
        (True, {}, "medium", ["CURRENCY_ASSUMED"]),  # nothing else in doubt: capped at medium
        (False, {}, "high", []),
        (None, {}, "high", []),  # a file that says nothing about it (canonical) assumed nothing
        (True, {"weight_kg": None}, "medium", ["MISSING_WEIGHT", "CURRENCY_ASSUMED"]),  # a cap, not a second doubt
        (True, {"weight_kg": None, "price": None, "currency": None}, "low",
         ["MISSING_WEIGHT", "NO_PRICE", "CURRENCY_ASSUMED"]),  # still low with two other doubts
        (True, {"is_physical": False}, "medium", ["CURRENCY_ASSUMED"]),  # a fee's price is in doubt too
    ],
)
def test_an_assumed_currency_caps_confidence_at_medium(settings, assumed, overrides, level, codes) -> None:
    assert confidence(_scored(settings, assumed, **overrides)) == [(level, codes)]


def test_a_frame_without_the_column_scores_as_before(settings) -> None:
    frame = with_scores(with_listing_features(listings({}), settings), settings)

    assert confidence(frame) == [("high", [])]
