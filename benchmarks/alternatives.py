"""Measured alternatives for the slow parts found by profile_stages.py, on the same validated listings.

    python benchmarks/alternatives.py --input /tmp/bench/input-seed.../listings_1000000.parquet

Each alternative is timed next to what the pipeline does today and checked to give the same values, so that the
recommendations in docs/performance.md rest on figures from this machine, not on guesses:

1. features + scores as one lazy query (polars' optimiser shares repeated subexpressions) instead of eager frames;
2. keyword matching on listing texts built once, instead of rebuilding (lower-casing, joining, blanking excluded
   phrases) the same text for every keyword family;
3. reason-code lists picked by a bit mask from a literal of every combination, instead of `concat_list` of one
   literal per code and `list.drop_nulls`;
4. 1 and 3 together: the whole features and scores stage, with the patched functions (in this process only).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
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


def codes_where_by_mask(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """A drop-in for scoring.suitability._codes_where: the codes whose condition holds, in the order given.

    The conditions become one integer (bit i set when condition i holds), which picks the list from a literal of
    all 2**len(conditions) lists. One gather instead of a string column per code, a list concatenation and a
    drop_nulls; the same values, about 10x faster. Fine up to ~16 codes (65,536 small lists, built in ~0.1 s).
    """
    codes = list(conditions)
    if len(codes) > 20:
        raise ValueError("too many codes for a lookup of every combination")
    mask = pl.sum_horizontal(
        [condition.fill_null(False).cast(pl.UInt32) * (1 << bit) for bit, condition in enumerate(conditions.values())]
    )
    every_list = pl.Series([[code for bit, code in enumerate(codes) if value >> bit & 1]
                            for value in range(1 << len(codes))], dtype=pl.List(pl.String))
    return pl.lit(every_list).gather(mask)


def ineligible_reasons_by_mask(channel, rates, chargeable) -> pl.Expr:
    """features.shipping.ineligible_reasons with its list built by codes_where_by_mask."""
    from xborder_pipeline.features import shipping
    from xborder_pipeline.features.dimensions import is_physical_goods

    checks: dict[str, pl.Expr] = {"NOT_PHYSICAL": ~is_physical_goods()}
    checks["NO_WEIGHT_OR_SIZE"] = chargeable.is_null()
    checks["OVER_CHANNEL_WEIGHT"] = chargeable > channel.max_weight_kg
    if rates:
        top_band = {market: bands[-1].max_chargeable_kg for market, bands in rates.items()}
        over_card = pl.col("destination_market").replace_strict(top_band, default=None, return_dtype=pl.Float64)
        checks["NO_RATE_FOR_DESTINATION"] = over_card.is_null()
        checks["OVER_RATE_CARD_WEIGHT"] = (chargeable > over_card) & (chargeable <= channel.max_weight_kg)
    size_limits = []
    if channel.max_sum_of_sides_cm is not None:
        size_limits.append(pl.col("sum_of_sides_cm") > channel.max_sum_of_sides_cm)
    if channel.max_longest_side_cm is not None:
        size_limits.append(pl.col("longest_side_cm") > channel.max_longest_side_cm)
    if size_limits:
        checks["OVER_CHANNEL_SIZE"] = pl.any_horizontal(size_limits)
    for goods in channel.refuses:
        checks[f"REFUSES_{goods.upper()}"] = pl.col(shipping.GOODS_FLAGS[goods])
    return codes_where_by_mask(checks)


def patched_pipeline():
    """The pipeline's modules with the reason lists built by codes_where_by_mask (in this process only)."""
    from xborder_pipeline.features import shipping
    from xborder_pipeline.scoring import confidence, suitability, trade_model, warehousing

    for module in (suitability, confidence, trade_model, warehousing):
        module._codes_where = codes_where_by_mask

    shipping.ineligible_reasons = ineligible_reasons_by_mask


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    arguments = parser.parse_args()

    from xborder_pipeline.config import load_settings
    from xborder_pipeline.features import dangerous_goods, fragility, with_listing_features
    from xborder_pipeline.features.fba import load_fba_card
    from xborder_pipeline.features.keywords import keyword_pattern, listing_text, without_phrases
    from xborder_pipeline.features.shipping import chargeable_weight_on, ineligible_reasons
    from xborder_pipeline.ingest import IngestOptions, read_listings
    from xborder_pipeline.scoring import with_scores
    from xborder_pipeline.scoring.suitability import _codes_where, suitability_conditions
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

    # 2. keywords: texts built once ----------------------------------------------------------------------------
    goods = settings.dangerous_goods
    flags = {
        "fragility_score": fragility.fragility_score(settings.fragility),
        "has_battery": dangerous_goods.has_battery(goods),
        "is_loose_battery": dangerous_goods.is_loose_battery(goods),
        "is_liquid": dangerous_goods.is_liquid(goods),
        "is_powder": dangerous_goods.is_powder(goods),
        "has_magnet": dangerous_goods.has_magnet(goods),
        "is_aerosol_or_flammable": dangerous_goods.is_aerosol_or_flammable(goods),
    }
    today_s, today = best_of(lambda: valid.select(**flags))

    def once() -> pl.DataFrame:
        fragile = settings.fragility
        texts = valid.select(
            headline=listing_text("category", "title"),
            description=listing_text("description"),
            everything=listing_text("category", "title", "description"),
        ).with_columns(
            fragile_headline=without_phrases(pl.col("headline"), fragile.exclude),
            fragile_description=without_phrases(pl.col("description"), fragile.exclude),
            **{
                f"goods_{name}": without_phrases(pl.col("everything"), getattr(goods, name).exclude)
                for name in ("battery", "loose_battery", "liquid", "powder", "magnet", "aerosol_or_flammable")
            },
        )

        def found(column: str, keywords: list[str]) -> pl.Expr:
            return pl.col(column).str.contains(keyword_pattern(keywords)).fill_null(False)

        families = [
            pl.when(found("fragile_headline", family.keywords)).then(pl.lit(family.score))
            .when(found("fragile_description", family.keywords))
            .then(pl.lit(family.score * fragile.description_weight)).otherwise(pl.lit(0.0))
            for family in fragile.families
        ]
        loose = found("goods_loose_battery", goods.loose_battery.keywords)
        return texts.select(
            fragility_score=pl.max_horizontal(families),
            has_battery=found("goods_battery", goods.battery.keywords) | loose,
            is_loose_battery=loose,
            is_liquid=found("goods_liquid", goods.liquid.keywords),
            is_powder=found("goods_powder", goods.powder.keywords),
            has_magnet=found("goods_magnet", goods.magnet.keywords),
            is_aerosol_or_flammable=found("goods_aerosol_or_flammable", goods.aerosol_or_flammable.keywords),
        )

    once_s, by_once = best_of(once)
    print(f"\n2. keyword flags (fragility + 6 goods), today {today_s:7.2f} s")
    print(f"   texts built once, then matched             {once_s:7.2f} s   same values: {same_values(today, by_once)}")

    # 3. reason lists through a bit mask ------------------------------------------------------------------------
    conditions = suitability_conditions(settings)
    ordered = {code: conditions[code] for code in sorted(conditions, key=lambda c: -settings.scoring.penalties[c])}
    list_s, by_list = best_of(lambda: featured.select(reasons=_codes_where(ordered)))
    mask_s, by_mask = best_of(lambda: featured.select(reasons=codes_where_by_mask(ordered)))
    print(f"\n3. suitability reasons, concat_list today     {list_s:7.2f} s")
    print(f"   bit mask picking from every combination    {mask_s:7.2f} s   "
          f"same values: {same_values(by_list, by_mask)}")
    per_channel = [(channel, settings.channel_rates(name), chargeable_weight_on(channel))
                   for name, channel in settings.channels.items()]
    channels_s, by_concat = best_of(lambda: featured.select(
        ineligible_reasons(*arguments).alias(f"c{index}") for index, arguments in enumerate(per_channel)))
    channels_mask_s, by_bits = best_of(lambda: featured.select(
        ineligible_reasons_by_mask(*arguments).alias(f"c{index}") for index, arguments in enumerate(per_channel)))
    print(f"   4 channels' ineligible_reasons today       {channels_s:7.2f} s")
    print(f"   the same by bit mask                       {channels_mask_s:7.2f} s   "
          f"same values: {same_values(by_concat, by_bits)}")

    # 4. all together ---------------------------------------------------------------------------------------------
    patched_pipeline()
    masked_s, masked = best_of(lambda: with_scores(with_listing_features(valid, settings, card), settings), repeat=1)
    both_s, both = best_of(
        lambda: with_scores(with_listing_features(valid.lazy(), settings, card), settings).collect(), repeat=1
    )
    print(f"\n4. features + scores, reason lists by bit mask {masked_s:7.2f} s   same values: "
          f"{same_values(eager, masked)}")
    print(f"   ... and as one lazy query                  {both_s:7.2f} s   same values: {same_values(eager, both)}")
    print(f"   (today: {eager_s:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
