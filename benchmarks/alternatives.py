"""Measured alternatives for the slow parts found by profile_stages.py, on the same validated listings.

    python benchmarks/alternatives.py --input /tmp/bench/input-seed.../listings_1000000.parquet

Each alternative is timed next to what the pipeline does today and checked to give the same values, so that the
recommendations in docs/performance.md rest on figures from this machine, not on guesses:

1. features + scores as one lazy query (polars' optimiser shares repeated subexpressions) instead of eager frames;
2. (retired) keyword matching on texts built once: it measured the keyword design that trait evidence
   (features/traits.py, one pattern per text field) replaced;
3. reason-code lists from a bit mask per row, each distinct mask spelled out once (`xborder_pipeline.codes.codes_where`;
   from issue 7 to issue 15 it picked from a literal of every combination of 16 codes) against what it did before
   issue 7: `concat_list` of one literal per code and `list.drop_nulls`;
4. the whole features and scores stage with the reason lists as before (patched in this process only) and as now,
   eager and as one lazy query.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl


def same_values(left: pl.DataFrame, right: pl.DataFrame) -> bool:
    """Equal up to floating-point rounding (a lazy query may add the same numbers in another order)."""
    from polars.testing import assert_frame_equal

    try:
        assert_frame_equal(left, right.select(left.columns), check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
    except AssertionError:
        return False
    return True


def best_of(function: Callable[[], object], repeat: int = 2) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - began)
    return best, value


def codes_where_by_concat(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """What the pipeline did before xborder_pipeline.codes.codes_where: one string column per code (null where the
    condition does not hold), concatenated into lists, nulls dropped. The same values, about 10x slower."""
    return pl.concat_list(
        [
            pl.when(condition.fill_null(False)).then(pl.lit(code)).otherwise(None)
            for code, condition in conditions.items()
        ]
    ).list.drop_nulls()


@contextmanager
def reason_lists_by_concat() -> Iterator[None]:
    """Within the block, the pipeline's reason lists (scores' and channels') are built by codes_where_by_concat."""
    from xborder_pipeline import scoring
    from xborder_pipeline.features import shipping
    from xborder_pipeline.scoring import trade_model

    modules = (shipping, scoring, trade_model)  # the modules that build lists with codes_where
    saved = [module.codes_where for module in modules]
    for module in modules:
        module.codes_where = codes_where_by_concat
    try:
        yield
    finally:
        for module, function in zip(modules, saved, strict=True):
            module.codes_where = function


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    arguments = parser.parse_args()

    from xborder_pipeline.codes import codes_where
    from xborder_pipeline.config import load_settings
    from xborder_pipeline.features import with_listing_features
    from xborder_pipeline.features.fba import load_fba_card
    from xborder_pipeline.features.shipping import chargeable_weight_on, ineligible_reasons
    from xborder_pipeline.ingest import IngestOptions, read_listings
    from xborder_pipeline.scoring import with_scores
    from xborder_pipeline.scoring.suitability import suitability_conditions
    from xborder_pipeline.validation import validate_listings

    settings, card = load_settings(), load_fba_card()
    valid = validate_listings(read_listings([arguments.input], IngestOptions()).records, settings).valid
    print(f"{valid.height:,} valid listings from {arguments.input}\n")

    # 1. eager vs one lazy query --------------------------------------------------------------------------------
    eager_s, eager = best_of(lambda: with_scores(with_listing_features(valid, settings, card), settings), repeat=1)
    lazy_s, lazy = best_of(
        lambda: with_scores(with_listing_features(valid.lazy(), settings, card), settings).collect(), repeat=1
    )
    same = same_values(eager, lazy)
    print(f"1. features + scores, eager frames            {eager_s:7.2f} s")
    print(f"   the same as one lazy query, collect()      {lazy_s:7.2f} s   same values: {same}")
    featured = eager

    # 2. keywords: measured on the keyword design before trait evidence (docs/performance.md); the trait
    # evidence of features/traits.py is one pattern per text field, so "texts built once" no longer applies.

    # 3. reason lists through a bit mask ------------------------------------------------------------------------
    conditions = suitability_conditions(settings)
    ordered = {code: conditions[code] for code in sorted(conditions, key=lambda c: -settings.scoring.penalties[c])}
    list_s, by_list = best_of(lambda: featured.select(reasons=codes_where_by_concat(ordered)))
    mask_s, by_mask = best_of(lambda: featured.select(reasons=codes_where(ordered)))
    print(f"\n3. suitability reasons, concat_list (before)  {list_s:7.2f} s")
    print(f"   bit mask picking from every combination    {mask_s:7.2f} s   "
          f"same values: {same_values(by_list, by_mask)}")
    per_channel = [(channel, settings.channel_rates(name), chargeable_weight_on(channel))
                   for name, channel in settings.channels.items()]

    def channel_reasons() -> list[pl.Expr]:
        return [ineligible_reasons(*arguments).alias(f"c{index}") for index, arguments in enumerate(per_channel)]

    with reason_lists_by_concat():
        by_concat_expressions = channel_reasons()
    channels_s, by_concat = best_of(lambda: featured.select(by_concat_expressions))
    channels_mask_s, by_bits = best_of(lambda: featured.select(channel_reasons()))
    print(f"   4 channels' ineligible_reasons, before     {channels_s:7.2f} s")
    print(f"   the same by bit mask                       {channels_mask_s:7.2f} s   "
          f"same values: {same_values(by_concat, by_bits)}")

    # 4. all together ---------------------------------------------------------------------------------------------
    with reason_lists_by_concat():
        before_s, before = best_of(
            lambda: with_scores(with_listing_features(valid, settings, card), settings), repeat=1
        )
        before_lazy_s, _ = best_of(
            lambda: with_scores(with_listing_features(valid.lazy(), settings, card), settings).collect(), repeat=1
        )
    print(f"\n4. features + scores, reason lists by concat_list (before): eager {before_s:7.2f} s, "
          f"lazy {before_lazy_s:7.2f} s")
    print(f"   by bit mask (now):                                       eager {eager_s:7.2f} s, "
          f"lazy {lazy_s:7.2f} s   same values: {same_values(before, eager)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
