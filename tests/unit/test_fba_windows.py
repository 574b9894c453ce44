"""FBA cost cards that follow the calendar: peak windows by the run's as-of date, overmax and bulky packaging fees,
and which card and window priced each fee (fba_fee_card)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_fba import unit
from xborder_pipeline.config import ConfigError
from xborder_pipeline.features.fba import (
    FBA_DATED_COLUMNS,
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


@pytest.mark.parametrize(
    ("listing", "tier", "overmax_usd"),
    [
        (unit(97, 5, 5, 10.0), "extra_large_0_50", 17.0),  # longest 97 in; 17.4 lb dimensional
        (unit(100, 6, 6, 60.0), "extra_large_50_70", 21.0),  # longest 100 in
        (unit(80, 14, 14, 20.0), "extra_large_70_150", 25.0),  # length + girth 136 in; 112.8 lb dimensional
        (unit(88.01, 20, 1, 1.0), "extra_large_0_50", 17.0),  # length + girth 130.01 in; 25.3 lb dimensional
        (unit(88, 20, 1, 1.0), "extra_large_0_50", 0.0),  # length + girth exactly 130 in
        (unit(96, 5, 5, 10.0), "extra_large_0_50", 0.0),  # longest exactly 96 in
        (unit(100, 10, 10, 160.0), "extra_large_150_plus", 0.0),  # over the limits, but over 150 lb
        (unit(60, 4, 4, 1.0), "extra_large_0_50", 0.0),  # extra-large inside both limits
        (unit(10, 6, 3, 0.8), "large_standard", 0.0),
    ],
)
def test_overmax_is_charged_by_extra_large_weight_band_over_96_in_or_130_in_length_plus_girth(
    listing: dict, tier: str, overmax_usd: float
) -> None:
    row = priced(listing, IN_PEAK)

    assert row["fba_size_tier"] == tier
    assert row["fba_overmax_fee_usd"] == overmax_usd
    assert row["fba_bulky_packaging_fee_usd"] == 0.0  # extra-large and standard units pay no packaging fee
    assert row["fba_fees_total_usd"] == pytest.approx(row["fba_fulfilment_fee_with_fuel_usd"] + overmax_usd)


@pytest.mark.parametrize(
    ("listing", "tier", "packaging_usd"),
    [
        (unit(20, 2, 2, 0.5), "small_bulky", 1.51),  # 0.58 lb dimensional (2-in minimum)
        (unit(40, 2, 1, 0.5), "large_bulky", 1.51),  # 1.15 lb dimensional
        (unit(34.75, 5, 4, 1.0), "small_bulky", 1.51),  # exactly 5 lb dimensional: still the first band
        (unit(34.76, 5, 4, 1.0), "small_bulky", 1.68),  # 5.0014 lb
        (unit(36, 20, 5, 1.0), "small_bulky", 3.47),  # 25.9 lb dimensional: the 25+ to 30 lb band
        (unit(50, 25, 5.2, 1.0), "large_bulky", 4.04),  # 46.8 lb dimensional: 45 lb or more
        (unit(20, 2, 2, 30.0), "small_bulky", 1.51),  # by dimensional weight, not the 30 lb unit weight
    ],
)
def test_bulky_packaging_is_charged_on_small_and_large_bulky_by_dimensional_weight(
    listing: dict, tier: str, packaging_usd: float
) -> None:
    row = priced(listing, BEFORE_PEAK)

    assert row["fba_size_tier"] == tier
    assert row["fba_bulky_packaging_fee_usd"] == packaging_usd
    assert row["fba_overmax_fee_usd"] == 0.0
    assert row["fba_fees_total_usd"] == pytest.approx(row["fba_fulfilment_fee_with_fuel_usd"] + packaging_usd)


def test_a_december_bulky_unit_pays_peak_fulfilment_with_fuel_plus_packaging() -> None:
    row = priced(unit(20, 2, 2, 0.5), IN_PEAK)

    assert (row["fba_fulfilment_fee_with_fuel_usd"], row["fba_bulky_packaging_fee_usd"]) == (8.89, 1.51)  # 8.59 x 1.035
    assert row["fba_fees_total_usd"] == 10.40


def test_the_packaged_amounts_lie_in_the_ranges_the_trade_press_quotes() -> None:
    # zipzap.agency (C): overmax "ranging from $17 to $25"; a packaging fee "of up to $4 per unit" (Amazon's top
    # band is $4.04). A typo in the card (1.7, 250, 40.4) would fall outside.
    overmax = CARD.overmax_handling.fee_by_tier_usd
    packaging = [band.fee_usd for band in CARD.bulky_packaging.dimensional_weight_bands]

    assert min(overmax.values()) == 17.0 and max(overmax.values()) == 25.0
    assert all(1.0 <= fee <= 4.05 for fee in packaging) and max(packaging) == 4.04
    assert packaging == sorted(packaging)  # a heavier box never pays less


def test_extra_fees_are_not_charged_before_their_effective_date() -> None:
    assert priced(unit(20, 2, 2, 0.5), date(2026, 1, 14))["fba_bulky_packaging_fee_usd"] == 0.0
    assert priced(unit(20, 2, 2, 0.5), date(2026, 1, 15))["fba_bulky_packaging_fee_usd"] == 1.51
    assert priced(unit(97, 5, 5, 10.0), date(2026, 1, 14))["fba_overmax_fee_usd"] == 0.0
    assert priced(unit(97, 5, 5, 10.0), date(2026, 1, 15))["fba_overmax_fee_usd"] == 17.0


def without_amounts(text: str) -> str:
    """The packaged card with both fees' amounts taken out, as a card whose amounts are not yet sourced."""
    start = text.index("fee_by_tier_usd = ")
    text = text[:start] + text[text.index("\n", start) + 1 :]
    start = text.index("dimensional_weight_bands = [")
    return text[:start] + text[text.index("]\n", start) + 2 :]


