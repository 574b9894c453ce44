"""Direct channels: destination, eligibility with reasons, chargeable weight, cost, duty, VAT, cheapest pick."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.helpers import featured
from xborder_pipeline.features.shipping import channel_costs_long, column


def test_worked_example_chargeable_weight_per_channel(settings) -> None:
    # domain.md §0: 30x20x10 cm, 0.8 kg is 1.2 kg volumetric at /5000, billed 1.5 kg after 0.5 kg rounding,
    # and 1.0 kg at /6000.
    frame = featured(settings, {"weight_kg": 0.8, "length_cm": 30.0, "width_cm": 20.0, "height_cm": 10.0})

    assert frame[column("express", "chargeable_weight_kg")][0] == pytest.approx(1.5)
    assert frame[column("special_line_general", "chargeable_weight_kg")][0] == pytest.approx(1.0)
    assert frame[column("postal_small_packet", "chargeable_weight_kg")][0] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("marketplace", "country", "market"),
    [("amazon_us", "US", "US"), ("amazon_uk", "GB", "GB"), ("amazon_de", "DE", "EU"), ("shopify", "US", "US"),
     (None, "US", "US")],
)
def test_destination_comes_from_the_marketplace(settings, marketplace, country, market) -> None:
    frame = featured(settings, {"marketplace": marketplace})

    assert frame.select("destination_country", "destination_market").row(0) == (country, market)


def test_a_small_light_item_goes_by_post_and_the_cost_follows_the_band(settings) -> None:
    frame = featured(settings, {"weight_kg": 0.2, "length_cm": 20.0, "width_cm": 10.0, "height_cm": 3.0})
    cny = settings.fx.usd_per_unit["CNY"]

    assert frame["recommended_channel"][0] == "postal_small_packet"
    assert frame["est_direct_ship_cost_usd"][0] == pytest.approx((0.2 * 71.51 + 6.39) * cny)


@pytest.mark.parametrize(
    ("overrides", "channel", "reason"),
    [
        ({"weight_kg": 2.5}, "postal_small_packet", "OVER_CHANNEL_WEIGHT"),
        ({"length_cm": 61.0}, "postal_small_packet", "OVER_CHANNEL_SIZE"),
        ({"length_cm": 50.0, "width_cm": 30.0, "height_cm": 11.0}, "postal_small_packet", "OVER_CHANNEL_SIZE"),
        ({"title": "Lavender essential oil 10ml"}, "postal_small_packet", "REFUSES_LIQUID"),
        ({"title": "Lavender essential oil 10ml"}, "special_line_general", "REFUSES_LIQUID"),
        ({"title": "Down To Earth Bone Meal - 1 lb"}, "postal_small_packet", "REFUSES_POWDER"),  # domain.md §5
        ({"title": "Power bank 10000mAh"}, "special_line_sensitive", "REFUSES_LOOSE_BATTERY"),
        ({"title": "Bluetooth speaker, rechargeable battery"}, "special_line_general", "REFUSES_BATTERY"),
        ({"title": "Spray paint aerosol can"}, "express", "REFUSES_AEROSOL_OR_FLAMMABLE"),
        ({"weight_kg": 75.0, "length_cm": 50.0, "width_cm": 40.0, "height_cm": 40.0}, "express",
         "OVER_CHANNEL_WEIGHT"),
        # nothing declared and nothing to estimate from (no sibling, no size in the title, no prior matched)
        ({"weight_kg": None, "length_cm": None, "title": "Item 42", "category": None}, "special_line_general",
         "NO_WEIGHT_OR_SIZE"),
        ({"is_physical": False}, "express", "NOT_PHYSICAL"),
    ],
)
def test_a_channel_that_will_not_carry_says_why(settings, overrides, channel, reason) -> None:
    frame = featured(settings, overrides)

    assert reason in frame[column(channel, "ineligible_reasons")][0]
    assert frame[column(channel, "eligible")][0] is False
    assert frame[column(channel, "landed_cost_usd")][0] is None


def test_goods_in_a_device_with_a_battery_take_the_sensitive_line(settings) -> None:
    frame = featured(settings, {"title": "Bluetooth speaker with rechargeable battery", "weight_kg": 2.5,
                                "length_cm": 25.0, "width_cm": 15.0, "height_cm": 12.0})

    assert frame[column("special_line_sensitive", "eligible")][0] is True
    assert frame["recommended_channel"][0] in {"special_line_sensitive", "express"}
    assert frame["recommended_channel"][0] != "special_line_general"


def test_express_adds_the_oversize_surcharge_beyond_120_cm(settings) -> None:
    short, long = featured(
        settings,
        {"weight_kg": 8.0, "length_cm": 119.0, "width_cm": 10.0, "height_cm": 10.0},
        {"weight_kg": 8.0, "length_cm": 121.0, "width_cm": 10.0, "height_cm": 10.0},
    )[column("express", "shipping_cost_usd")]

    assert long - short == pytest.approx(114.0, abs=1.0)


def test_nothing_carries_a_sofa_so_there_is_no_recommended_channel(settings) -> None:
    frame = featured(settings, {"title": "3-seat sofa", "weight_kg": 58.0, "length_cm": 210.0, "width_cm": 95.0,
                                "height_cm": 85.0, "price": 499.0})

    assert frame["recommended_channel"][0] is None
    assert frame["est_direct_ship_cost_usd"][0] is None
    assert frame["landed_cost_usd"][0] is None


def test_us_duty_is_ad_valorem_with_no_de_minimis(settings) -> None:
    frame = featured(settings, {"price": 20.0})

    assert frame["duty_usd"][0] == pytest.approx(20.0 * settings.markets["US"].duty_rate)
    assert frame["vat_usd"][0] == 0.0
    assert frame["customs_fee_usd"][0] == settings.markets["US"].customs_fee_per_parcel_usd


def test_eu_parcels_under_150_eur_pay_three_euro_and_vat_of_the_country(settings) -> None:
    eur = settings.fx.usd_per_unit["EUR"]
    cheap, dear = featured(settings, {"marketplace": "amazon_de", "price": 100.0, "currency": "EUR"},
                           {"marketplace": "amazon_de", "price": 200.0, "currency": "EUR"}).iter_rows(named=True)

    assert cheap["duty_usd"] == pytest.approx(3.0 * eur)
    assert cheap["vat_usd"] == pytest.approx(100.0 * eur * 0.19 / 1.19)
    assert dear["duty_usd"] == pytest.approx(200.0 * eur * settings.markets["EU"].duty_rate_above_threshold)


def test_uk_parcels_up_to_135_gbp_pay_vat_but_no_duty(settings) -> None:
    row = featured(settings, {"marketplace": "amazon_uk", "price": 100.0, "currency": "GBP"}).row(0, named=True)

    assert row["duty_usd"] == 0.0
    assert row["vat_usd"] == pytest.approx(100.0 * settings.fx.usd_per_unit["GBP"] * 0.2 / 1.2)


def test_landed_cost_and_margin_add_up(settings) -> None:
    row = featured(settings, {"price": 30.0, "unit_cost": 8.0}).row(0, named=True)

    assert row["landed_cost_usd"] == pytest.approx(
        row["est_direct_ship_cost_usd"] + row["duty_usd"] + row["customs_fee_usd"] + row["vat_usd"]
    )
    assert row["margin_after_logistics_usd"] == pytest.approx(30.0 - 8.0 - row["landed_cost_usd"])
    assert row["margin_ratio"] == pytest.approx(row["margin_after_logistics_usd"] / 30.0)


def test_missing_unit_cost_leaves_margin_unknown(settings) -> None:
    row = featured(settings, {"unit_cost": None}).row(0, named=True)

    assert row["margin_after_logistics_usd"] is None
    assert row["landed_cost_usd"] is not None


def test_the_long_table_has_one_row_per_channel_and_one_recommended(settings) -> None:
    frame = featured(settings, {}, {"title": "Glass vase", "weight_kg": 1.6, "length_cm": 35.0, "width_cm": 18.0,
                                    "height_cm": 18.0})

    long = channel_costs_long(frame, settings)

    assert long.height == 2 * len(settings.channels)
    assert long.group_by("listing_id").agg(n=long["is_recommended"].sum()) is not None
    per_listing = long.group_by("listing_id").agg(recommended=pl_sum("is_recommended"))
    assert per_listing["recommended"].to_list() == [1, 1]


def pl_sum(name: str):
    import polars as pl

    return pl.col(name).cast(pl.Int32).sum()


def test_a_heavier_parcel_never_costs_less_at_a_band_edge(settings) -> None:
    # The US special-line card: 0.1 kg at 98/kg + 24 RMB is dearer than 0.11 kg at 92/kg + 22 RMB.
    at_edge, past_edge = featured(
        settings,
        {"title": "Bluetooth ear tips", "weight_kg": 0.1, "length_cm": 5.0, "width_cm": 5.0, "height_cm": 2.0},
        {"title": "Bluetooth ear tips", "weight_kg": 0.11, "length_cm": 5.0, "width_cm": 5.0, "height_cm": 2.0},
    )[column("special_line_general", "shipping_cost_usd")]

    assert past_edge >= at_edge
    assert at_edge == pytest.approx((0.1 * 98 + 24) * settings.fx.usd_per_unit["CNY"])


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    weight=st.floats(0.01, 60.0),
    extra_weight=st.floats(0.0, 10.0),
    sides=st.tuples(st.floats(1.0, 150.0), st.floats(1.0, 80.0), st.floats(1.0, 80.0)),
    growth=st.floats(1.0, 1.5),
)
def test_more_weight_or_volume_never_lowers_a_channels_cost(settings, weight, extra_weight, sides, growth) -> None:
    length, width, height = sides
    # declared values, as goods can be: a weight implausibly dense or light for its box is set aside (and estimated)
    quality, litres = settings.data_quality, length * width * height / 1000
    assume(quality.min_density_kg_per_m3 / 1000 <= min(weight / litres, (weight + extra_weight) / (litres * growth)))
    assume((weight + extra_weight) / litres <= quality.max_density_kg_per_m3 / 1000)
    frame = featured(
        settings,
        {"weight_kg": weight, "length_cm": length, "width_cm": width, "height_cm": height},
        {"weight_kg": weight + extra_weight, "length_cm": length * growth, "width_cm": width, "height_cm": height},
    )
    for name in settings.channels:
        small, large = frame[column(name, "shipping_cost_usd")]
        if small is not None and large is not None:
            assert large >= small - 1e-9, name
        charged_small, charged_large = frame[column(name, "chargeable_weight_kg")]
        assert charged_large >= charged_small - 1e-9
        assert charged_small >= weight - 1e-9


def test_features_work_on_frames_without_the_adapter_columns(settings) -> None:
    from tests.helpers import typed_listings
    from xborder_pipeline.features import with_listing_features

    frame = with_listing_features(typed_listings({}).drop("is_physical"), settings)

    assert frame["recommended_channel"][0] == "postal_small_packet"
