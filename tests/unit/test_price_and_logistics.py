"""Prices in USD, chargeable weight per channel, rate-band selection, channel costs and their limits."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS, DECIMAL_COLUMNS, WHOLE_NUMBER_COLUMNS

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import dimensions, price, with_listing_features
from xborder_pipeline.features.shipping import chargeable_weight_on, column


def _dtype(name: str) -> pl.DataType:
    if name in DECIMAL_COLUMNS:
        return pl.Float64()
    if name in WHOLE_NUMBER_COLUMNS:
        return pl.Int64()
    return pl.String()


def listings(*rows: dict[str, object]) -> pl.DataFrame:
    """Canonical listings (plus the adapters' is_physical): what a row does not state is null."""
    schema = {**{name: _dtype(name) for name in CANONICAL_COLUMNS}, "is_physical": pl.Boolean()}
    records = [{**dict.fromkeys(schema), "listing_id": f"L-{i}", **row} for i, row in enumerate(rows, 1)]
    return pl.DataFrame(records, schema=schema)


def parcel(weight: float | None, length: float | None = None, width: float | None = None,
           height: float | None = None, **extra) -> dict:
    """A plain parcel with anything else stated. Its box is by default a cube as dense as 2,000 kg/m3 (5 x 5 x 2 cm
    without a weight): small enough that actual weight decides, and no denser than goods are, so that the weight is
    not set aside as implausible."""
    side = round((weight * 500) ** (1 / 3), 3) if weight else None
    length, width, height = (
        (length, width, height) if length is not None else (side, side, side) if side else (5.0, 5.0, 2.0)
    )
    return {"title": "Cotton tote bag", "weight_kg": weight, "length_cm": length, "width_cm": width,
            "height_cm": height, "price": 40.0, "currency": "USD", **extra}


def costs(settings, *rows: dict, channel: str) -> pl.DataFrame:
    frame = with_listing_features(listings(*rows), settings)
    return frame.select(
        chargeable=pl.col(column(channel, "chargeable_weight_kg")),
        cost=pl.col(column(channel, "shipping_cost_usd")),
        eligible=pl.col(column(channel, "eligible")),
        reasons=pl.col(column(channel, "ineligible_reasons")),
        landed=pl.col(column(channel, "landed_cost_usd")),
    )


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.fixture(scope="module")
def cny(settings) -> float:
    return settings.fx.usd_per_unit["CNY"]


# --- prices in USD --------------------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "CNY", "JPY"])
def test_price_and_unit_cost_convert_at_the_configured_rate(settings, currency) -> None:
    rate = settings.fx.usd_per_unit[currency]
    row = listings({"price": 200.0, "unit_cost": 50.0, "currency": currency}).select(
        price_usd=price.price_usd(settings.fx), unit_cost_usd=price.unit_cost_usd(settings.fx)
    ).row(0, named=True)

    assert row == {"price_usd": pytest.approx(200.0 * rate), "unit_cost_usd": pytest.approx(50.0 * rate)}


@pytest.mark.parametrize("currency", ["XYZ", None])
def test_a_price_in_an_unknown_or_missing_currency_has_no_usd_value(settings, currency) -> None:
    value = listings({"price": 10.0, "currency": currency}).select(price.price_usd(settings.fx)).item()

    assert value is None


def test_exchange_rates_come_from_config(tmp_path) -> None:
    config = tmp_path / "fx.toml"
    config.write_text("[fx.usd_per_unit]\nEUR = 1.25\nSEK = 0.1\n", encoding="utf-8")
    fx = load_settings(config).fx

    frame = listings({"price": 8.0, "currency": "EUR"}, {"price": 8.0, "currency": "SEK"})

    assert frame.select(price.price_usd(fx)).to_series().to_list() == pytest.approx([10.0, 0.8])


# --- chargeable weight per channel ----------------------------------------------------------------


def test_worked_example_chargeable_weight_before_and_after_rounding(settings) -> None:
    # domain.md §0: 30x20x10 cm, 0.8 kg is 1.2 kg volumetric at /5000 (1.5 kg once rounded up to 0.5 kg)
    # and 1.0 kg at /6000.
    frame = listings(parcel(0.8, 30.0, 20.0, 10.0))
    row = frame.select(
        unrounded_5000=dimensions.chargeable_weight_kg(5000),
        express=chargeable_weight_on(settings.channels["express"]),
        special_line=chargeable_weight_on(settings.channels["special_line_general"]),
        postal=chargeable_weight_on(settings.channels["postal_small_packet"]),
    ).row(0, named=True)

    assert row["unrounded_5000"] == pytest.approx(1.2)
    assert row["express"] == pytest.approx(1.5)
    assert row["special_line"] == pytest.approx(1.0)
    assert row["postal"] == pytest.approx(0.8)  # the postal class bills actual weight


@pytest.mark.parametrize(
    ("weight", "expected"),
    [(0.3, 1.0), (1.0, 1.0), (1.5, 1.5), (0.0, 1.0)],
    ids=["volumetric-wins", "equal", "actual-wins", "zero-weight-uses-the-box"],
)
def test_a_6000_line_bills_the_larger_of_actual_and_volumetric(settings, weight, expected) -> None:
    frame = costs(settings, parcel(weight, 30.0, 20.0, 10.0), channel="special_line_general")

    assert frame["chargeable"][0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("weight", "billed"), [(0.2, 0.5), (0.5, 0.5), (0.51, 1.0), (1.0, 1.0), (2.1, 2.5), (69.9, 70.0)]
)
def test_express_rounds_up_to_the_next_half_kilo_but_not_a_whole_step(settings, weight, billed) -> None:
    frame = listings(parcel(weight))

    assert frame.select(chargeable_weight_on(settings.channels["express"])).item() == pytest.approx(billed)


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    weight=st.floats(0.01, 80.0),
    sides=st.tuples(st.floats(1.0, 150.0), st.floats(1.0, 100.0), st.floats(1.0, 100.0)),
)
def test_every_channel_bills_at_least_the_actual_weight(settings, weight, sides) -> None:
    frame = listings(parcel(weight, *sides)).select(
        **{name: chargeable_weight_on(channel) for name, channel in settings.channels.items()},
        reference=dimensions.chargeable_weight_kg(6000),
    )

    for name, billed in frame.row(0, named=True).items():
        assert billed >= weight - 1e-9, name