def test_a_fee_without_an_amount_is_null_where_it_applies_and_so_is_the_total(tmp_path: Path) -> None:
    card = card_with(tmp_path, without_amounts)

    long_one = priced(unit(97, 5, 5, 10.0), IN_PEAK, card)
    bulky = priced(unit(20, 2, 2, 0.5), IN_PEAK, card)
    standard = priced(unit(10, 6, 3, 0.8), IN_PEAK, card)

    assert (long_one["fba_overmax_fee_usd"], long_one["fba_fees_total_usd"]) == (None, None)
    assert (bulky["fba_bulky_packaging_fee_usd"], bulky["fba_fees_total_usd"]) == (None, None)
    assert standard["fba_fees_total_usd"] == standard["fba_fulfilment_fee_with_fuel_usd"] == 5.93


def test_a_flat_amount_in_a_card_of_ones_own_is_charged_to_every_unit_it_applies_to(tmp_path: Path) -> None:
    def flat(text: str) -> str:
        text = without_amounts(text)
        return text.replace("[bulky_packaging]\n", "[bulky_packaging]\nfee_usd = 0.5\n")

    card = card_with(tmp_path, flat)

    assert priced(unit(20, 2, 2, 0.5), IN_PEAK, card)["fba_bulky_packaging_fee_usd"] == 0.5
    assert priced(unit(50, 25, 5.2, 1.0), IN_PEAK, card)["fba_bulky_packaging_fee_usd"] == 0.5


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
            lambda text: text.replace('tiers = ["extra_large_0_50", ', 'tiers = ["extra_large", ').replace(
                "{ extra_large_0_50 = 17.0", "{ extra_large = 17.0"
            ),
            "overmax_handling.tiers names unknown tiers",
        ),
        (
            lambda text: text.replace("extra_large_70_150 = 25.0 }", "extra_large_150_plus = 25.0 }"),
            r"fee_by_tier_usd must name exactly the fee's tiers; missing \['extra_large_70_150'\]",
        ),
        (
            lambda text: text.replace("[overmax_handling]\n", "[overmax_handling]\nfee_usd = 20.0\n"),
            "give the amount one way, not fee_usd and fee_by_tier_usd",
        ),
        (
            lambda text: text.replace("{ fee_usd = 4.04 }", "{ max_dimensional_weight_lb = 50, fee_usd = 4.04 }"),
            "only the last band, and it always, has no upper limit",
        ),
        (
            lambda text: text.replace("max_dimensional_weight_lb = 10,", "max_dimensional_weight_lb = 4,"),
            "strictly increasing limit",
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


# --- the card list `xborder config show` prints -----------------------------------------------------------------------


def test_the_card_list_names_each_fee_on_top_with_its_status_and_source(tmp_path: Path) -> None:
    from xborder_pipeline.cards import card_windows
    from xborder_pipeline.config import load_settings

    settings = load_settings()
    packaged = {(row["card"], row["window"]): row for row in card_windows(settings, CARD, IN_PEAK)}
    unsourced = {
        (row["card"], row["window"]): row
        for row in card_windows(settings, card_with(tmp_path, without_amounts), IN_PEAK)
    }

    for fee in ("overmax_handling", "bulky_packaging"):
        row = packaged[("fba_us_2026", fee)]
        assert (row["status"], row["valid_from"], row["in_force"]) == ("priced", "2026-01-15", True)
        assert "Read 2026-12-06" in row["source"]
        assert unsourced[("fba_us_2026", fee)]["status"] == "not_yet"
    assert "Patrick-Zuo-hub/FBA-Fee-Calculator" in packaged[("fba_us_2026", "bulky_packaging")]["source"]
    assert "Kris-2023/LT-TOOL" in packaged[("fba_us_2026", "overmax_handling")]["source"]
