"""Fragility score and flag from keyword families; dangerous and sensitive goods flags from keyword lists."""

from __future__ import annotations

import polars as pl
import pytest
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS, DECIMAL_COLUMNS, WHOLE_NUMBER_COLUMNS

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import dangerous_goods, fragility

GOODS_FLAGS = ("has_battery", "is_loose_battery", "is_liquid", "is_powder", "has_magnet", "is_aerosol_or_flammable")


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


def with_fragility(frame: pl.DataFrame, settings) -> pl.DataFrame:
    return frame.with_columns(fragility_score=fragility.fragility_score(settings.fragility)).with_columns(
        is_fragile=fragility.is_fragile(settings.fragility)
    )


def goods_flags(frame: pl.DataFrame, settings) -> pl.DataFrame:
    goods = settings.dangerous_goods
    return frame.select(
        has_battery=dangerous_goods.has_battery(goods),
        is_loose_battery=dangerous_goods.is_loose_battery(goods),
        is_liquid=dangerous_goods.is_liquid(goods),
        is_powder=dangerous_goods.is_powder(goods),
        has_magnet=dangerous_goods.has_magnet(goods),
        is_aerosol_or_flammable=dangerous_goods.is_aerosol_or_flammable(goods),
    )


@pytest.fixture(scope="module")
def settings():
    return load_settings()


# --- fragility ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "score"),
    [
        ({"title": "Cotton tote bag"}, 0.0),
        ({"title": "Borosilicate glass teapot"}, 1.0),
        ({"title": "Porcelain dinner plate"}, 0.9),
        ({"title": "Wall mirror, round"}, 0.9),
        ({"title": "LCD monitor screen"}, 0.6),
        ({"title": "Wooden picture frame"}, 0.4),
        ({"title": "Vintage alarm clock"}, 0.4),
        ({"title": "陶瓷杯"}, 0.9),
        ({"title": "相框 木质"}, 0.4),
        ({"category": "Home > Glassware", "title": "Tumbler"}, 1.0),
        ({}, 0.0),
    ],
)
def test_fragility_score_is_the_score_of_the_family_found(settings, row, score) -> None:
    assert listings(row).select(fragility.fragility_score(settings.fragility)).item() == pytest.approx(score)


def test_the_highest_family_found_sets_the_score(settings) -> None:
    frame = listings({"title": "Ceramic table lamp"}, {"title": "Glass-front wall clock"}, {"title": "Porcelain vase"})

    scores = frame.select(fragility.fragility_score(settings.fragility)).to_series().to_list()

    assert scores == pytest.approx([0.9, 1.0, 0.9])


@pytest.mark.parametrize(
    ("row", "score"),
    [
        ({"title": "Tote bag", "description": "Gift-wrapped with a glass charm"}, 1.0 * 0.6),
        ({"title": "Tote bag", "description": "Ceramic buttons"}, 0.9 * 0.6),
        ({"title": "Tote bag", "description": "Lamp not included"}, 0.4 * 0.6),
        # A find in the headline counts whole, and beats a discounted one in the description.
        ({"title": "Glass vase", "description": "Glass vase"}, 1.0),
        ({"title": "Wall clock", "description": "Glass face"}, 0.6),
        ({"title": "Glass clock", "description": "Wooden"}, 1.0),
    ],
)
def test_a_word_found_only_in_the_description_counts_for_description_weight(settings, row, score) -> None:
    assert settings.fragility.description_weight == 0.6
    assert listings(row).select(fragility.fragility_score(settings.fragility)).item() == pytest.approx(score)


@pytest.mark.parametrize(
    ("title", "fragile"),
    [("Wall clock", False), ("LCD display screen", True), ("Fragile ornament", True), ("Glass jar", True),
     ("Cotton tote bag", False)],
)
def test_is_fragile_from_fragile_min_score(settings, title, fragile) -> None:
    row = with_fragility(listings({"title": title}), settings).row(0, named=True)

    assert settings.fragility.fragile_min_score == 0.5
    assert row["is_fragile"] is fragile


def test_a_score_exactly_at_the_threshold_is_fragile(tmp_path) -> None:
    config = tmp_path / "fragile.toml"
    config.write_text("[fragility]\nfragile_min_score = 0.6\n", encoding="utf-8")
    custom = load_settings(config)

    frame = with_fragility(listings({"title": "LCD screen"}, {"title": "Wall clock"}), custom)

    assert frame["fragility_score"].to_list() == pytest.approx([0.6, 0.4])
    assert frame["is_fragile"].to_list() == [True, False]


def test_description_weight_comes_from_config(tmp_path) -> None:
    config = tmp_path / "weight.toml"
    config.write_text("[fragility]\ndescription_weight = 1.0\n", encoding="utf-8")

    frame = listings({"title": "Tote bag", "description": "glass charm"})

    assert frame.select(fragility.fragility_score(load_settings(config).fragility)).item() == 1.0


