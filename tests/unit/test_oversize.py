"""Oversize for a parcel (traits.md): over about 30 kg or 120 cm on the longest side, a bicycle, a sofa, a skid of
goods; a variable product when any variant is. Oversize goods are at best `marginal` by direct parcel, and
`unsuitable` when their profit is low."""

from __future__ import annotations

import polars as pl
import pytest

from tests.unit.test_scoring import config, listings, scored
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.scoring import with_scores

# A well-paid heavy piece: 40 kg, USD 2,000, a healthy margin, in a box under 120 cm.
HEAVY = {"title": "Cast iron anvil", "category": "Tools", "weight_kg": 40.0, "length_cm": 60.0, "width_cm": 30.0,
         "height_cm": 30.0, "price": 2000.0, "unit_cost": 300.0}


def _row(settings, **overrides) -> dict:
    return scored(settings, overrides).row(0, named=True)


def test_a_declared_weight_over_the_limit_is_oversize_with_its_value_and_basis(settings) -> None:
    row = _row(settings, **HEAVY)

    assert settings.traits.oversize.max_weight_kg < 40.0
    assert row["is_oversize"]
    assert "oversize:weight:declared:40.0kg" in row["trait_evidence"]
    assert "OVERSIZE_FOR_PARCEL" in row["reasons"]
    assert row["suitability_band"] == "marginal"  # a healthy margin
    assert "OVERSIZE_LOW_MARGIN" not in row["reasons"]


def test_no_score_lifts_oversize_goods_above_the_configured_band(tmp_path) -> None:
    free = "OVERSIZE_FOR_PARCEL = 0.0\nOVER_POSTAL_WEIGHT = 0.0\nOVER_POSTAL_SIZE = 0.0\n"
    capped = config(tmp_path, f"[scoring.penalties]\n{free}")
    row = scored(capped, HEAVY).row(0, named=True)

    assert row["suitability_score"] >= capped.scoring.suitable_min_score
    assert row["suitability_band"] == "marginal"

    off = config(tmp_path, f'[scoring]\noversize_max_band = "suitable"\n[scoring.penalties]\n{free}')
    assert scored(off, HEAVY).row(0, named=True)["suitability_band"] == "suitable"


def test_oversize_goods_on_a_thin_margin_are_unsuitable(settings) -> None:
    # no box declared (as the hydroponics skid): only the weight is over a postal limit, and the score alone
    # would say marginal
    no_box = {**HEAVY, "length_cm": None, "width_cm": None, "height_cm": None}
    thin = _row(settings, **{**no_box, "unit_cost": 1200.0})

    assert thin["is_oversize"] and "THIN_MARGIN" in thin["reasons"]
    assert thin["suitability_score"] >= settings.scoring.marginal_min_score
    assert thin["suitability_band"] == "unsuitable"
    assert "OVERSIZE_LOW_MARGIN" in thin["reasons"]
    healthy = _row(settings, **no_box)
    assert healthy["suitability_band"] == "marginal" and "OVERSIZE_LOW_MARGIN" not in healthy["reasons"]


def test_a_declared_longest_side_over_120_cm_is_oversize(settings) -> None:
    row = _row(settings, title="Aluminium rail", weight_kg=2.0, length_cm=135.0, width_cm=10.0, height_cm=10.0,
               price=300.0, unit_cost=30.0)

    assert row["is_oversize"] and "oversize:length:declared:135cm" in row["trait_evidence"]
    assert row["suitability_band"] != "suitable"


def test_limits_are_exclusive_and_come_from_configuration(settings) -> None:
    limits = settings.traits.oversize
    row = _row(settings, title="Steel shelf", weight_kg=limits.max_weight_kg, length_cm=limits.max_longest_side_cm,
               width_cm=30.0, height_cm=5.0, price=500.0, unit_cost=50.0)

    assert not row["is_oversize"]
    assert not any(evidence.startswith("oversize:") for evidence in row["trait_evidence"])


def test_a_length_in_the_title_is_the_estimated_box_and_says_so(settings) -> None:
    # no box in the export: the title's 4 ft (122 cm) plus padding is the box the costs rest on
    row = _row(settings, title="BADBOY T-5 4 ft - 8 Lamp Fixture 432 W", category="Fluorescent Fixtures",
               weight_kg=None, length_cm=None, width_cm=None, height_cm=None, price=200.0, unit_cost=None)

    assert row["dimensions_basis"] == "title"
    assert row["is_oversize"] and "oversize:length:title:128cm" in row["trait_evidence"]
    assert row["suitability_band"] != "suitable"


def test_a_category_prior_alone_makes_nothing_oversize(settings) -> None:
    # the fluorescent-tube prior's upper-quartile box is 126 cm long: a 2 ft tube is no 4 ft one
    row = _row(settings, title="T5 CFL 2' Plantmax Day 24W tube", category="T5 Bulbs", weight_kg=0.1,
               length_cm=None, width_cm=None, height_cm=None, price=8.95, unit_cost=None)

    assert row["dimensions_basis"] == "category_prior" and row["longest_side_cm"] > 120
    assert not row["is_oversize"]


