"""The fingerprints that decide what an incremental run scores again (xborder_pipeline.incremental)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

import xborder_pipeline.incremental as incremental
from xborder_pipeline.features.fba import load_fba_card
from xborder_pipeline.incremental import (
    _DATE,
    INPUT_FINGERPRINT,
    LISTING_FINGERPRINT,
    RUN_WIDE_INPUTS,
    _strings,
    full_rescore_reason,
    listing_fingerprint,
    scoring_context,
    tree_fingerprint,
    with_input_fingerprint,
)


def _listings() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "listing_id": ["A", "B", "C", "D"],
            "price": [10.0, 12.5, 3.0, 8.0],
            "product_group": ["mug", "mug", None, "bowl"],
            "source_file": ["night1.csv"] * 4,
            "source_row": [1, 2, 3, 4],
            "listings_sharing_box": [1, 1, 6, None],
            "categories_sharing_box": [1, 1, 3, None],
            "monthly_units_sold": [5.0, None, 2.0, None],
            "demand_source": ["listing", "none", "listing", "none"],
            "demand_evidence": [None, None, None, None],
            "demand_reasons": [None, None, None, None],
        },
        schema_overrides={"demand_evidence": pl.String, "demand_reasons": pl.List(pl.String)},
    )


def _with_listing_fingerprint(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(listing_fingerprint(frame.columns))


def _fingerprints(frame: pl.DataFrame, context: str = "0123456789abcdef") -> dict[str, int]:
    own = _with_listing_fingerprint(frame.drop(*RUN_WIDE_INPUTS)).join(frame.select("listing_id", *RUN_WIDE_INPUTS),
                                                                      on="listing_id")
    done = with_input_fingerprint(own, context)
    return dict(zip(done["listing_id"], done[INPUT_FINGERPRINT], strict=True))


def test_a_listings_own_fingerprint_ignores_where_it_was_read_and_follows_its_values() -> None:
    listings = _listings().drop(*RUN_WIDE_INPUTS)
    moved = listings.with_columns(source_file=pl.lit("night2.csv"), source_row=pl.col("source_row") + 10)
    repriced = listings.with_columns(price=pl.when(pl.col("listing_id") == "C").then(3.5).otherwise(pl.col("price")))

    first, second, third = (_with_listing_fingerprint(frame)[LISTING_FINGERPRINT] for frame in
                            (listings, moved, repriced))

    assert first.to_list() == second.to_list()
    assert [a == b for a, b in zip(first, third, strict=True)] == [True, True, False, True]


def test_a_change_to_one_variant_changes_its_siblings_input_fingerprint_and_no_one_elses() -> None:
    before = _fingerprints(_listings())
    after = _fingerprints(_listings().with_columns(price=pl.when(pl.col("listing_id") == "A").then(11.0)
                                                   .otherwise(pl.col("price"))))

    assert {listing for listing in before if before[listing] != after[listing]} == {"A", "B"}


def test_a_change_in_a_run_wide_fact_changes_the_listings_input_fingerprint() -> None:
    before = _fingerprints(_listings())
    after = _fingerprints(_listings().with_columns(listings_sharing_box=pl.when(pl.col("listing_id") == "C")
                                                   .then(4).otherwise(pl.col("listings_sharing_box"))))

    assert {listing for listing in before if before[listing] != after[listing]} == {"C"}


def test_another_scoring_context_changes_every_input_fingerprint() -> None:
    first = _fingerprints(_listings(), "0123456789abcdef")
    second = _fingerprints(_listings(), "fedcba9876543210")

    assert all(first[listing] != second[listing] for listing in first)


def test_the_context_follows_the_dates_the_configuration_and_card_name_not_the_day_itself(settings) -> None:
    card = load_fba_card(settings.fba.card or None)
    named = sorted({date.fromisoformat(value) for value in _strings(
        [settings.model_dump(mode="json"), card.model_dump(mode="json")]) if _DATE.match(value)})
    edge = next(day for day in named if day.year >= 2026)
    quiet = next(day for day in (edge + timedelta(days=offset) for offset in range(2, 400))
                 if day not in named and day + timedelta(days=1) not in named
                 and not any(day < other <= day + timedelta(days=1) for other in named))

    def on(day: date) -> str:  # as a run resolves its day into run.as_of (as_of.settings_for_run)
        dated = settings.model_copy(update={"run": settings.run.model_copy(update={"as_of": day.isoformat()})})
        return scoring_context(dated, card, day)

    assert on(quiet) == on(quiet + timedelta(days=1))
    assert on(edge - timedelta(days=1)) != on(edge)


def test_a_change_to_the_code_changes_the_context_whatever_the_version_says(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_fba_card(settings.fba.card or None)
    day = date(2026, 12, 7)
    before = scoring_context(settings, card, day)

    monkeypatch.setattr(incremental, "code_fingerprint", lambda: "another build")

    assert scoring_context(settings, card, day) != before


def test_the_code_fingerprint_follows_every_source_and_data_file_and_nothing_else(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "features").mkdir(parents=True)
    (package / "features" / "traits.py").write_text("KEYWORDS = ['glass']\n", encoding="utf-8")
    (package / "defaults.toml").write_text("[traits]\n", encoding="utf-8")
    first = tree_fingerprint([package])

    (package / "notes.md").write_text("not code", encoding="utf-8")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "traits.cpython-311.pyc").write_bytes(b"compiled")
    assert tree_fingerprint([package]) == first

    (package / "features" / "traits.py").write_text("KEYWORDS = ['glass', 'ceramica']\n", encoding="utf-8")
    assert tree_fingerprint([package]) != first


def test_why_a_run_scores_everything() -> None:
    assert full_rescore_reason("abc", "abc", full_refresh=False) is None
    assert full_rescore_reason("abc", "abc", full_refresh=True).startswith("full refresh")
    assert full_rescore_reason(None, "abc", full_refresh=False).startswith("no earlier run")
    assert full_rescore_reason("abd", "abc", full_refresh=False).startswith("scoring context changed")


def test_known_records_are_found_by_fingerprint_at_their_place_in_the_sorted_known_set() -> None:
    import numpy as np

    from xborder_pipeline.known_listings import KnownSet

    known = KnownSet.of(pl.Series([8, 2**64 - 1, 3], dtype=pl.UInt64))  # in the store's order
    records = np.array([8, 5, 2**64 - 1, 0, 3, 8, 2**64 - 2], dtype=np.uint64)

    assert known.fingerprints.tolist() == [3, 8, 2**64 - 1]
    assert known.positions(records).tolist() == [1, -1, 2, -1, 0, 1, -1]
    assert KnownSet.of(pl.Series([], dtype=pl.UInt64)).positions(records).tolist() == [-1] * records.size
    with pytest.raises(RuntimeError, match="fingerprints repeat"):
        KnownSet.of(pl.Series([4, 9, 4], dtype=pl.UInt64))