# --- rate bands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "cny_amount"),
    [
        (0.1, 0.1 * 71.51 + 6.39),
        (0.25, 0.25 * 71.51 + 6.39),  # exactly at the first band's top: still the first band
        (0.2501, 0.2501 * 68.88 + 20.71),  # just past it: the second band
        (1.0, 1.0 * 68.88 + 20.71),
        (2.0, 2.0 * 68.88 + 20.71),  # the last band's top
    ],
)
def test_postal_cost_follows_the_band_of_the_chargeable_weight_in_usd(settings, cny, weight, cny_amount) -> None:
    frame = costs(settings, parcel(weight), channel="postal_small_packet")

    assert frame["cost"][0] == pytest.approx(cny_amount * cny)
    assert frame["eligible"][0] is True


@pytest.mark.parametrize(
    ("weight", "cny_amount"),
    [
        (0.1, 0.1 * 98 + 24),
        (0.15, 0.15 * 92 + 22),
        (0.2, 0.2 * 92 + 22),
        # 0.25 kg at 87/kg + 13 would be 34.75, below the 0.2 kg price: the lighter band's top price holds.
        (0.25, 0.2 * 92 + 22),
        (2.0, 2.0 * 87 + 13),
        (2.5, 2.5 * 82 + 13),
        (30.0, 30.0 * 82 + 13),
    ],
)
def test_special_line_bands_never_price_a_heavier_parcel_lower(settings, cny, weight, cny_amount) -> None:
    frame = costs(settings, parcel(weight), channel="special_line_general")

    assert frame["cost"][0] == pytest.approx(cny_amount * cny)


@pytest.mark.parametrize(
    ("row", "usd"),
    [
        (parcel(0.8, 30.0, 20.0, 10.0), 1.5 * 12 + 14),  # worked example: billed 1.5 kg
        (parcel(2.0), 2.0 * 12 + 14),
        (parcel(2.1), 2.5 * 9 + 20),  # billed 2.5 kg: the heavier band
        (parcel(70.0, 50.0, 40.0, 40.0), 70.0 * 9 + 20),
        (parcel(10.0, 121.0, 10.0, 10.0), 10.0 * 9 + 20 + 114.0),  # longest side over 120 cm
    ],
)
def test_express_is_priced_in_usd_by_band_with_the_oversize_surcharge(settings, row, usd) -> None:
    assert settings.channels["express"].currency == "USD"
    assert costs(settings, row, channel="express")["cost"][0] == pytest.approx(usd)


