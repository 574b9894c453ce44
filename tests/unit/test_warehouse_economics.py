"""Warehouse economics: cost per unit sold from an overseas warehouse against the cheapest direct parcel."""

from __future__ import annotations

import pytest

from tests.helpers import featured, scored

SOFA = {"title": "3-seat fabric sofa", "category": "Furniture", "weight_kg": 58.0, "length_cm": 210.0,
        "width_cm": 95.0, "height_cm": 85.0, "price": 499.0, "unit_cost": 160.0}
# A sofa whose price pays for a unit from the warehouse (the $499 one does not: its warehouse cost per unit
# plus its goods' cost reach its price).
PAYING_SOFA = {**SOFA, "price": 1299.0, "unit_cost": 420.0}
MUG = {"title": "Stoneware coffee mug", "category": "Kitchen & Dining", "weight_kg": 0.45, "length_cm": 12.0,
       "width_cm": 12.0, "height_cm": 11.0, "price": 14.99, "unit_cost": 3.0}


def test_the_parts_add_up_to_the_cost_per_unit(settings) -> None:
    row = featured(settings, MUG).row(0, named=True)
    parts = ("warehouse_first_leg_usd", "warehouse_duty_usd", "warehouse_storage_usd", "warehouse_handling_usd",
             "warehouse_last_mile_usd", "warehouse_unsold_risk_usd")

    assert row["warehouse_cost_per_unit_usd"] == pytest.approx(sum(row[part] for part in parts))
    assert row["warehouse_saving_per_unit_usd"] == pytest.approx(
        row["direct_cost_per_unit_usd"] - row["warehouse_cost_per_unit_usd"]
    )


def test_first_leg_is_charged_by_revenue_ton(settings) -> None:
    light_bulky, dense = featured(
        settings,
        {"weight_kg": 10.0, "length_cm": 100.0, "width_cm": 100.0, "height_cm": 50.0},  # 0.5 m3, 0.01 t
        {"weight_kg": 750.0, "length_cm": 50.0, "width_cm": 50.0, "height_cm": 40.0},  # 0.1 m3, 0.75 t
    )["warehouse_first_leg_usd"]
    rate = settings.warehouse.first_leg_usd_per_m3

    assert light_bulky == pytest.approx(0.5 * rate)
    assert dense == pytest.approx(0.75 * rate)


def test_unsold_share_follows_sell_through_and_has_a_floor(settings) -> None:
    horizon = settings.warehouse.sell_through_horizon_months
    frame = featured(
        settings,
        {"stock_qty": 1200, "monthly_units_sold": 100.0},  # sells 600 in the horizon: half unsold
        {"stock_qty": 100, "monthly_units_sold": 100.0},  # sells out: the floor remains
        {"stock_qty": 100, "monthly_units_sold": None},  # no evidence
    )

    assert frame["warehouse_unsold_share"].to_list() == pytest.approx(
        [1 - 100 * horizon / 1200, settings.warehouse.unsold_share_floor,
         settings.warehouse.unsold_share_without_demand_evidence]
    )


def test_unsold_stock_costs_the_cheaper_of_return_and_liquidation(settings) -> None:
    row = featured(settings, {**SOFA, "stock_qty": 10, "monthly_units_sold": None}).row(0, named=True)
    repatriation = row["warehouse_first_leg_usd"] + settings.warehouse.removal_usd_per_unit
    liquidation = 160.0 * settings.fx.usd_per_unit["USD"] * (1 - settings.warehouse.liquidation_recovery_share)

    assert row["warehouse_unsold_risk_usd"] == pytest.approx(
        row["warehouse_unsold_share"] * min(repatriation, liquidation)
    )


def test_bulk_import_pays_duty_on_goods_value_not_price(settings) -> None:
    with_cost, without_cost = featured(settings, {"price": 40.0, "unit_cost": 10.0},
                                       {"price": 40.0, "unit_cost": None})["warehouse_duty_usd"]
    rate = settings.markets["US"].duty_rate

    assert with_cost == pytest.approx(10.0 * rate)
    assert without_cost == pytest.approx(40.0 * settings.warehouse.goods_value_share_of_price * rate)


def test_a_sofa_with_proven_demand_is_recommended_as_the_only_route(settings) -> None:
    row = scored(settings, {**PAYING_SOFA, "stock_qty": 40, "monthly_units_sold": 30.0}).row(0, named=True)

    assert row["warehouse_flag"] == "recommended"
    assert "WAREHOUSE_ONLY_ROUTE" in row["reasons"]
    assert row["suitability_band"] == "unsuitable"


def test_a_sofa_whose_warehouse_cost_and_goods_reach_its_price_is_never_a_candidate(settings) -> None:
    cheap = {**SOFA, "stock_qty": 40, "monthly_units_sold": 30.0}
    row = scored(settings, cheap).row(0, named=True)

    assert row["warehouse_cost_per_unit_usd"] + row["unit_cost_usd"] >= row["price_usd"]
    assert row["warehouse_flag"] == "not_recommended"
    assert "WAREHOUSE_COST_EXCEEDS_PRICE" in row["reasons"]


