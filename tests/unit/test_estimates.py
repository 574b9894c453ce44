"""Estimates of missing, zero, placeholder and implausible weights and boxes, each with its basis."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.unit.test_scoring import confidence, listings, scored
from xborder_pipeline.config import ConfigError, load_settings
from xborder_pipeline.features import estimates

NO_SIZE = {"weight_kg": None, "length_cm": None, "width_cm": None, "height_cm": None}


def text_values(expression: pl.Expr, *texts: str | None) -> list[float | None]:
    frame = pl.DataFrame({"text": list(texts)}, schema={"text": pl.String})
    return [
        None if value is None else round(value, 3)
        for value in frame.select(expression.alias("value"))["value"].to_list()
    ]


def estimated(settings, *rows: dict[str, object]) -> pl.DataFrame:
    return scored(settings, *rows)


def config(tmp_path: Path, text: str):
    path = tmp_path / "user.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


# --- the title's own sizes, weights and volumes ---------------------------------------------------------------


def test_lengths_in_every_unit_the_titles_use() -> None:
    text = pl.col("text").str.to_lowercase()

    assert text_values(
        estimates.length_cm(text),
        'Complete 26" bike',
        "26 in mountain bike",
        "Riser handlebar 72cm",
        "Chain ring 230mm",
        "T5 tube 4'",
        "T5 tube 4 ft",
        "Monitor 27 inch",
        "Plain mug",
    ) == [66.04, 66.04, 72.0, 23.0, 121.92, 121.92, 68.58, None]


def test_2_in_1_and_inside_are_not_inches() -> None:
    text = pl.col("text").str.to_lowercase()

    assert text_values(estimates.length_cm(text), "2 in 1 charger", "3 inside pockets") == [None, None]


def test_a_fraction_is_read_whole_not_as_its_denominator() -> None:
    # a trimmer's "1/4 in" grate had been boxed as a 4 in stick; "11/0" names a bead size, not a weight
    text = pl.col("text").str.to_lowercase()
    settings = load_settings()

    lengths = text_values(estimates.length_cm(text), 'TRIMPRO ROTOR - grate size 1/4"', '1-1/2" fitting', "3/4 in tube")
    assert lengths == [0.635, 1.27, 1.905]
    assert text_values(estimates.stated_weight_kg(text, settings.estimates), "Kelp 1/2 lb", "11/0 beads, 3/0 kg",
                       "Rice 1,5 kg") == [0.227, None, 1.5]
    assert text_values(estimates.litres(text), "Bloom 1/2 gal") == [1.893]


def test_a_fertilisers_analysis_is_no_amount_and_its_units_are_read() -> None:
    # "0-0-0.3 Gall." had been 0.3 gallon, "2.5 Gall" no volume at all, "500 gm" no weight
    text = pl.col("text").str.to_lowercase()
    settings = load_settings()

    assert text_values(estimates.litres(text), "CAR-BEAU-NARIA 0-0-0.3 , 2.5 Gall", "CAR-BEAU-NARIA 0-0-0.3 Gall.",
                       "Bloom 1 gal") == [9.464, None, 3.785]
    assert text_values(estimates.one_unit_litres(text), "CAR-BEAU-NARIA 0-0-0.3 Gall.") == [3.785]
    assert text_values(estimates.stated_weight_kg(text, settings.estimates), "Yield Up 9-47-9 500 gm",
                       "Bone Meal 3 - 15 - 0, 6 lb", "Neem Seed Meal 6 - 1 - 2") == [0.5, 2.722, None]


def test_weights_stated_in_the_title() -> None:
    text = pl.col("text").str.to_lowercase()
    settings = load_settings()

    assert text_values(
        estimates.stated_weight_kg(text, settings.estimates),
        "Bat guano 5 lb",
        "Coffee 500g",
        "Dumbbell 2kg",
        "Honey 16 oz",
        "5G phone case",  # a network, not 5 grams
        "32 fl oz nutrient",  # a volume, not a weight
    ) == [2.268, 0.5, 2.0, 0.454, None, None]


def test_volumes_of_liquids() -> None:
    text = pl.col("text").str.to_lowercase()

    assert text_values(
        estimates.litres(text), "Bloom 23L", "Grow 1 gal", "Micro 1 qt", "Serum 500 ml", "Cal-Mag 32 fl oz", "Bloom"
    ) == [23.0, 3.785, 0.946, 0.5, 0.946, None]


def test_a_liquid_volume_gives_a_weight_with_its_packaging(settings) -> None:
    frame = estimated(settings, {"title": "Bloom nutrient liquid 1 gal", **NO_SIZE})

    # 3.785 L of water-dense liquid, plus 0.1 kg per litre of jug and carton
    assert frame["weight_basis"].to_list() == ["title"]
    assert frame["estimated_weight_kg"].round(3).to_list() == [round(3.785411784 * 1.1, 3)]


@pytest.mark.parametrize("title", ["5 gal bucket", "10 liter clay pebbles", "Air pump 1.5 L/min"])
def test_a_volume_of_dry_goods_or_a_capacity_gives_no_weight(settings, title) -> None:
    frame = estimated(settings, {"title": title, "category": "", **NO_SIZE})

    assert frame["weight_basis"].to_list() == ["none"]
    assert frame["estimated_weight_kg"].to_list() == [None]


def test_a_grow_bags_capacity_is_not_its_weight(settings) -> None:
    frame = estimated(settings, {"title": "5 gal grow bag", "category": "", **NO_SIZE})

    # 5 gal is what it holds, not 19 kg of water: the fabric-pot prior weighs it
    assert frame.select("weight_basis", "estimate_prior").row(0) == ("category_prior", "fabric_pot")
    assert frame["estimated_weight_kg"].to_list() == [0.8]


def test_a_liquid_bought_by_volume_that_is_dry_goods_by_word_gives_no_weight(settings) -> None:
    # "liquid" makes it a liquid for the traits, "bucket" makes the 10 L a capacity
    frame = estimated(settings, {"title": "Bucket for liquid nutrients 10 L", **NO_SIZE})

    assert frame["weight_basis"].to_list() == ["none"]


def test_a_stated_weight_is_packed(settings) -> None:
    frame = estimated(settings, {"title": "Bat guano 5 lb", **NO_SIZE})

    # 15% more, at least 50 g more
    assert frame["estimated_weight_kg"].round(3).to_list() == [round(5 * 0.45359237 * 1.15, 3)]


def test_a_title_length_sets_the_longest_side(settings) -> None:
    frame = estimated(settings, {"title": "Towel rail 72cm", "category": "", **NO_SIZE})

    # no prior matches a towel rail: a long narrow carton, 72 + 6 cm long, a tenth of that across
    assert frame["dimensions_basis"].to_list() == ["title"]
    assert frame.select("estimated_length_cm", "estimated_width_cm", "estimated_height_cm").row(0) == (
        78.0,
        pytest.approx(7.8),
        pytest.approx(7.8),
    )


def test_a_liquid_declared_far_heavier_than_its_volume_is_set_aside(settings) -> None:
    # 320 lb declared for 2.5 gal of liquid (about 9.5 kg): a weight typed in the wrong unit
    frame = estimated(
        settings,
        {"title": "Liquid bloom 2.5 gal", "weight_kg": 320 * 0.45359237, "length_cm": 25.4, "width_cm": 20.3,
         "height_cm": 30.5},
    )

    assert "IMPLAUSIBLE_WEIGHT" in frame["reasons"][0]
    assert frame["weight_basis"].to_list() == ["title"]


def test_coiled_goods_lengths_are_not_box_sides(settings) -> None:
    frame = estimated(settings, {"title": "USB charging cable 6 ft", "category": "", **NO_SIZE})

    assert frame["dimensions_basis"].to_list() == ["none"]


# --- priors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "category", "prior"),
    [
        ('Complete 26" mountain bike', "Bikes", "bicycle"),
        ("Riser handlebar 72 cm", "Bike parts", "bicycle_handlebar"),  # the part, not the bicycle
        ("Vaso in ceramica fatto a mano", "", "vase"),  # Italian
        ("Clip-in hair extensions 20 inch", "", "hair_extensions"),
        ("Anything at all", "moveis_decoracao", "olist_moveis_decoracao"),  # Olist's Portuguese slug
        ("Blue canvases for painting", "", None),  # "vase" is not a word of "canvases"
        ("Food bowl", "", None),  # Olist's "food" category is matched in categories only
    ],
)
def test_priors_match_keywords_in_title_or_category_by_priority(settings, title, category, prior) -> None:
    frame = estimated(settings, {"title": title, "category": category, **NO_SIZE})

    assert frame["estimate_prior"].to_list() == [prior]


def test_costs_rest_on_the_priors_upper_quartile(settings) -> None:
    frame = estimated(settings, {"title": "Ceramic vase", **NO_SIZE})
    vase = next(prior for prior in settings.estimates.priors if prior.name == "vase")

    assert frame["estimated_weight_kg"].to_list() == [vase.weight_kg[1]]
    assert frame.select("estimated_length_cm", "estimated_width_cm", "estimated_height_cm").row(0) == tuple(
        vase.box_cm_upper
    )
    # the chargeable weight is the larger of the estimated weight and the estimated box's volumetric weight
    assert frame["chargeable_weight_kg"].to_list() == [pytest.approx(max(2.5, 42 * 30 * 30 / 6000))]


def test_the_median_when_configured(tmp_path) -> None:
    settings = config(tmp_path, '[estimates]\nconservative_point = "median"\n')
    frame = estimated(settings, {"title": "Ceramic vase", **NO_SIZE})

    assert frame["estimated_weight_kg"].to_list() == [1.2]


def test_no_match_no_generic_prior(settings) -> None:
    frame = estimated(settings, {"title": "Widget", "category": "Misc", **NO_SIZE})

    assert frame.select("weight_basis", "dimensions_basis", "chargeable_weight_kg").row(0) == ("none", "none", None)
    assert confidence(frame)[0][0] == "low"
    assert "NO_SHIPPING_ESTIMATE" in frame["reasons"][0]


def with_one_prior(tmp_path, entry: str):
    """Settings whose priors file holds one prior: `entry` (its name, keywords and weights) with a test box."""
    priors = tmp_path / "priors.toml"
    priors.write_text(
        f"[[priors]]\n{entry}\nbox_cm_median = [10.0, 10.0, 10.0]\nbox_cm_upper = [20.0, 20.0, 20.0]\n"
        'source = "test"\n',
        encoding="utf-8",
    )
    return config(tmp_path, f'[estimates]\npriors_file = "{priors.as_posix()}"\n')


def test_a_priors_file_replaces_the_table(tmp_path) -> None:
    settings = with_one_prior(tmp_path, 'name = "widget"\nkeywords = ["widget"]\nweight_kg = [1.0, 2.0]')
    frame = estimated(settings, {"title": "Widget", **NO_SIZE}, {"title": "Ceramic vase", **NO_SIZE})

    assert frame["estimate_prior"].to_list() == ["widget", None]


def test_a_prior_without_a_median_below_its_upper_quartile_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigError, match="median, upper quartile"):
        with_one_prior(tmp_path, 'name = "x"\nkeywords = ["x"]\nweight_kg = [3.0, 2.0]')


# --- indoor-garden equipment: fans, filters, tents, fixtures (the hydroponics store's exports) ---------------------


def _prior(settings, name: str):
    return next(prior for prior in settings.estimates.priors if prior.name == name)


@pytest.mark.parametrize(
    ("title", "category", "prior"),
    [
        ('18" Max-Fan, 3490 CFM', "", "duct_fan"),
        ("Vortex 4 in., 172 cfm", "", "duct_fan"),
        ("AC Infinity CLOUDLINE T6, Quiet 6 inch Inline Duct Fan", "", "duct_fan"),
        # a filter's title names its CFM too: the filter wins
        ('CAN 125 Filter 16.5" OD, 49.2" high, 10" flange size, 1110 CFM', "", "carbon_air_filter"),
        ("VIVOSUN 6 Inch Air Carbon Filter for Inline Duct Fan", "", "carbon_air_filter"),
        ('10" CAN Filter Flange', "", "duct_flange"),  # the flange of a filter, not the filter
        ("10 in. Backdraft Damper", "", "duct_damper"),
        ("4 in. x 25 ft flexible duct w/ 2 clamps included", "", "ducting"),
        ("STEALTH RO 100/200 CARBON FILTER", "", "water_filter"),  # a water cartridge, not a grow-room filter
        ("Stealth RO 150 Customized Reverse Osmosis filter", "", "reverse_osmosis_system"),
        ('UNO 4\' x 8 \' (48" X 96" X 78") Grow Tent', "", "grow_tent"),
        ("CLOUDRAY S9, Gen 2 Grow Tent Clip Fan 9\u201d", "", "circulation_fan"),  # a fan for a tent, not a tent
        ("BADBOY T-5 4 ft - 8 Lamp Fixture 432 W", "", "grow_light_fixture"),
        ("T5 4 ft 54 W lamp", "", "fluorescent_tube"),  # a single tube stays a tube
        ("Basic 600w HPS Ballast", "", "hid_ballast"),
        ("ReVolt Digital 1000 Watt Dimming Ballast", "", "digital_ballast"),
        ("Panda-Double Ended Reflector- Medium", "", "grow_light_reflector"),
        ('UNO 8" Big Boy A/C Reflector', "", "air_cooled_reflector"),
        ('6" Net Pot', "", "net_pot"),
        ("Self-Watering Fabric Pot Base, 4-Pack", "", "plant_saucer"),
        ("The Root Pouch 20 Gallon w/ Handle", "", "fabric_pot"),
        # unrelated goods
        ("Football fan jersey", "", None),
        ("Ceiling fan light kit", "", None),
        ("Carbon filter for cooker hood", "", None),
        ("Steering damper for motorcycles", "", None),
        ("Ceramic Mug & Saucer", "", "mug"),  # a cup's saucer, not a plant's
        # a shop's "Grow Tents" category holds shears and sprayers: big goods are named in titles only
        ("Bypass Hand Shears", "Grow Tents AC INFINITY", None),
    ],
)
def test_indoor_garden_priors_match_their_goods_and_no_others(settings, title, category, prior) -> None:
    frame = estimated(settings, {"title": title, "category": category, **NO_SIZE})

    assert frame["estimate_prior"].to_list() == [prior]


def test_a_duct_fans_prior_is_scaled_to_the_size_its_title_names(settings) -> None:
    fan = _prior(settings, "duct_fan")
    frame = estimated(
        settings,
        *({"title": f"Inline fan {size} in", "category": "", **NO_SIZE} for size in (4, 8, 18)),
    )
    boxes = frame.select("estimated_length_cm", "estimated_width_cm", "estimated_height_cm").rows()

    assert fan.title_size_cm == pytest.approx(8 * 2.54)
    # half the 8 in fan's weight, each side 0.71 times; an 18 in fan is scaled as a 16 in one (at most twice)
    assert frame["estimated_weight_kg"].to_list() == pytest.approx([fan.weight_kg[1] / 2, fan.weight_kg[1],
                                                                    fan.weight_kg[1] * 2])
    assert boxes[0] == pytest.approx([side * 0.5**0.5 for side in fan.box_cm_upper])
    assert boxes[1] == pytest.approx(list(fan.box_cm_upper))
    assert boxes[2] == pytest.approx([side * 2**0.5 for side in fan.box_cm_upper])


def test_a_placeholder_weight_far_below_the_product_type_is_set_aside(settings) -> None:
    # the Shopify export's 18 in fan: 30 oz (0.85 kg) declared where the store meant 30 lb
    frame = estimated(settings, {"title": '18" Max-Fan, 3490 CFM', "category": "", "weight_kg": 0.85,
                                 "length_cm": None, "width_cm": None, "height_cm": None})
    row = frame.row(0, named=True)

    assert row["weight_kg"] == 0.85  # declared, as exported
    assert "IMPLAUSIBLE_WEIGHT" in row["reasons"]
    assert row["weight_basis"] == "category_prior"
    assert row["estimated_weight_kg"] == pytest.approx(2 * _prior(settings, "duct_fan").weight_kg[1])
    assert row["suitability_band"] != "suitable"


def test_a_light_weight_is_kept_where_the_type_has_no_minimum_or_is_above_it(settings) -> None:
    # a small vase is legitimately light; a 4 in fan at 1.5 kg is above a 4 in fan's minimum (half the 8 in one's)
    frame = estimated(
        settings,
        {"title": "Ceramic vase", "category": "", "weight_kg": 0.15, "length_cm": None},
        {"title": "Inline fan 4 in", "category": "", "weight_kg": 1.5, "length_cm": None},
        {"title": "Inline fan 4 in", "category": "", "weight_kg": 0.3, "length_cm": None},
    )

    assert frame["weight_basis"].to_list() == ["declared", "declared", "category_prior"]
    assert ["IMPLAUSIBLE_WEIGHT" in reasons for reasons in frame["reasons"]] == [False, False, True]


def test_a_grow_tents_pitched_size_is_not_its_carton(settings) -> None:
    frame = estimated(settings, {"title": 'UNO 4\' x 8 \' (48" X 96" X 78") Grow Tent', "category": "",
                                 **NO_SIZE})
    tent = _prior(settings, "grow_tent")

    # 4 ft pitched; the poles ship in sections and the canvas folded, in the prior's carton
    assert frame["dimensions_basis"].to_list() == ["category_prior"]
    assert frame.select("estimated_length_cm", "estimated_width_cm", "estimated_height_cm").row(0) == tuple(
        tent.box_cm_upper
    )


def test_a_four_foot_multi_lamp_fixture_is_four_feet_long_and_as_wide_as_its_type(settings) -> None:
    frame = estimated(settings, {"title": "BADBOY T-5 4 ft - 8 Lamp Fixture 432 W", "category": "", **NO_SIZE})
    row = frame.row(0, named=True)
    fixture = _prior(settings, "grow_light_fixture")

    assert row["dimensions_basis"] == "title"
    assert (row["estimated_length_cm"], row["estimated_width_cm"], row["estimated_height_cm"]) == pytest.approx(
        (121.92 + 6, fixture.box_cm_upper[1], fixture.box_cm_upper[2])
    )
    assert row["is_oversize"] and row["suitability_band"] == "unsuitable"


def test_a_prior_minimum_above_its_median_is_refused(tmp_path) -> None:
    with pytest.raises(ConfigError, match="min_weight_kg"):
        with_one_prior(tmp_path, 'name = "x"\nkeywords = ["x"]\nweight_kg = [2.0, 3.0]\nmin_weight_kg = 2.5')


def test_title_keywords_are_not_looked_for_in_the_category(tmp_path) -> None:
    settings = with_one_prior(tmp_path, 'name = "tent"\ntitle_keywords = ["grow tent"]\nweight_kg = [1.0, 2.0]')
    frame = estimated(
        settings,
        {"title": "Grow tent 4 x 4 ft", "category": "", **NO_SIZE},
        {"title": "Pruning shears", "category": "Grow Tents", **NO_SIZE},
    )

    assert frame["estimate_prior"].to_list() == ["tent", None]


# --- siblings ---------------------------------------------------------------------------------------------------


def test_a_sibling_of_the_same_product_group_lends_its_weight_and_box(settings) -> None:
    rows = listings(
        {"title": "Tee S", "weight_kg": 0.2, "length_cm": 30.0, "width_cm": 20.0, "height_cm": 2.0},
        {"title": "Tee XL", "weight_kg": 0.3, "length_cm": 32.0, "width_cm": 22.0, "height_cm": 3.0},
        {"title": "Tee M", **NO_SIZE},
        {"title": "Other thing", **NO_SIZE},
    ).with_columns(product_group=pl.Series(["tee", "tee", "tee", None]))
    from xborder_pipeline.features import with_listing_features
    from xborder_pipeline.scoring import with_scores

    frame = with_scores(with_listing_features(rows, settings), settings)

    assert frame["weight_basis"].to_list() == ["declared", "declared", "sibling", "none"]
    # the heaviest sibling and its largest sides: the conservative point
    assert frame.row(2, named=True)["estimated_weight_kg"] == 0.3
    assert frame.select("estimated_length_cm", "estimated_width_cm", "estimated_height_cm").row(2) == (
        32.0,
        22.0,
        3.0,
    )


# --- implausible declared values --------------------------------------------------------------------------------


def test_grams_typed_as_pounds_are_set_aside(settings) -> None:
    # 454 "lb" for a 1 lb block: 206 kg in a 10 cm cube
    frame = estimated(
        settings,
        {"title": "Coco block 1 lb", "weight_kg": 454 * 0.45359237, "length_cm": 10.0, "width_cm": 10.0,
         "height_cm": 10.0},
    )

    assert frame.row(0, named=True)["weight_kg"] == pytest.approx(205.93, abs=0.01)  # declared, as exported
    assert frame["weight_basis"].to_list() == ["title"]
    assert "IMPLAUSIBLE_WEIGHT" in frame["reasons"][0]
    assert "ESTIMATED_WEIGHT" in frame["reasons"][0]
    assert frame["chargeable_weight_kg"].to_list() == [pytest.approx(0.45359237 + 0.0680, abs=0.001)]


def test_a_weight_denser_than_steel_is_set_aside_as_an_implausible_density(settings) -> None:
    frame = estimated(settings, {"title": "Widget", "weight_kg": 20.0, "length_cm": 5.0, "width_cm": 5.0,
                                 "height_cm": 2.0})

    assert frame["weight_basis"].to_list() == ["none"]
    assert confidence(frame) == [("medium", ["IMPLAUSIBLE_DENSITY"])]


def test_a_weight_far_above_its_product_type_is_set_aside(settings) -> None:
    frame = estimated(settings, {"title": "Silicone phone case", "weight_kg": 5.0, "length_cm": 18.0,
                                 "width_cm": 10.0, "height_cm": 2.0})

    # a phone case's upper quartile is 0.1 kg: 5 kg is 50 times that
    assert frame["weight_basis"].to_list() == ["category_prior"]
    assert frame["estimated_weight_kg"].to_list() == [0.1]


def test_a_4_ft_tube_in_an_8_in_box_is_set_aside(settings) -> None:
    frame = estimated(
        settings,
        {"title": "T5 fluorescent grow lamp tube 4 ft", "weight_kg": 0.3, "length_cm": 20.32, "width_cm": 10.16,
         "height_cm": 10.16},
    )

    row = frame.row(0, named=True)
    assert row["length_cm"] == 20.32  # declared, as exported
    assert row["dimensions_basis"] == "title"
    assert row["estimated_length_cm"] == pytest.approx(121.92 + 6)
    assert row["longest_side_cm"] == pytest.approx(121.92 + 6)
    assert "DIMENSIONS_BELOW_TITLE_SIZE" in row["reasons"]
    assert "OVER_POSTAL_SIZE" in row["reasons"]


def test_a_placeholder_box_is_estimated_not_priced(settings) -> None:
    box = {"length_cm": 30.48, "width_cm": 30.48, "height_cm": 30.48, "weight_kg": 0.2}
    rows = [{**box, "title": "Ceramic vase", "category": category} for category in "ABCDE"]

    frame = estimated(settings, *rows)

    assert frame["dimensions_basis"].to_list() == ["category_prior"] * 5
    assert frame["estimated_length_cm"].to_list() == [42.0] * 5
    assert all("PLACEHOLDER_DIMENSIONS" in reasons for reasons in frame["reasons"])


# --- basis columns and confidence -------------------------------------------------------------------------------


def test_declared_values_stay_as_exported_and_have_no_estimate(settings) -> None:
    frame = estimated(settings, {})

    assert frame.select("weight_basis", "dimensions_basis", "estimated_weight_kg", "estimated_length_cm").row(0) == (
        "declared",
        "declared",
        None,
        None,
    )
    assert confidence(frame) == [("high", [])]


def test_a_listing_scored_on_estimates_is_at_most_medium_and_says_so(settings) -> None:
    # weight declared, box estimated from the prior: no other doubt, yet not high
    frame = estimated(settings, {"title": "Ceramic vase", "weight_kg": 1.0, "length_cm": None})

    assert confidence(frame) == [("medium", ["MISSING_DIMENSIONS", "ESTIMATED_DIMENSIONS"])]
    weight_only = estimated(settings, {"title": "Ceramic vase", "weight_kg": 0.0})
    assert confidence(weight_only) == [("medium", ["MISSING_WEIGHT", "ESTIMATED_WEIGHT"])]


def test_every_basis_is_a_known_one(settings) -> None:
    frame = estimated(
        settings,
        {},
        {"title": "Ceramic vase", **NO_SIZE},
        {"title": "Bat guano 5 lb", **NO_SIZE},
        {"title": "Widget", **NO_SIZE},
    )

    assert set(frame["weight_basis"]) | set(frame["dimensions_basis"]) <= set(estimates.BASES)
