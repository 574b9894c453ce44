"""Amazon FBA (US 2026) features: tiers, dimensional weight, fees by price band, fuel surcharge, tier headroom."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from xborder_pipeline.config import ConfigError
from xborder_pipeline.features.fba import (
    CM_PER_IN,
    FBA_FEATURE_COLUMNS,
    LB_PER_KG,
    fba_dimensional_weight_lb,
    fba_fulfilment_fee_usd,
    fba_fulfilment_fee_with_fuel_usd,
    fba_shipping_weight_lb,
    fba_size_tier,
    fba_tier_headroom_pct,
    load_fba_card,
    with_fba_features,
)

CARD = load_fba_card()


def unit(length_in: float, width_in: float, height_in: float, weight_lb: float, price_usd: float | None = 25.0):
    """One listing row in the canonical units (cm, kg), described in inches and pounds."""
    return {
        "length_cm": length_in * CM_PER_IN,
        "width_cm": width_in * CM_PER_IN,
        "height_cm": height_in * CM_PER_IN,
        "weight_kg": weight_lb / LB_PER_KG,
        "price_usd": price_usd,
    }


def scored(*rows: dict) -> pl.DataFrame:
    schema = dict.fromkeys(("length_cm", "width_cm", "height_cm", "weight_kg", "price_usd"), pl.Float64)
    return with_fba_features(pl.DataFrame(list(rows), schema=schema), CARD)


def one(row: dict) -> dict:
    return scored(row).row(0, named=True)


# --- the card --------------------------------------------------------------------------------------------------------


def test_packaged_card_loads_with_a_source_on_every_table() -> None:
    assert CARD.effective_from == date(2026, 1, 15)
    assert CARD.fuel_surcharge.rate_pct == 3.5
    assert CARD.fuel_surcharge.effective_from == date(2026, 4, 17)
    assert CARD.dimensional_weight.divisor_in3_per_lb == 139
    assert all(tier.source for tier in CARD.size_tiers)
    assert all(fees.source for fees in CARD.fulfilment_fees.values())
    assert [band.max_shipping_weight_oz for band in CARD.fulfilment_fees["large_standard"].weight_bands] == [
        4,
        8,
        12,
        16,
        20,
        24,
        28,
        32,
        36,
        40,
        44,
        48,
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text.replace("divisor_in3_per_lb = 139.0", "divisor_in3_per_lb = 0"), "divisor_in3_per_lb"),
        (lambda text: text.replace('name = "small_bulky"', 'name = "small_bulk"'), "fulfilment_fees must cover"),
        (lambda text: text.replace("rate_pct = 3.5", "rate_pct = 3.5\nrate = 0.035"), "fuel_surcharge.rate"),
        (lambda text: text + "\nthis is not toml", "not valid TOML"),
    ],
)
def test_a_bad_card_is_refused_with_where_and_why(tmp_path: Path, edit, expected: str) -> None:
    packaged = Path(__file__).resolve().parents[2] / "xborder_pipeline" / "fba_us_2026.toml"
    bad = tmp_path / "card.toml"
    bad.write_text(edit(packaged.read_text(encoding="utf-8")), encoding="utf-8")

    with pytest.raises(ConfigError, match=expected):
        load_fba_card(bad)


# --- domain.md worked example ----------------------------------------------------------------------------------------


def test_worked_example_10x6x3_in_0_8_lb_at_25_usd() -> None:
    row = one(unit(10, 6, 3, 0.8, 25.0))

    assert row["fba_dimensional_weight_lb"] == pytest.approx(180 / 139)
    assert round(row["fba_dimensional_weight_lb"], 2) == 1.29
    assert round(row["fba_shipping_weight_lb"] * 16, 1) == 20.7
    assert row["fba_size_tier"] == "large_standard"
    assert row["fba_fulfilment_fee_usd"] == 5.42
    assert row["fba_fulfilment_fee_with_fuel_usd"] == 5.61


def test_fuel_surcharge_starts_on_its_effective_date() -> None:
    frame = pl.DataFrame([unit(10, 6, 3, 0.8, 25.0)])

    def fee_on(day: date) -> float:
        return frame.select(fba_fulfilment_fee_with_fuel_usd(CARD, as_of=day)).item()

    assert fee_on(date(2026, 4, 16)) == 5.42
    assert fee_on(date(2026, 4, 17)) == 5.61


# --- size tiers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sides_in", "weight_lb", "tier"),
    [
        ((15, 12, 0.75), 1.0, "small_standard"),
        ((15.01, 12, 0.75), 1.0, "large_standard"),
        ((15, 12.01, 0.75), 1.0, "large_standard"),
        ((15, 12, 0.76), 1.0, "large_standard"),
        ((15, 12, 0.75), 1.01, "large_standard"),
        ((18, 14, 8), 1.0, "large_standard"),
        ((18.01, 14, 8), 1.0, "small_bulky"),
        ((18, 14, 8.01), 1.0, "small_bulky"),
        ((10, 6, 3), 20.0, "large_standard"),
        ((10, 6, 3), 20.01, "small_bulky"),
        ((37, 15, 8), 5.0, "small_bulky"),
        ((37.01, 15, 8), 5.0, "large_bulky"),
        ((37, 28.01, 2), 5.0, "large_bulky"),
        ((59, 33, 2.5), 5.0, "large_bulky"),  # length + girth exactly 130 in
        ((59, 33, 2.6), 5.0, "extra_large_0_50"),  # length + girth 130.2 in
        ((59.01, 10, 4), 5.0, "extra_large_0_50"),
        ((60, 4, 4), 50.0, "extra_large_0_50"),
        ((60, 4, 4), 50.01, "extra_large_50_70"),
        ((60, 4, 4), 70.0, "extra_large_50_70"),
        ((60, 4, 4), 70.01, "extra_large_70_150"),
        ((60, 4, 4), 150.0, "extra_large_70_150"),
        ((60, 4, 4), 150.01, "extra_large_150_plus"),
        ((6, 18, 4), 1.0, "large_standard"),  # side order does not matter
    ],
)
def test_size_tier_at_and_just_over_each_limit(sides_in, weight_lb: float, tier: str) -> None:
    assert one(unit(*sides_in, weight_lb))["fba_size_tier"] == tier


def test_bulky_weight_limit_uses_dimensional_weight_with_the_2_in_minimum() -> None:
    # 37 x 20 x 10 in weighs 5 lb but 53.2 lb dimensionally: beyond both bulky tiers' 50 lb.
    assert one(unit(37, 20, 10, 5.0))["fba_size_tier"] == "extra_large_50_70"


# --- dimensional and shipping weight ---------------------------------------------------------------------------------


def test_large_standard_dimensional_weight_has_no_2_in_minimum() -> None:
    row = one(unit(10, 6, 1, 0.2, 25.0))

    assert row["fba_size_tier"] == "large_standard"
    assert row["fba_dimensional_weight_lb"] == pytest.approx(60 / 139)
    assert row["fba_fulfilment_fee_usd"] == 3.95  # 6.9 oz: the <= 8 oz band


def test_bulky_dimensional_weight_takes_width_and_height_as_at_least_2_in() -> None:
    row = one(unit(40, 30, 1, 1.0, 25.0))

    assert row["fba_size_tier"] == "large_bulky"
    assert row["fba_dimensional_weight_lb"] == pytest.approx(40 * 30 * 2 / 139)
    assert row["fba_shipping_weight_lb"] == pytest.approx(40 * 30 * 2 / 139)
    assert row["fba_fulfilment_fee_usd"] == 15.81  # 17.27 lb: 9.35 + 17 x 0.38


def test_small_standard_bills_on_unit_weight_only() -> None:
    row = one(unit(15, 12, 0.75, 0.2, 25.0))  # dimensionally 0.97 lb (15.5 oz)

    assert row["fba_size_tier"] == "small_standard"
    assert row["fba_shipping_weight_lb"] == pytest.approx(0.2)
    assert row["fba_fulfilment_fee_usd"] == 3.42  # 3.2 oz: the <= 4 oz band


def test_extra_large_150_plus_bills_on_unit_weight_only() -> None:
    row = one(unit(100, 30, 30, 20.0, 25.0))  # 647 lb dimensionally

    assert row["fba_size_tier"] == "extra_large_150_plus"
    assert row["fba_shipping_weight_lb"] == pytest.approx(20.0)
    assert row["fba_fulfilment_fee_usd"] == 194.95


# --- fees ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price_usd", "fee_usd"),
    [(9.99, 4.60), (10.0, 5.42), (50.0, 5.42), (50.01, 5.68)],
)
def test_price_band_edges(price_usd: float, fee_usd: float) -> None:
    assert one(unit(10, 6, 3, 0.8, price_usd))["fba_fulfilment_fee_usd"] == fee_usd


@pytest.mark.parametrize(
    ("sides_in", "weight_lb", "fee_usd"),
    [
        ((10, 6, 3), 3.0, 6.67),  # 48 oz: the last ounce band
        ((10, 6, 3), 3.01, 7.05),  # 6.97 + 1 step of 4 oz
        ((10, 6, 3), 3.25, 7.05),
        ((10, 6, 3), 3.26, 7.13),
        ((12, 10, 6), 4.0, 7.69),  # 5.18 lb dimensionally: 6.97 + 9 x 0.08
        ((10, 6, 3), 20.0, 12.41),  # 6.97 + 68 x 0.08
        ((37, 15, 8), 5.0, 19.33),  # small bulky, 31.94 lb: 7.55 + 31 x 0.38
        ((60, 4, 4), 10.0, 29.75),  # XL 0-50: 26.33 + 9 x 0.38
        ((60, 4, 4), 10.2, 30.13),  # part of a pound is a whole step
        ((60, 4, 4), 55.0, 40.32),  # XL 50-70: 37.32 + 4 x 0.75 above 51 lb
        ((60, 4, 4), 100.0, 73.07),  # XL 70-150: 51.32 + 29 x 0.75 above 71 lb
        ((60, 4, 4), 200.0, 204.26),  # XL 150+: 194.95 + 49 x 0.19 above 151 lb
    ],
)
def test_per_step_increments_above_the_bands(sides_in, weight_lb: float, fee_usd: float) -> None:
    assert one(unit(*sides_in, weight_lb, 25.0))["fba_fulfilment_fee_usd"] == fee_usd


def test_low_price_band_discount_on_bulky_and_extra_large() -> None:
    assert one(unit(37, 15, 8, 5.0, 9.99))["fba_fulfilment_fee_usd"] == 18.56  # 6.78 + 31 x 0.38
    assert one(unit(60, 4, 4, 10.0, 60.0))["fba_fulfilment_fee_usd"] == 29.75  # >$50 equals $10-50 here


def test_the_published_card_steps_down_from_extra_large_0_50_to_50_70() -> None:
    # A quirk of Amazon's own card, kept as published: 26.33 + 49 x 0.38 at 50 lb, 37.32 flat at 51 lb.
    at_50, at_51 = scored(unit(60, 4, 4, 50.0), unit(60, 4, 4, 51.0))["fba_fulfilment_fee_usd"]
    assert (at_50, at_51) == (44.95, 37.32)


# --- headroom --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sides_in", "weight_lb", "headroom_pct"),
    [
        ((10, 6, 3), 0.8, 80.0),  # longest 10 of 18 in is the closest limit
        ((14, 10, 0.6), 0.5, 100 / 14),  # small standard: longest 14 of 15 in
        ((15, 12, 0.75), 1.0, 0.0),  # on every small standard limit
        ((18, 14, 8), 1.0, 0.0),
        ((10, 6, 3), 19.0, 100 / 19),  # large standard: 19 of 20 lb
        ((59, 33, 2.5), 5.0, 0.0),  # length + girth exactly 130 in
        ((60, 4, 4), 40.0, 25.0),  # XL 0-50: weight only
    ],
)
def test_headroom_is_the_smallest_growth_before_the_next_tier(sides_in, weight_lb: float, headroom_pct: float) -> None:
    assert one(unit(*sides_in, weight_lb))["fba_tier_headroom_pct"] == pytest.approx(headroom_pct, abs=1e-6)


def test_headroom_is_null_for_the_tier_without_limits() -> None:
    assert one(unit(60, 4, 4, 200.0))["fba_tier_headroom_pct"] is None


def test_the_six_functions_one_by_one_match_with_fba_features_on_a_lazy_frame() -> None:
    rows = [unit(10, 6, 3, 0.8), unit(15, 12, 0.75, 0.2, 9.0), unit(40, 30, 1, 1.0, 60.0), unit(100, 30, 30, 20.0)]
    listings = pl.LazyFrame(rows)

    together = with_fba_features(listings, CARD).select(FBA_FEATURE_COLUMNS)
    one_by_one = listings.select(
        fba_size_tier(CARD),
        fba_dimensional_weight_lb(CARD),
        fba_shipping_weight_lb(CARD),
        fba_fulfilment_fee_usd(CARD),
        fba_fulfilment_fee_with_fuel_usd(CARD),
        fba_tier_headroom_pct(CARD),
    )

    assert_frame_equal(one_by_one.collect(), together.collect())
    assert together.collect()["fba_size_tier"].to_list() == [
        "large_standard",
        "small_standard",
        "large_bulky",
        "extra_large_150_plus",
    ]


# --- missing inputs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["length_cm", "width_cm", "height_cm", "weight_kg"])
@pytest.mark.parametrize("placeholder", [None, 0.0])
def test_a_missing_measure_gives_nulls(missing: str, placeholder: float | None) -> None:
    row = unit(10, 6, 3, 0.8) | {missing: placeholder}

    result = one(row)

    assert all(result[column] is None for column in FBA_FEATURE_COLUMNS), result


@pytest.mark.parametrize("price_usd", [None, 0.0])
def test_a_missing_price_gives_a_tier_but_no_fee(price_usd: float | None) -> None:
    result = one(unit(10, 6, 3, 0.8, price_usd))

    assert result["fba_size_tier"] == "large_standard"
    assert result["fba_shipping_weight_lb"] == pytest.approx(180 / 139)
    assert result["fba_fulfilment_fee_usd"] is None
    assert result["fba_fulfilment_fee_with_fuel_usd"] is None


# --- properties ------------------------------------------------------------------------------------------------------

# Where Amazon's published card itself charges less for the heavier unit (see the step-down test above).
CARD_STEP_DOWNS = {("extra_large_0_50", "extra_large_50_70"), ("extra_large_50_70", "extra_large_70_150")}

side_cm = st.floats(min_value=0.5, max_value=200.0)
listing_pairs = st.lists(
    st.tuples(
        side_cm,
        side_cm,
        side_cm,
        st.floats(min_value=0.01, max_value=90.0),  # weight, kg
        st.floats(min_value=0.0, max_value=30.0),  # extra weight, kg
        st.floats(min_value=0.5, max_value=200.0),  # price, USD
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(listing_pairs)
def test_more_weight_never_lowers_the_fee(pairs) -> None:
    light = [
        {"length_cm": a, "width_cm": b, "height_cm": c, "weight_kg": weight, "price_usd": price}
        for a, b, c, weight, _, price in pairs
    ]
    heavy = [row | {"weight_kg": row["weight_kg"] + extra} for row, (*_, extra, _) in zip(light, pairs, strict=True)]
    both = scored(*light, *heavy)  # one frame: light rows first, then the same units heavier
    before_rows, after_rows = both.head(len(light)), both.tail(len(heavy))

    for before, after in zip(before_rows.iter_rows(named=True), after_rows.iter_rows(named=True), strict=True):
        if (before["fba_size_tier"], after["fba_size_tier"]) in CARD_STEP_DOWNS:
            continue
        assert after["fba_fulfilment_fee_usd"] >= before["fba_fulfilment_fee_usd"], (before, after)
    assert both["fba_fulfilment_fee_usd"].null_count() == 0
    assert (both["fba_tier_headroom_pct"].drop_nulls() >= 0).all()