@pytest.mark.parametrize(
    ("title", "evidence"),
    [
        ("Trail 26\" complete bike, 21 speeds", "oversize:type:en:complete bike"),
        ("Three-seater sofa, grey linen", "oversize:type:en:sofa"),
        ("JOULE-SERIES 1000W DE 120V - 240V/ Skid (62 Fixtures)", "oversize:type:en:skid"),
        ("Divano letto a tre posti", "oversize:type:it:divano letto"),
        ("Canapé d'angle convertible", "oversize:type:fr:canapé"),
        ("Bicicleta aro 29 alumínio", "oversize:type:pt:bicicleta aro"),
        ("三人布艺沙发", "oversize:type:zh:沙发"),
    ],
)
def test_product_types_named_in_the_title_are_oversize_whatever_the_export_says(settings, title, evidence) -> None:
    # the export declares a small light parcel: the product type overrides it
    row = _row(settings, title=title, category="Home", weight_kg=1.0, length_cm=30.0, width_cm=20.0,
               height_cm=10.0, price=900.0, unit_cost=200.0)

    assert row["is_oversize"] and evidence in row["trait_evidence"]
    assert row["suitability_band"] != "suitable"


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ('PRO 125 - 10" Reversible - 1140 cfm (freight shipping ONLY)', None),
        ('PRO 100 - 8" Reversible - 900 cfm(freight shipping ONLY)', None),
        ("Commercial dehumidifier pump kit", "Heavy unit: this item ships by freight only, to a business address."),
    ],
)
def test_goods_the_seller_sends_by_freight_only_are_oversize(settings, title, description) -> None:
    # the export's placeholder weight and box say a small parcel; the seller says freight (a veto word: no matter)
    row = _row(settings, title=title, description=description, weight_kg=3.0, length_cm=30.0, width_cm=30.0,
               height_cm=30.0, price=327.0, unit_cost=150.0)

    assert row["is_oversize"], row["trait_evidence"]
    assert "OVERSIZE_FOR_PARCEL" in row["reasons"] and row["suitability_band"] != "suitable"


@pytest.mark.parametrize(
    "title",
    [
        "Bike light, rechargeable",  # an accessory that names the big goods it fits
        "Sofa cover, stretch, 3 seats",
        "Anti-skid rubber mat",
        "Miniature sofa for a dollhouse",
        "Bike lock with 2 keys",
        "E-bike Brake Levers with Cut-off Sensor (Pair)",  # parts name the bicycle they fit (the bundled sample)
        "E-bike Headlight 12-80V",
        "Mountain bike pedals, aluminium",
        "Sofa legs, set of 4",
    ],
)
def test_accessories_and_models_of_big_goods_are_not_oversize(settings, title) -> None:
    row = _row(settings, title=title, weight_kg=0.3, length_cm=30.0, width_cm=20.0, height_cm=5.0)

    assert not row["is_oversize"], row["trait_evidence"]


def test_a_variable_product_is_oversize_when_any_variant_is(settings) -> None:
    rows = [
        # the 3-seater declares its weight and box; the 2-seater declares no weight
        ({"title": "Modular sofa - 3 seats", "weight_kg": 48.0, "length_cm": 210.0, "width_cm": 90.0,
          "height_cm": 80.0, "price": 1400.0, "unit_cost": 400.0}, "modular"),
        ({"title": "Modular lounge - 2 seats", "weight_kg": None, "price": 1100.0, "unit_cost": 300.0}, "modular"),
        # a declared, measured variant within the limits is judged on its own measure
        ({"title": "Modular lounge - footstool", "weight_kg": 6.0, "length_cm": 60.0, "width_cm": 60.0,
          "height_cm": 40.0, "price": 200.0, "unit_cost": 60.0}, "modular"),
        ({"title": "Cotton tote bag"}, "tote"),
        # the product says what it is on one variant only; the other declares no box
        ({"title": "Complete bike 26in, size S", "weight_kg": 14.0, "length_cm": 100.0, "width_cm": 60.0,
          "height_cm": 20.0, "price": 600.0, "unit_cost": 200.0}, "trail"),
        ({"title": "Trail 26in, size M", "weight_kg": 14.5, "length_cm": None, "width_cm": None, "height_cm": None,
          "price": 600.0, "unit_cost": 200.0}, "trail"),
    ]
    grouped = listings(*(row for row, _ in rows)).with_columns(
        product_group=pl.Series([group for _, group in rows], dtype=pl.String)
    )
    frame = with_scores(with_listing_features(grouped, settings), settings)
    rows = {row["title"]: row for row in frame.to_dicts()}

    assert rows["Modular sofa - 3 seats"]["is_oversize"]
    two_seats = rows["Modular lounge - 2 seats"]
    assert two_seats["is_oversize"] and two_seats["weight_basis"] == "sibling"  # the 3-seater's 48 kg
    assert "oversize:weight:sibling:48.0kg" in two_seats["trait_evidence"]
    assert two_seats["suitability_band"] != "suitable"
    size_m = rows["Trail 26in, size M"]
    assert size_m["is_oversize"] and "oversize:variant:type:en:complete bike" in size_m["trait_evidence"]
    assert not rows["Modular lounge - footstool"]["is_oversize"]
    assert not rows["Cotton tote bag"]["is_oversize"]


def test_goods_never_shipped_are_never_oversize(settings) -> None:
    row = _row(settings, title="Sofa plans, PDF download", is_physical=False, weight_kg=50.0)

    assert not row["is_oversize"]
    assert row["trait_evidence"] == []


def test_oversize_goods_favour_a_warehouse_only_with_proven_demand(settings) -> None:
    proven = _row(settings, **HEAVY)  # 60 a month, a month of stock
    unproven = _row(settings, **{**HEAVY, "monthly_units_sold": None})

    assert "WAREHOUSE_TRAITS_BULKY" in proven["reasons"]
    assert unproven["warehouse_flag"] == "candidate_unproven_demand"
    assert "NO_DEMAND_EVIDENCE" in unproven["reasons"]
