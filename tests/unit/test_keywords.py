"""Keyword matching: English whole words with plurals, digits may touch, Chinese anywhere, exclusions first."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_series_equal
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS, DECIMAL_COLUMNS, WHOLE_NUMBER_COLUMNS

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import dangerous_goods, fragility
from xborder_pipeline.features.keywords import listing_text, mentions_any, without_phrases


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


def titles(*texts: str | None) -> pl.DataFrame:
    return listings(*({"title": text} for text in texts))


def matches(keywords: list[str], *texts: str | None, exclude: tuple[str, ...] = ()) -> list[bool]:
    text = without_phrases(listing_text("category", "title", "description"), list(exclude))
    return titles(*texts).select(mentions_any(text, keywords)).to_series().to_list()


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Glass vase", True),
        ("vase of glass", True),
        ("Wine glasses, set of 4", True),  # plural -es
        ("GLASS", True),  # case is ignored
        ("glass-bottom boat", True),  # a hyphen is not a letter
        ("fiberglass fishing rod", False),  # a letter right before
        ("glassy finish", False),  # a letter right after that is no plural
        ("hourglass timer", False),
    ],
)
def test_an_english_keyword_matches_as_a_whole_word_or_its_plural(text, found) -> None:
    assert matches(["glass"], text) == [found]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Power bank 10000mAh", True),
        ("20000 mAh portable charger", True),
        ("5000MAH", True),
        ("Mahogany jewellery box", False),
        ("Shamahni silk scarf", False),
    ],
)
def test_mah_matches_right_after_digits_but_not_inside_a_word(text, found) -> None:
    assert matches(["mah"], text) == [found]


def test_a_plural_s_is_allowed_for_simple_plurals() -> None:
    assert matches(["magnet", "mirror"], "Fridge magnets", "Makeup mirrors", "Magnetism kit") == [True, True, False]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("玻璃花瓶", True),
        ("高硼硅玻璃杯 500ml", True),  # inside a run of Chinese characters
        ("Vase玻璃", True),  # right after a Latin letter
        ("陶瓷杯", False),
    ],
)
def test_a_chinese_keyword_matches_anywhere(text, found) -> None:
    assert matches(["玻璃"], text) == [found]


def test_keywords_are_found_in_category_title_or_description() -> None:
    frame = listings(
        {"category": "Glassware"},
        {"title": "Glassware"},
        {"description": "Glassware"},
        {"category": "Kitchen", "title": "Mug", "description": "Stoneware"},
    )
    text = listing_text("category", "title", "description")

    found = frame.select(mentions_any(text, ["glassware"])).to_series()

    assert_series_equal(found, pl.Series([True, True, True, False]), check_names=False)


def test_words_in_adjacent_columns_do_not_join_into_a_keyword() -> None:
    frame = listings({"category": "wine", "title": "glass"}, {"category": "Wine", "title": "Wine glass"})
    text = listing_text("category", "title")

    assert frame.select(mentions_any(text, ["wine glass"])).to_series().to_list() == [False, True]


def test_missing_text_matches_nothing() -> None:
    assert matches(["glass", "玻璃"], None, "") == [False, False]


def test_keywords_with_regex_characters_are_taken_literally() -> None:
    assert matches(["li-ion", "c++"], "Li-ion cell", "Lixion cell", "C++ primer", "cxx") == [True, False, True, False]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Plexiglass sheet", False),
        ("Plexi glass sheet", False),
        ("Shatterproof tumbler with a glass lid", True),  # the lid is still glass
        ("Acrylic and glass photo frame", True),  # an exclusion removes only its own words
    ],
)
def test_excluded_phrases_are_removed_before_matching(text, found) -> None:
    assert matches(["glass"], text, exclude=("plexiglass", "plexi glass", "shatterproof", "acrylic")) == [found]


def test_an_exclusion_removes_every_occurrence_but_nothing_else() -> None:
    frame = titles("plexiglass and plexiglass and glass", "plexiglass and plexiglass")
    text = without_phrases(listing_text("title"), ["plexiglass"])

    assert frame.select(mentions_any(text, ["glass"])).to_series().to_list() == [True, False]


# --- the configured lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "battery"),
    [
        ("Wall clock, batteries not included", False),
        ("Remote car (battery not included)", False),
        ("Battery-free wireless doorbell", False),
        ("遥控车 不含电池", False),
        ("Bluetooth speaker with rechargeable battery", True),
        ("Power bank 10000mAh", True),
        ("充电宝 20000毫安", True),
    ],
)
def test_battery_exclusions_clear_products_sold_without_one(settings, title, battery) -> None:
    frame = titles(title).select(dangerous_goods.has_battery(settings.dangerous_goods))

    assert frame.item() is battery


@pytest.mark.parametrize(
    ("title", "powder"),
    [("Powder-coated steel shelf", False), ("Powder coated bike rack", False), ("Powder room towel", False),
     ("Whey protein powder 1 kg", True), ("爽身粉 200g", True)],
)
def test_powder_coated_and_powder_room_are_not_powders(settings, title, powder) -> None:
    assert titles(title).select(dangerous_goods.is_powder(settings.dangerous_goods)).item() is powder


@pytest.mark.parametrize(
    ("title", "fragile_score"),
    [("Plexiglass display case", 0.0), ("Fiberglass tent poles", 0.0), ("Polarised sunglasses", 0.0),
     ("有机玻璃板", 0.0), ("Glass display case", 1.0), ("玻璃花瓶", 1.0)],
)
def test_plexiglass_and_fiberglass_are_not_glass(settings, title, fragile_score) -> None:
    assert titles(title).select(fragility.fragility_score(settings.fragility)).item() == fragile_score


@pytest.mark.parametrize(
    ("title", "flammable"),
    [("Lighter weight hiking backpack", False), ("Non-flammable storage bag", False),
     ("Refillable butane lighter", True), ("Zippo lighters", True), ("打火机", True)],
)
def test_lighter_as_a_comparison_is_not_a_lighter(settings, title, flammable) -> None:
    frame = titles(title).select(dangerous_goods.is_aerosol_or_flammable(settings.dangerous_goods))

    assert frame.item() is flammable


@pytest.mark.parametrize("title", ["Arduino battery holder", "Nano battery charger for AA cells"])
def test_an_exclusion_does_not_erase_a_keyword_when_it_only_matches_inside_a_word(settings, title) -> None:
    assert titles(title).select(dangerous_goods.has_battery(settings.dangerous_goods)).item() is True


def test_a_keyword_ending_in_y_finds_its_ies_plural() -> None:
    assert matches(["spare battery"], "Spare batteries for drone") == [True]
