"""FBA cost cards that follow the calendar: peak windows by the run's as-of date, overmax and bulky packaging fees,
and which card and window priced each fee (fba_fee_card)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xborder_pipeline.config import ConfigError
from xborder_pipeline.features.fba import (
    CM_PER_IN,
    FBA_DATED_COLUMNS,
    LB_PER_KG,
    fba_bulky_packaging_fee_usd,
    fba_fee_card,
    fba_fulfilment_fee_usd,
    fba_overmax_fee_usd,
    load_fba_card,
    with_fba_features,
)

CARD = load_fba_card()
PACKAGED = Path(__file__).resolve().parents[2] / "xborder_pipeline" / "fba_us_2026.toml"
BEFORE_PEAK, IN_PEAK, AFTER_PEAK = date(2026, 9, 30), date(2026, 12, 5), date(2027, 2, 1)


def unit(length_in: float, width_in: float, height_in: float, weight_lb: float, price_usd: float = 25.0) -> dict:
    return {
        "length_cm": length_in * CM_PER_IN,
        "width_cm": width_in * CM_PER_IN,
        "height_cm": height_in * CM_PER_IN,
        "weight_kg": weight_lb / LB_PER_KG,
        "price_usd": price_usd,
    }


def priced(row: dict, day: date | None, card=CARD) -> dict:
    schema = dict.fromkeys(("length_cm", "width_cm", "height_cm", "weight_kg", "price_usd"), pl.Float64)
    return with_fba_features(pl.DataFrame([row], schema=schema), card, day).row(0, named=True)


def card_with(tmp_path: Path, edit) -> object:
    path = tmp_path / "card.toml"
    path.write_text(edit(PACKAGED.read_text(encoding="utf-8")), encoding="utf-8")
    return load_fba_card(path)


# --- the same listing across the season ------------------------------------------------------------------------------


def test_the_same_listing_is_non_peak_in_september_peak_in_december_and_non_peak_in_february() -> None:
    listing = unit(10, 6, 3, 0.8)  # large standard, 20.7 oz shipping weight: the <= 24 oz band, $10-50

    september, december, february = (priced(listing, day) for day in (BEFORE_PEAK, IN_PEAK, AFTER_PEAK))

    assert (september["fba_fulfilment_fee_usd"], december["fba_fulfilment_fee_usd"]) == (5.42, 5.73)
    assert february["fba_fulfilment_fee_usd"] == 5.42
    assert (september["fba_fulfilment_fee_with_fuel_usd"], december["fba_fulfilment_fee_with_fuel_usd"]) == (
        5.61,
        5.93,  # 5.73 x 1.035
    )
    assert september["fba_fee_card"] == "fba_us_2026:non_peak"
    assert december["fba_fee_card"] == "fba_us_2026:peak_2026"
    # No 2027 card is configured: February prices with the 2026 card's own fees and says so.
    assert february["fba_fee_card"] == "fba_us_2026:non_peak:after_card"


@pytest.mark.parametrize(
    ("day", "window"),
    [
        (date(2026, 10, 14), "non_peak"),
        (date(2026, 10, 15), "peak_2026"),
        (date(2027, 1, 14), "peak_2026"),
    ],
)
def test_the_peak_window_includes_both_of_its_ends(day: date, window: str) -> None:
    assert priced(unit(10, 6, 3, 0.8), day)["fba_fee_card"] == f"fba_us_2026:{window}"


def test_a_date_before_the_card_says_so() -> None:
    assert priced(unit(10, 6, 3, 0.8), date(2025, 12, 1))["fba_fee_card"] == "fba_us_2026:non_peak:before_card"


def test_without_a_date_the_card_prices_with_its_own_fees() -> None:
    assert priced(unit(10, 6, 3, 0.8), None)["fba_fee_card"] == "fba_us_2026:non_peak"


# --- the published peak examples (issue 18) at their published figures on a December date ----------------------------


@pytest.mark.parametrize(
    ("listing", "tier", "peak_usd", "non_peak_usd"),
    [
        # small standard up to 4 oz, $10-50: 3.2 oz of unit weight
        (unit(6, 4, 0.5, 0.2), "small_standard", 3.61, 3.42),
        # large standard up to 24 oz, $10-50: 10 x 6 x 3 in, 0.8 lb -> 20.7 oz dimensional
        (unit(10, 6, 3, 0.8), "large_standard", 5.73, 5.42),
        # small bulky base (billed weight <= 1 lb): 20 x 2 x 2 in, 0.5 lb -> 0.58 lb with the 2-in minimum
        (unit(20, 2, 2, 0.5), "small_bulky", 8.59, 7.55),
        # large bulky base: 40 x 2 x 1 in, 0.5 lb -> 1.15 lb billed, one $0.38 step above 1 lb on both cards
        (unit(40, 2, 1, 0.5), "large_bulky", 10.39 + 0.38, 9.35 + 0.38),
        # extra-large 0-50 lb base: 60 x 2 x 1 in, 1 lb -> 1.73 lb billed, one $0.38 step on both cards
        (unit(60, 2, 1, 1.0), "extra_large_0_50", 29.06 + 0.38, 26.33 + 0.38),
    ],
)
def test_published_peak_examples_on_a_december_date(listing: dict, tier: str, peak_usd: float, non_peak_usd: float):
    december, september = priced(listing, IN_PEAK), priced(listing, BEFORE_PEAK)

    assert december["fba_size_tier"] == tier
    assert december["fba_fulfilment_fee_usd"] == pytest.approx(peak_usd, abs=1e-9)
    assert september["fba_fulfilment_fee_usd"] == pytest.approx(non_peak_usd, abs=1e-9)


def test_the_peak_card_never_charges_less_than_the_non_peak_card() -> None:
    peak = CARD.fees_on(IN_PEAK)
    for tier, fees in CARD.fulfilment_fees.items():
        for own, in_peak in zip(fees.weight_bands, peak[tier].weight_bands, strict=True):
            assert own.max_shipping_weight_oz == in_peak.max_shipping_weight_oz
            assert (in_peak.under_10_usd, in_peak.from_10_to_50_usd, in_peak.over_50_usd) > (
                own.under_10_usd,
                own.from_10_to_50_usd,
                own.over_50_usd,
            )
        if fees.above_bands is not None:
            assert peak[tier].above_bands.base_from_10_to_50_usd > fees.above_bands.base_from_10_to_50_usd
            assert peak[tier].above_bands.per_step_usd == fees.above_bands.per_step_usd


# --- overmax handling and bulky packaging ---------------------------------------------------------------------------


def test_overmax_applies_to_extra_large_over_96_in_or_130_in_length_plus_girth_and_is_not_yet_priced() -> None:
    long_one = priced(unit(97, 5, 5, 10.0), IN_PEAK)  # longest 97 in
    girthy = priced(unit(80, 14, 14, 20.0), IN_PEAK)  # length + girth 136 in
    plain_xl = priced(unit(60, 4, 4, 1.0), IN_PEAK)  # extra-large, inside both limits
    standard = priced(unit(10, 6, 3, 0.8), IN_PEAK)

    assert long_one["fba_size_tier"].startswith("extra_large") and girthy["fba_size_tier"].startswith("extra_large")
    assert long_one["fba_overmax_fee_usd"] is None  # applies; Amazon's amount is not in our sources
    assert girthy["fba_overmax_fee_usd"] is None
    assert long_one["fba_fees_total_usd"] is None  # a total with an unknown part is unknown
    assert plain_xl["fba_overmax_fee_usd"] == 0.0
    assert standard["fba_overmax_fee_usd"] == 0.0


def test_bulky_packaging_applies_to_bulky_and_extra_large_tiers_and_is_not_yet_priced() -> None:
    bulky = priced(unit(20, 2, 2, 0.5), IN_PEAK)
    standard = priced(unit(10, 6, 3, 0.8), IN_PEAK)

    assert bulky["fba_bulky_packaging_fee_usd"] is None
    assert standard["fba_bulky_packaging_fee_usd"] == 0.0
    assert standard["fba_fees_total_usd"] == standard["fba_fulfilment_fee_with_fuel_usd"] == 5.93


def test_sourced_overmax_and_packaging_amounts_are_added_to_the_total(tmp_path: Path) -> None:
    # Amounts written into a test card only to check the arithmetic; the packaged card has none.
    def with_amounts(text: str) -> str:
        limit = "length_plus_girth_over_in = 130.0\n"
        text = text.replace(limit, limit + "fee_usd = 1.25\n")
        return text.replace("[bulky_packaging]\n", "[bulky_packaging]\nfee_usd = 0.5\n")

    card = card_with(tmp_path, with_amounts)

    long_one = priced(unit(97, 5, 5, 10.0), IN_PEAK, card)
    bulky = priced(unit(20, 2, 2, 0.5), IN_PEAK, card)

    assert (long_one["fba_overmax_fee_usd"], long_one["fba_bulky_packaging_fee_usd"]) == (1.25, 0.5)
    assert long_one["fba_fees_total_usd"] == pytest.approx(long_one["fba_fulfilment_fee_with_fuel_usd"] + 1.75)
    assert bulky["fba_overmax_fee_usd"] == 0.0
    assert bulky["fba_fees_total_usd"] == pytest.approx(8.89 + 0.5)  # 8.59 x 1.035 = 8.89, plus packaging


def test_extra_fees_are_not_charged_before_their_effective_date(tmp_path: Path) -> None:
    card = card_with(tmp_path, lambda text: text.replace("[bulky_packaging]\n", "[bulky_packaging]\nfee_usd = 0.5\n"))

    assert priced(unit(20, 2, 2, 0.5), date(2026, 1, 14), card)["fba_bulky_packaging_fee_usd"] == 0.0
    assert priced(unit(20, 2, 2, 0.5), date(2026, 1, 15), card)["fba_bulky_packaging_fee_usd"] == 0.5


def test_a_missing_measure_gives_null_dated_columns() -> None:
    row = priced(unit(10, 6, 3, 0.8) | {"weight_kg": None}, IN_PEAK)

    assert all(row[column] is None for column in FBA_DATED_COLUMNS), row


# --- a peak window that lacks a tier ----------------------------------------------------------------------------------


def test_a_tier_the_peak_window_lacks_keeps_its_non_peak_fee_and_says_not_yet(tmp_path: Path) -> None:
    def drop_small_bulky_peak(text: str) -> str:
        start = text.index("[peak.fulfilment_fees.small_bulky]")
        end = text.index("[peak.fulfilment_fees.large_bulky]")
        return text[:start] + text[end:]

    card = card_with(tmp_path, drop_small_bulky_peak)

    bulky = priced(unit(20, 2, 2, 0.5), IN_PEAK, card)
    standard = priced(unit(10, 6, 3, 0.8), IN_PEAK, card)

    assert bulky["fba_fulfilment_fee_usd"] == 7.55
    assert bulky["fba_fee_card"] == "fba_us_2026:non_peak:peak_2026_not_yet"
    assert (standard["fba_fulfilment_fee_usd"], standard["fba_fee_card"]) == (5.73, "fba_us_2026:peak_2026")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text.replace('valid_to = "2027-01-14"', 'valid_to = "2027-02-14"'), "must lie inside"),
        (lambda text: text.replace("[peak.fulfilment_fees.small_bulky]", "[peak.fulfilment_fees.tiny]"), "unknown"),
        (
            lambda text: text.replace('tiers = ["extra_large_0_50", ', 'tiers = ["extra_large", '),
            "overmax_handling.tiers names unknown tiers",
        ),
    ],
)
def test_a_bad_window_is_refused_with_where_and_why(tmp_path: Path, edit, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        card_with(tmp_path, edit)


def test_the_functions_one_by_one_match_with_fba_features() -> None:
    rows = [unit(10, 6, 3, 0.8), unit(97, 5, 5, 10.0), unit(20, 2, 2, 0.5), unit(6, 4, 0.5, 0.2, 9.0)]
    listings = pl.DataFrame(rows)

    together = with_fba_features(listings, CARD, IN_PEAK)
    one_by_one = listings.select(
        fba_fulfilment_fee_usd(CARD, IN_PEAK),
        fba_fee_card(CARD, IN_PEAK),
        fba_overmax_fee_usd(CARD, IN_PEAK),
        fba_bulky_packaging_fee_usd(CARD, IN_PEAK),
    )

    assert one_by_one.equals(together.select(one_by_one.columns))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.5, max_value=250.0),
            st.floats(min_value=0.5, max_value=250.0),
            st.floats(min_value=0.5, max_value=250.0),
            st.floats(min_value=0.01, max_value=90.0),
            st.floats(min_value=0.5, max_value=200.0),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_a_unit_never_costs_less_in_peak_season(rows) -> None:
    columns = ("length_cm", "width_cm", "height_cm", "weight_kg", "price_usd")
    listings = pl.DataFrame([dict(zip(columns, row, strict=True)) for row in rows])

    peak = with_fba_features(listings, CARD, IN_PEAK)
    non_peak = with_fba_features(listings, CARD, BEFORE_PEAK)

    assert peak["fba_size_tier"].equals(non_peak["fba_size_tier"])
    assert (peak["fba_fulfilment_fee_usd"] > non_peak["fba_fulfilment_fee_usd"]).all()
    assert set(peak["fba_fee_card"]) == {"fba_us_2026:peak_2026"}