def test_the_sensitive_line_is_the_general_line_with_its_surcharges(settings, cny) -> None:
    sensitive = settings.channels["special_line_sensitive"]
    # Over the postal limit, so the battery line is the cheapest that carries it.
    frame = with_listing_features(listings(parcel(2.5, title="Bluetooth speaker, rechargeable battery")), settings)

    general_cny = 2.5 * 82 + 13
    sensitive_cny = 2.5 * 82 * (1 + sensitive.per_kg_uplift) + 13 + sensitive.per_parcel_surcharge

    assert frame[column("special_line_sensitive", "shipping_cost_usd")][0] == pytest.approx(sensitive_cny * cny)
    assert frame[column("special_line_general", "shipping_cost_usd")][0] == pytest.approx(general_cny * cny)
    assert frame[column("special_line_general", "eligible")][0] is False  # refuses the battery
    assert frame["recommended_channel"][0] == "special_line_sensitive"


def test_a_channel_cost_moves_with_the_exchange_rate_in_config(tmp_path, settings, cny) -> None:
    config = tmp_path / "cny.toml"
    config.write_text("[fx.usd_per_unit]\nCNY = 0.2\n", encoding="utf-8")

    default = costs(settings, parcel(0.5), channel="postal_small_packet")["cost"][0]
    changed = costs(load_settings(config), parcel(0.5), channel="postal_small_packet")["cost"][0]

    assert changed == pytest.approx(default / cny * 0.2)


# --- limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "row"),
    [
        ("postal_small_packet", parcel(2.01)),
        ("special_line_general", parcel(30.5)),
        ("special_line_sensitive", parcel(31.0)),
        ("express", parcel(70.1)),  # billed 70.5 kg
        ("express", parcel(10.0, 120.0, 80.0, 80.0)),  # 153.6 kg volumetric at /5000
    ],
)
def test_beyond_the_channels_max_weight_there_is_no_cost(settings, channel, row) -> None:
    frame = costs(settings, row, channel=channel)

    assert frame["chargeable"][0] > settings.channels[channel].max_weight_kg
    assert frame["cost"][0] is None
    assert frame["landed"][0] is None
    assert "OVER_CHANNEL_WEIGHT" in frame["reasons"][0]


def test_a_market_whose_card_stops_short_of_the_channel_limit_is_not_priced_beyond_it(settings) -> None:
    # The UK line's card ends at 20 kg although the channel carries 30 kg: a 25 kg parcel to GB has no price.
    frame = costs(settings, parcel(25.0, marketplace="amazon_uk"), parcel(25.0, marketplace="amazon_us"),
                  channel="special_line_general")

    assert frame["cost"][0] is None
    assert frame["reasons"][0].to_list() == ["OVER_RATE_CARD_WEIGHT"]
    assert frame["cost"][1] == pytest.approx((25.0 * 82 + 13) * settings.fx.usd_per_unit["CNY"])
    assert frame["reasons"][1].to_list() == []


def test_a_heavier_postal_limit_in_config_needs_a_band_to_price_it(tmp_path) -> None:
    config = tmp_path / "postal.toml"
    config.write_text(
        "[channels.postal_small_packet]\nmax_weight_kg = 3.0\n"
        "[[channels.postal_small_packet.rates.US]]\nmax_chargeable_kg = 3.0\nper_kg = 50.0\nper_parcel = 10.0\n",
        encoding="utf-8",
    )
    custom = load_settings(config)

    frame = costs(custom, parcel(2.5), channel="postal_small_packet")

    assert frame["eligible"][0] is True
    assert frame["cost"][0] == pytest.approx((2.5 * 50.0 + 10.0) * custom.fx.usd_per_unit["CNY"])


# --- the cheapest channel and what it means for the price -------------------------------------------


def test_logistics_cost_ratio_and_margin_use_the_cheapest_eligible_channel(settings) -> None:
    row = with_listing_features(listings(parcel(0.3, 20.0, 10.0, 3.0, unit_cost=5.0)), settings).row(0, named=True)
    landed = {name: row[column(name, "landed_cost_usd")] for name in settings.channels}

    assert row["recommended_channel"] == min((cost, name) for name, cost in landed.items() if cost is not None)[1]
    assert row["logistics_cost_ratio"] == pytest.approx(row["est_direct_ship_cost_usd"] / 40.0)
    assert row["margin_after_logistics_usd"] == pytest.approx(40.0 - 5.0 - row["landed_cost_usd"])


def test_without_a_price_there_is_no_cost_ratio(settings) -> None:
    row = with_listing_features(listings(parcel(0.3, price=None, currency=None)), settings).row(0, named=True)

    assert row["est_direct_ship_cost_usd"] is not None
    assert row["logistics_cost_ratio"] is None
    assert row["margin_ratio"] is None