def test_configured_families_replace_the_default_ones(tmp_path) -> None:
    config = tmp_path / "families.toml"
    config.write_text(
        '[[fragility.families]]\nname = "eggs"\nscore = 0.7\nkeywords = ["egg", "鸡蛋"]\n', encoding="utf-8"
    )
    custom = load_settings(config).fragility

    scores = listings({"title": "Decorative eggs"}, {"title": "鸡蛋托"}, {"title": "Glass vase"}).select(
        fragility.fragility_score(custom)
    )

    assert scores.to_series().to_list() == pytest.approx([0.7, 0.7, 0.0])


# --- dangerous and sensitive goods ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"title": "Cotton tote bag"}, set()),
        ({"title": "Bluetooth speaker, rechargeable battery"}, {"has_battery"}),
        ({"title": "Smart watch with Li-ion cell"}, {"has_battery"}),
        ({"title": "Power bank 10000mAh"}, {"has_battery", "is_loose_battery"}),
        ({"title": "18650 cells, pack of 4"}, {"has_battery", "is_loose_battery"}),
        ({"title": "Spare battery for drone"}, {"has_battery", "is_loose_battery"}),
        ({"title": "移动电源 20000毫安"}, {"has_battery", "is_loose_battery"}),
        ({"title": "Lavender essential oil 10 ml"}, {"is_liquid"}),
        ({"title": "Herbal shampoo"}, {"is_liquid"}),
        ({"title": "Eau de parfum 50 ml"}, {"is_liquid", "is_aerosol_or_flammable"}),
        ({"title": "Nail polish, 12 colours"}, {"is_liquid", "is_aerosol_or_flammable"}),
        ({"title": "香水 礼盒"}, {"is_liquid", "is_aerosol_or_flammable"}),
        ({"title": "Baby talc"}, {"is_powder"}),
        ({"title": "Laser printer toner"}, {"is_powder"}),
        ({"title": "Neodymium fridge magnets"}, {"has_magnet"}),
        ({"title": "磁吸手机支架"}, {"has_magnet"}),
        ({"title": "Spray paint, matt black"}, {"is_aerosol_or_flammable"}),
        ({"title": "Butane torch"}, {"is_aerosol_or_flammable"}),
        ({"title": "LCD liquid crystal display"}, set()),
        ({"title": "Non-magnetic stainless tweezers"}, set()),
        ({"title": "Powder-coated steel shelf"}, set()),
        ({"title": "Garden hose", "category": "Rechargeable tools"}, {"has_battery"}),
        ({"title": "Garden sprayer", "description": "Includes a lithium battery"}, {"has_battery"}),
    ],
)
def test_goods_flags_follow_the_configured_keyword_lists(settings, row, expected) -> None:
    flags = goods_flags(listings(row), settings).row(0, named=True)

    assert {name for name in GOODS_FLAGS if flags[name]} == expected


def test_a_loose_battery_always_has_a_battery(tmp_path) -> None:
    # Only the loose-battery list knows "cell pack" here: has_battery still follows.
    config = tmp_path / "goods.toml"
    config.write_text(
        '[dangerous_goods.battery]\nkeywords = ["battery"]\n'
        '[dangerous_goods.loose_battery]\nkeywords = ["cell pack"]\n',
        encoding="utf-8",
    )

    flags = goods_flags(listings({"title": "Spare cell pack"}, {"title": "Cotton tote"}), load_settings(config))

    assert flags["is_loose_battery"].to_list() == [True, False]
    assert flags["has_battery"].to_list() == [True, False]


def test_a_keyword_list_from_config_replaces_the_default(tmp_path) -> None:
    config = tmp_path / "magnet.toml"
    config.write_text('[dangerous_goods.magnet]\nkeywords = ["magsafe"]\n', encoding="utf-8")
    custom = load_settings(config)

    frame = listings({"title": "MagSafe car mount"}, {"title": "Neodymium magnet"}, {"title": "Non-magsafe case"})
    found = frame.select(dangerous_goods.has_magnet(custom.dangerous_goods)).to_series().to_list()

    # the default exclusions ("non-magnetic") stay: only the keywords were replaced
    assert found == [True, False, True]


def test_goods_flags_are_false_not_null_for_a_listing_without_text(settings) -> None:
    flags = goods_flags(listings({}), settings)

    assert flags.null_count().sum_horizontal().item() == 0
    assert not any(flags.row(0))


@pytest.mark.parametrize("title", ["Spare batteries for DJI Mini drone", "Replacement batteries for Ring doorbell"])
def test_spare_batteries_in_the_plural_are_loose_batteries(settings, title) -> None:
    flags = goods_flags(listings({"title": title}), settings).row(0, named=True)

    assert flags["is_loose_battery"] is True