def test_a_cheap_washer_with_a_costly_warehouse_unit_is_not_a_candidate(settings) -> None:
    washer = {"title": "CO2 regulator washer", "category": "Hydroponics", "weight_kg": 0.01, "length_cm": 2.0,
              "width_cm": 2.0, "height_cm": 0.5, "price": 0.97, "stock_qty": 500, "monthly_units_sold": None}
    row = scored(settings, washer).row(0, named=True)

    assert row["warehouse_cost_per_unit_usd"] > row["price_usd"]
    assert row["warehouse_flag"] == "not_recommended"
    assert "WAREHOUSE_COST_EXCEEDS_PRICE" in row["reasons"]


@pytest.mark.parametrize(
    "unique",
    [{"stock_qty": 1}, {"stock_qty": 3, "title": "Blue glaze vase, one-of-a-kind"},
     {"stock_qty": 3, "description": "OOAK hand thrown"}, {"stock_qty": 3, "title": "Vaso pezzo unico"}],
)
def test_a_single_unique_piece_is_never_stock_to_send_abroad(settings, unique) -> None:  # noqa: ANN001
    vase = {**PAYING_SOFA, "title": "Stoneware floor vase", "category": "Home decor", "monthly_units_sold": 30.0,
            **unique}
    row = scored(settings, vase).row(0, named=True)

    assert row["warehouse_flag"] == "not_recommended"
    assert "UNIQUE_PIECE" in row["reasons"]


def test_unique_as_a_plain_word_is_not_a_unique_piece(settings) -> None:
    plain = {**PAYING_SOFA, "title": "Sofa of unique comfort", "stock_qty": 40, "monthly_units_sold": 30.0}
    row = scored(settings, plain)
    assert "UNIQUE_PIECE" not in row.row(0, named=True)["reasons"]


def test_the_same_sofa_without_sales_is_only_a_candidate(settings) -> None:
    row = scored(settings, {**PAYING_SOFA, "stock_qty": 40, "monthly_units_sold": None}).row(0, named=True)

    assert row["warehouse_flag"] == "candidate_unproven_demand"
    assert "NO_DEMAND_EVIDENCE" in row["reasons"]


def test_slow_sell_through_keeps_a_paying_warehouse_a_candidate(settings) -> None:
    row = scored(settings, {**PAYING_SOFA, "stock_qty": 200, "monthly_units_sold": 40.0}).row(0, named=True)

    assert row["warehouse_flag"] == "candidate_unproven_demand"
    assert "SLOW_SELL_THROUGH" in row["reasons"]


def test_a_cheap_light_item_is_not_sent_abroad(settings) -> None:
    row = scored(settings, {"stock_qty": 300, "monthly_units_sold": 200.0}).row(0, named=True)

    assert row["warehouse_flag"] == "not_recommended"
    assert "WAREHOUSE_COSTS_MORE" in row["reasons"]
    assert "NO_WAREHOUSE_ADVANTAGE" in row["reasons"]


def test_recommended_needs_a_cheaper_warehouse_not_just_favourable_traits(settings) -> None:
    # A fragile mug with proven demand: the traits favour a warehouse, but the flag follows the money.
    row = scored(settings, {**MUG, "stock_qty": 300, "monthly_units_sold": 200.0}).row(0, named=True)

    cheaper = row["warehouse_saving_per_unit_usd"] > 0
    assert row["warehouse_flag"] == ("recommended" if cheaper else "not_recommended")
    assert ("WAREHOUSE_CHEAPER_PER_UNIT" in row["reasons"]) == cheaper
    assert "WAREHOUSE_TRAITS_FRAGILE" in row["reasons"]


def test_digital_goods_get_no_warehouse_figures(settings) -> None:
    row = scored(settings, {"is_physical": False, "weight_kg": None}).row(0, named=True)

    assert row["warehouse_cost_per_unit_usd"] is None
    assert row["warehouse_flag"] == "not_recommended"
    assert row["reasons"] == ["NOT_PHYSICAL"]


def test_an_etsy_listing_tagged_ooak_is_a_unique_piece(settings, tmp_path) -> None:  # noqa: ANN001
    """Etsy's TAGS are kept among the export's own values, where the unique-piece words are looked for."""
    import json

    from xborder_pipeline.ingest import read_listings

    export = tmp_path / "EtsyListingsDownload.csv"
    export.write_text(
        "TITLE,DESCRIPTION,PRICE,CURRENCY_CODE,QUANTITY,TAGS,MATERIALS\n"
        'Stoneware floor vase,Hand thrown,180.00,USD,4,"vase,ooak,stoneware",clay\n',
        encoding="utf-8",
    )
    record = read_listings([export]).records.row(0, named=True)
    assert json.loads(record["original_values"])["TAGS"] == "vase,ooak,stoneware"
    row = scored(settings, {**PAYING_SOFA, "title": record["title"], "attributes": record["attributes"],
                            "stock_qty": 4, "monthly_units_sold": 30.0}).row(0, named=True)
    assert "UNIQUE_PIECE" in row["reasons"] and row["warehouse_flag"] == "not_recommended"
