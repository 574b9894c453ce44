"""The listings the trait and estimate issues (14, 15) name, scored from export files as a user's run reads them,
each decided as an experienced shipper would, with its reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.ingest import IngestOptions, read_listings
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.validation import validate_listings

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def scored(settings, name: str, options: IngestOptions | None = None) -> dict[str, dict]:
    records = read_listings([EXPORTS / name], options or IngestOptions()).records
    valid = validate_listings(records, settings).valid
    frame = with_scores(with_listing_features(valid, settings), settings)
    return {row["title"]: row for row in frame.to_dicts()}


def test_italian_hand_made_vases_with_no_weight_are_fragile_estimated_and_not_suitable(settings) -> None:
    vases = scored(settings, "etsy_ceramiche_it.csv")

    raku = vases["Vaso in ceramica Wabi Sabi Raku, fatto a mano"]
    saggar = vases["Piccolo vaso decorativo saggar"]
    for vase in (raku, saggar):
        assert vase["is_fragile"] and "fragile:keyword:it:vaso" in vase["trait_evidence"]
        assert not vase["is_liquid"]  # "smalto" (glaze) in the materials is no liquid
        assert vase["currency"] == "EUR" and not vase["currency_assumed"]
        assert (vase["weight_basis"], vase["dimensions_basis"]) == ("category_prior", "category_prior")
        assert {"FRAGILE", "ESTIMATED_WEIGHT", "ESTIMATED_DIMENSIONS"} <= set(vase["reasons"])
        assert vase["suitability_band"] != "suitable"
        assert vase["data_confidence"] != "high"
    assert "fragile:attribute:it:ceramica" in raku["trait_evidence"]
    mugs = vases["Set di 4 tazze in gres"]
    assert mugs["is_fragile"] and mugs["weight_basis"] == "category_prior"


def test_a_swedish_shop_read_without_its_currency_says_so_on_every_listing(settings) -> None:
    assumed = scored(settings, "shopify_swedish_bike_shop_sek.csv")

    assert all(row["currency_assumed"] and "CURRENCY_ASSUMED" in row["reasons"] for row in assumed.values())
    assert all(row["data_confidence"] != "high" for row in assumed.values())


def test_a_swedish_bike_shop_in_sek_ships_no_bicycle_or_wheelset_by_parcel(settings) -> None:
    shop = scored(settings, "shopify_swedish_bike_shop_sek.csv", IngestOptions(currency="SEK"))

    wheelset = shop['Hjulset 29" carbon, Boost']
    assert wheelset["price_usd"] == pytest.approx(2999 * settings.fx.usd_per_unit["SEK"])
    assert wheelset["suitability_band"] == "unsuitable"
    for bike in ('Trail 26" komplett mountainbike', 'Stadscykel 28" 7 växlar'):
        row = shop[bike]
        assert row["weight_kg"] == 0 and row["weight_basis"] == "category_prior"  # weight 0 is no weight
        assert row["chargeable_weight_kg"] > settings.postal.max_weight_kg
        assert {"OVER_POSTAL_WEIGHT", "OVER_POSTAL_SIZE"} <= set(row["reasons"])
        assert row["suitability_band"] == "unsuitable"
    handlebar = shop["Styre 72cm aluminium"]
    assert "OVER_POSTAL_SIZE" in handlebar["reasons"] and handlebar["suitability_band"] != "suitable"
    chain = shop["Kedja 11-växlad"]  # a small part in a "Bicycle Parts" category is not boxed as a bicycle
    assert chain["estimated_length_cm"] < 60 and chain["suitability_band"] == "suitable"
    assert not any("CURRENCY_ASSUMED" in row["reasons"] for row in shop.values())


def test_grams_in_a_pound_column_a_tube_in_a_short_box_and_a_quart_landing_above_its_price(settings) -> None:
    rows = scored(settings, "issue_examples.csv")

    block = rows["Bat guano block 1 lb"]  # 454 lb declared for a 1 lb block
    assert "IMPLAUSIBLE_WEIGHT" in block["reasons"] and block["weight_basis"] == "title"
    assert block["chargeable_weight_kg"] < 1.0

    tube = rows["T5 HO 4 ft fluorescent grow tube 54W 6500K"]  # a 4 ft glass tube declared in a 4 x 4 x 8 in box
    assert "DIMENSIONS_BELOW_TITLE_SIZE" in tube["reasons"] and tube["dimensions_basis"] == "title"
    assert tube["longest_side_cm"] >= 122 and tube["is_fragile"]
    assert {"FRAGILE", "OVER_POSTAL_SIZE"} <= set(tube["reasons"]) and tube["suitability_band"] == "unsuitable"

    quart = rows["Liquid Bloom 1 qt"]
    assert quart["is_liquid"] and "liquid:volume:1qt" in quart["trait_evidence"]
    assert quart["landed_cost_usd"] > quart["price_usd"]
    assert "SHIPPING_EXCEEDS_PRICE" in quart["reasons"] and quart["suitability_band"] == "unsuitable"
