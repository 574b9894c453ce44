"""A straightforward pandas implementation of the pipeline's work, for the benchmark's comparison only.

It does the same kinds of work as `xborder score`, the way a pandas user would write them: read the export as text,
trim it, parse the numbers and record what fails to parse, run the contract's checks and the duplicate check, then
compute size and weight (volumetric, chargeable, sides, density, boxes shared), the keyword families with the same
word-edge regular expressions (exclusions blanked first), prices in USD, the FBA size tier and fee, destination,
duty, VAT and per channel the chargeable weight, the reasons it is ineligible, the rate-band price and the landed
cost, the cheapest channel, the warehouse economics, and the score, band, flag, confidence, trade model and reasons;
finally it loads listings, scores, channel costs and rejects into DuckDB with the project's own DDL.

It does not aim to reproduce every column (the FBA headroom and the score-change history are left out) or every
message word for word. The numbers come from the same `Settings`, so the rules are the same.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from xborder_pipeline.config import Settings
from xborder_pipeline.features.fba import FbaCard
from xborder_pipeline.store.database import ensure_schema

TEXT_COLUMNS = ("listing_id", "sku", "marketplace", "seller_id", "title", "category", "description", "currency")
DECIMAL_COLUMNS = ("price", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "monthly_units_sold")
WHOLE_COLUMNS = ("stock_qty", "moq")
SIDES = ["length_cm", "width_cm", "height_cm"]
GOODS_FLAGS = {
    "battery": "has_battery", "loose_battery": "is_loose_battery", "liquid": "is_liquid", "powder": "is_powder",
    "magnet": "has_magnet", "aerosol_or_flammable": "is_aerosol_or_flammable", "restricted": "is_restricted",
}


def read_input(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


# --- validation ---------------------------------------------------------------------------------------------------


def validate(raw: pd.DataFrame, settings: Settings, source_file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = raw.copy()
    frame["source_file"] = source_file
    frame["source_row"] = np.arange(1, len(frame) + 1)
    failures: list[pd.DataFrame] = []

    def fail(mask: pd.Series, column: str, check: str, message: str) -> None:
        if mask.any():
            values = raw.loc[mask, column] if column in raw else pd.Series(index=mask[mask].index, dtype=object)
            failures.append(pd.DataFrame({
                "source_row": frame.loc[mask, "source_row"], "column_name": column, "check_name": check,
                "failure_value": values.astype(object), "message": message + ", got '" + values.astype(str) + "'",
            }))

    for column in TEXT_COLUMNS:
        text = frame[column].str.strip()
        frame[column] = text.where(text.str.len() > 0)
    frame["currency"] = frame["currency"].str.upper()
    for column in (*DECIMAL_COLUMNS, *WHOLE_COLUMNS):
        text = raw[column].str.strip()
        text = text.where(text.str.len() > 0)
        number = pd.to_numeric(text, errors="coerce")
        fail(text.notna() & number.isna(), column, "is_number", f"{column} must be a number")
        frame[column] = number.astype("float64")
    for column in WHOLE_COLUMNS:
        number = frame[column]
        fail(number.notna() & (number != number.round()), column, "is_whole_number", f"{column} must be whole")
        frame[column] = number.where(number == number.round()).astype("Int64")

    derived = (frame["marketplace"].fillna("unknown") + ":" + frame["seller_id"].fillna("unknown") + ":"
               + frame["sku"])
    frame["listing_id"] = frame["listing_id"].fillna(derived)
    limits = settings.limits
    fail(frame["listing_id"].isna(), "listing_id", "not_nullable", "listing_id is missing")
    fail(frame["price"] <= 0, "price", "greater_than(0)", "price must be greater than 0")
    fail(frame["unit_cost"] < 0, "unit_cost", "greater_than_or_equal_to(0)", "unit_cost must be at least 0")
    fail(frame["weight_kg"] < 0, "weight_kg", "greater_than_or_equal_to(0)", "weight_kg must be at least 0")
    fail(frame["weight_kg"] > limits.max_weight_kg, "weight_kg", f"less_than_or_equal_to({limits.max_weight_kg})",
         f"weight_kg must be at most {limits.max_weight_kg} kg")
    for side in SIDES:
        fail(frame[side] < 0, side, "greater_than_or_equal_to(0)", f"{side} must be at least 0")
        fail(frame[side] > limits.max_side_cm, side, f"less_than_or_equal_to({limits.max_side_cm})",
             f"{side} must be at most {limits.max_side_cm} cm")
    for column in ("price", "unit_cost", "weight_kg", *SIDES, "monthly_units_sold"):
        fail(np.isinf(frame[column]), column, "is_finite", f"{column} must be a finite number")
    fail(frame["stock_qty"].astype("float64") < 0, "stock_qty", "greater_than_or_equal_to(0)", "stock_qty >= 0")
    fail(frame["monthly_units_sold"] < 0, "monthly_units_sold", "greater_than_or_equal_to(0)", ">= 0")
    fail(frame["moq"].astype("float64") < 1, "moq", "greater_than_or_equal_to(1)", "moq must be at least 1")
    fail(frame["currency"].notna() & ~frame["currency"].isin(list(settings.fx.usd_per_unit)), "currency", "isin",
         "currency must have a rate in the FX table")
    fail(frame["price"].notna() & frame["currency"].isna(), "currency", "price_has_currency",
         "price is given without a currency")
    fail(frame["listing_id"].duplicated(keep="first"), "listing_id", "is_unique", "listing_id repeats an earlier one")

    rejects = pd.concat(failures, ignore_index=True) if failures else pd.DataFrame(
        columns=["source_row", "column_name", "check_name", "failure_value", "message"])
    rejects = rejects.drop_duplicates(subset=["source_row", "column_name"]).sort_values("source_row", kind="stable")
    rejects.insert(0, "source_file", source_file)
    valid = frame[~frame["source_row"].isin(rejects["source_row"])].reset_index(drop=True)
    return valid, rejects


# --- features -----------------------------------------------------------------------------------------------------


def add_traits(df: pd.DataFrame, settings: Settings) -> None:
    """The trait flags with the same vocabulary as features/traits.py: one findall per field, a dict lookup
    per match, vetoes and flags per row in Python."""
    from xborder_pipeline.features import traits

    rules = settings.traits
    found = [[] for _ in range(len(df))]
    for field in traits.TEXT_FIELDS:
        vocabulary = traits.field_vocabulary(rules, field)
        text = df[field].fillna("").str.lower() if field in df else pd.Series("", index=df.index)
        if field == traits.CATEGORY:
            text = text.str.replace("_", " ", regex=False)
        pattern = re.compile(vocabulary.pattern.replace("(?-u:\\b)", r"\b"), re.ASCII)
        for row, matches in enumerate(text.str.findall(pattern)):
            for match in matches:
                found[row].extend(e for e in vocabulary.evidence_of.get(match, "").split(";") if e)
    measure = re.compile(traits.MEASURE_PATTERN.replace("(?-u:\\b)", r"\b"), re.ASCII)
    flow = re.compile(f"^(?:{traits._FLOW_RATE})$")
    for row, matches in enumerate(df["title"].fillna("").str.lower().str.findall(measure)):
        for match in matches:
            if not flow.match(match):
                kind = "battery:capacity:" if match.endswith(("mah", "wh")) else "liquid:volume:"
                found[row].append(kind + re.sub(r"\s", "", match))
    flags = {column: np.zeros(len(df), dtype=bool) for column in (*traits.TRAIT_FLAGS.values(), "is_restricted")}
    for row, evidence in enumerate(found):
        vetoed = {e.split(":")[0] for e in evidence if ":veto:" in e}
        kept = [e for e in evidence if ":veto:" not in e
                and not (e.split(":")[0] in vetoed and e.split(":")[1] in ("type", "volume"))]
        traits_found = {e.split(":")[0] for e in kept}
        for trait, column in traits.TRAIT_FLAGS.items():
            flags[column][row] = trait in traits_found
        flags["is_restricted"][row] = any(t.startswith("restricted/") for t in traits_found)
    for column, values in flags.items():
        df[column] = values
    df["has_battery"] = df["has_battery"] | df["is_loose_battery"]
    df["fragility_score"] = np.where(df["is_fragile"], 1.0, 0.0)


def add_features(df: pd.DataFrame, settings: Settings, card: FbaCard) -> pd.DataFrame:
    sides = df[SIDES]
    known = sides.notna().all(axis=1) & (sides > 0).all(axis=1)
    weight = df["weight_kg"].where(df["weight_kg"] > 0)
    volume_cm3 = (sides["length_cm"] * sides["width_cm"] * sides["height_cm"]).where(known)
    divisor = settings.scoring.reference_volumetric_divisor_cm3_per_kg
    df["volumetric_weight_kg"] = volume_cm3 / divisor
    df["chargeable_weight_kg"] = np.fmax(weight, df["volumetric_weight_kg"])
    longest, shortest = sides.max(axis=1).where(known), sides.min(axis=1).where(known)
    median = sides.sum(axis=1).where(known) - longest - shortest
    df["longest_side_cm"] = longest
    df["sum_of_sides_cm"] = sides.sum(axis=1).where(known)
    df["length_plus_girth_cm"] = longest + 2 * (median + shortest)
    df["volume_m3"] = volume_cm3 / 1e6
    df["density_kg_per_m3"] = (weight / df["volume_m3"]).where(df["volume_m3"] > 0)
    box = df[SIDES].fillna(-1)
    df["listings_sharing_box"] = df.groupby([box[s] for s in SIDES])["listing_id"].transform("size").where(known)
    df["categories_sharing_box"] = (
        df.assign(_cat=df["category"].fillna("")).groupby([box[s] for s in SIDES])["_cat"].transform("nunique")
        .where(known)
    )

    add_traits(df, settings)

    rate = df["currency"].map(settings.fx.usd_per_unit)
    df["price_usd"] = df["price"] * rate
    df["unit_cost_usd"] = df["unit_cost"] * rate
    df["months_of_cover"] = (df["stock_qty"].astype("float64") / df["monthly_units_sold"]).where(
        df["monthly_units_sold"] > 0)
    add_fba(df, card, known, weight, longest, median, shortest)
    return df


def add_fba(df, card: FbaCard, known, weight, longest, median, shortest) -> None:
    """Size tier (first tier whose limits fit), dimensional and shipping weight, fulfilment fee with fuel."""
    rule = card.dimensional_weight
    li, mi, si = longest / 2.54, median / 2.54, shortest / 2.54
    unit_lb = weight * 2.20462
    dim_lb = li * mi * si / rule.divisor_in3_per_lb
    dim_floored_lb = li * mi.clip(lower=rule.min_width_height_in) * si.clip(lower=rule.min_width_height_in) / (
        rule.divisor_in3_per_lb)
    girth = li + 2 * (mi + si)
    weights = {
        "unit": unit_lb, "shipping": np.fmax(unit_lb, dim_lb), "floored": np.fmax(unit_lb, dim_floored_lb),
    }

    def weight_of(name: str) -> pd.Series:
        if name in rule.unit_weight_only_tiers:
            return weights["unit"]
        return weights["floored"] if name in rule.min_width_height_tiers else weights["shipping"]

    conditions, tiers, billed = [], [], []
    for tier in card.size_tiers:
        fits = pd.Series(True, index=df.index)
        for limit, measure in ((tier.max_weight_lb, weight_of(tier.name)), (tier.max_longest_in, li),
                               (tier.max_median_in, mi), (tier.max_shortest_in, si),
                               (tier.max_length_plus_girth_in, girth)):
            if limit is not None:
                fits &= measure <= limit + 1e-6
        conditions.append(fits)
        tiers.append(tier.name)
        billed.append(weight_of(tier.name))
    measurable = known & unit_lb.notna()
    tier_index = pd.Series(np.select(conditions, list(range(len(tiers))), default=-1), index=df.index).where(
        measurable, -1)
    df["fba_size_tier"] = pd.Series(np.array(tiers + [None], dtype=object)[tier_index.to_numpy()], index=df.index)
    df["fba_dimensional_weight_lb"] = np.where(
        tier_index.isin([i for i, t in enumerate(tiers) if t in rule.min_width_height_tiers]), dim_floored_lb,
        dim_lb).astype(float)
    df.loc[tier_index < 0, "fba_dimensional_weight_lb"] = np.nan
    billed_lb = pd.Series(np.select([tier_index == i for i in range(len(tiers))], billed, default=np.nan),
                          index=df.index)
    df["fba_shipping_weight_lb"] = billed_lb
    price = df["price_usd"]
    band = np.select([price < card.price_bands.low_price_below_usd, price <= card.price_bands.high_price_above_usd,
                      price > card.price_bands.high_price_above_usd], ["under_10", "from_10_to_50", "over_50"],
                     default="")
    fee = pd.Series(np.nan, index=df.index)
    billed_oz = billed_lb * 16
    for index, tier in enumerate(card.size_tiers):
        fees = card.fulfilment_fees[tier.name]
        in_tier = tier_index == index
        for weight_band in reversed(fees.weight_bands):
            for band_name in ("under_10", "from_10_to_50", "over_50"):
                hit = in_tier & (billed_oz <= weight_band.max_shipping_weight_oz + 1e-6) & (band == band_name)
                fee = fee.mask(hit, getattr(weight_band, f"{band_name}_usd"))
        above = fees.above_bands
        if above is not None:
            top_oz = fees.weight_bands[-1].max_shipping_weight_oz if fees.weight_bands else 0
            steps = np.ceil((billed_lb - above.charged_above_lb) / above.step_lb - 1e-6).clip(lower=0)
            for band_name in ("under_10", "from_10_to_50", "over_50"):
                hit = in_tier & (billed_oz > top_oz + 1e-6) & (band == band_name)
                base = getattr(above, f"base_{band_name}_usd")
                fee = fee.mask(hit, base + steps * above.per_step_usd)
    df["fba_fulfilment_fee_usd"] = fee
    df["fba_fulfilment_fee_with_fuel_usd"] = (fee * (1 + card.fuel_surcharge.rate_pct / 100)).round(2)


def add_channel_costs(df: pd.DataFrame, settings: Settings) -> list[str]:
    country = df["marketplace"].str.lower().map(settings.destinations.by_marketplace).fillna(
        settings.destinations.default_country)
    df["destination_country"] = country
    eu = settings.markets["EU"]
    df["destination_market"] = np.where(country == "GB", "GB", np.where(country.isin(list(eu.vat_by_country)), "EU",
                                                                        "US"))
    market = df["destination_market"]
    price = df["price_usd"]
    physical = pd.Series(True, index=df.index)
    fx = settings.fx.usd_per_unit
    duty = pd.Series(np.nan, index=df.index)
    fee = pd.Series(0.0, index=df.index)
    for name, spec in settings.markets.items():
        threshold = spec.low_value_threshold * fx[spec.threshold_currency.upper()]
        flat = spec.low_value_duty_per_item * fx[spec.threshold_currency.upper()]
        above = spec.duty_rate_above_threshold if spec.duty_rate_above_threshold is not None else spec.duty_rate
        this = np.where(price < threshold, flat + price * spec.duty_rate, price * above)
        duty = duty.mask(market == name, this)
        fee = fee.mask(market == name, spec.customs_fee_per_parcel_usd)
    df["duty_usd"] = duty.where(physical)
    df["customs_fee_usd"] = fee.where(physical)
    vat_rate = np.where(market == "EU", country.map(eu.vat_by_country).fillna(eu.vat_rate),
                        np.where(market == "GB", settings.markets["GB"].vat_rate, settings.markets["US"].vat_rate))
    df["vat_usd"] = price * vat_rate / (1 + vat_rate)
    weight = df["weight_kg"].where(df["weight_kg"] > 0)
    volume_cm3 = df["length_cm"] * df["width_cm"] * df["height_cm"]
    known = df[SIDES].notna().all(axis=1) & (df[SIDES] > 0).all(axis=1)
    names = list(settings.channels)
    for name, channel in settings.channels.items():
        rates = settings.channel_rates(name)
        billed = weight
        if channel.volumetric_divisor_cm3_per_kg is not None:
            billed = np.fmax(weight, (volume_cm3 / channel.volumetric_divisor_cm3_per_kg).where(known))
        if channel.rounding_step_kg is not None:
            billed = np.ceil(billed / channel.rounding_step_kg - 1e-9) * channel.rounding_step_kg
        df[f"{name}__chargeable_weight_kg"] = billed
        reasons = pd.Series("", index=df.index)

        def add(code: str, condition: pd.Series, reasons=reasons) -> pd.Series:
            return reasons.where(~condition.fillna(False).astype(bool), reasons + code + ";")

        reasons = add("NO_WEIGHT_OR_SIZE", billed.isna())
        reasons = add("OVER_CHANNEL_WEIGHT", billed > channel.max_weight_kg)
        top = market.map({m: bands[-1].max_chargeable_kg for m, bands in rates.items()})
        reasons = add("NO_RATE_FOR_DESTINATION", top.isna())
        reasons = add("OVER_RATE_CARD_WEIGHT", (billed > top) & (billed <= channel.max_weight_kg))
        too_big = pd.Series(False, index=df.index)
        if channel.max_sum_of_sides_cm is not None:
            too_big |= df["sum_of_sides_cm"] > channel.max_sum_of_sides_cm
        if channel.max_longest_side_cm is not None:
            too_big |= df["longest_side_cm"] > channel.max_longest_side_cm
        reasons = add("OVER_CHANNEL_SIZE", too_big)
        for goods in channel.refuses:
            reasons = add(f"REFUSES_{goods.upper()}", df[GOODS_FLAGS[goods]])
        df[f"{name}__ineligible_reasons"] = reasons
        cost = pd.Series(np.nan, index=df.index)
        for market_name, bands in rates.items():
            floor = 0.0
            lower = 0.0
            for band in bands:
                hit = (market == market_name) & (billed > lower) & (billed <= band.max_chargeable_kg)
                if lower == 0.0:
                    hit = (market == market_name) & (billed <= band.max_chargeable_kg)
                cost = cost.mask(hit, np.maximum(billed * band.per_kg + band.per_parcel, floor))
                floor = max(floor, band.max_chargeable_kg * band.per_kg + band.per_parcel)
                lower = band.max_chargeable_kg
        if channel.oversize_longest_side_cm is not None and channel.oversize_surcharge > 0:
            cost = cost + np.where(df["longest_side_cm"] > channel.oversize_longest_side_cm,
                                   channel.oversize_surcharge, 0.0)
        df[f"{name}__shipping_cost_usd"] = cost * fx[channel.currency.upper()]
        eligible = reasons == ""
        df[f"{name}__eligible"] = eligible
        df[f"{name}__landed_cost_usd"] = (df[f"{name}__shipping_cost_usd"] + df["duty_usd"].fillna(0)
                                          + df["customs_fee_usd"].fillna(0) + df["vat_usd"].fillna(0)).where(eligible)
    landed = df[[f"{n}__landed_cost_usd" for n in names]].to_numpy(dtype="float64", na_value=np.nan)
    cheapest = np.argmin(np.where(np.isnan(landed), np.inf, landed), axis=1)  # ties: the channel listed first
    df["recommended_channel"] = pd.Series(np.array(names, dtype=object)[cheapest], index=df.index).where(
        ~np.isnan(landed).all(axis=1))
    df["direct_ship_channel"] = df["recommended_channel"]
    pick = [df["recommended_channel"] == n for n in names]
    df["est_direct_ship_cost_usd"] = np.select(pick, [df[f"{n}__shipping_cost_usd"] for n in names], np.nan)
    df["landed_cost_usd"] = np.select(pick, [df[f"{n}__landed_cost_usd"] for n in names], np.nan)
    df["recommended_transit_days_min"] = pd.array(
        np.select(pick, [settings.channels[n].transit_days_min for n in names], -1), dtype="Int32")
    df["recommended_transit_days_max"] = pd.array(
        np.select(pick, [settings.channels[n].transit_days_max for n in names], -1), dtype="Int32")
    df.loc[df["recommended_channel"].isna(), ["recommended_transit_days_min", "recommended_transit_days_max"]] = pd.NA
    df["logistics_cost_ratio"] = (df["est_direct_ship_cost_usd"] / price).where(price > 0)
    df["margin_after_logistics_usd"] = price - df["unit_cost_usd"] - df["landed_cost_usd"]
    df["margin_ratio"] = (df["margin_after_logistics_usd"] / price).where(price > 0)
    return names


def add_warehouse_economics(df: pd.DataFrame, settings: Settings) -> None:
    wh = settings.warehouse
    weight = df["weight_kg"].where(df["weight_kg"] > 0)
    goods_value = df["unit_cost_usd"].fillna(df["price_usd"] * wh.goods_value_share_of_price)
    df["warehouse_first_leg_usd"] = np.fmax(df["volume_m3"], weight / 1000) * wh.first_leg_usd_per_m3
    duty = pd.Series(np.nan, index=df.index)
    for name, market in settings.markets.items():
        rate = market.duty_rate_above_threshold if market.duty_rate_above_threshold is not None else market.duty_rate
        duty = duty.mask(df["destination_market"] == name, goods_value * rate)
    df["warehouse_duty_usd"] = duty
    sold = df["monthly_units_sold"]
    batch = df["stock_qty"].astype("float64").fillna(sold * wh.batch_months_of_sales)
    months_to_sell = (batch / sold).where(sold > 0)
    months = (months_to_sell.clip(upper=wh.sell_through_horizon_months) / 2).fillna(
        wh.sell_through_horizon_months / 2)
    df["warehouse_storage_usd"] = df["volume_m3"] * wh.storage_usd_per_m3_month * months
    df["warehouse_handling_usd"] = wh.inbound_usd_per_unit + wh.pick_pack_usd_per_unit
    df["warehouse_last_mile_usd"] = wh.last_mile_usd_per_parcel + df["chargeable_weight_kg"] * wh.last_mile_usd_per_kg
    share = (1 - sold * wh.sell_through_horizon_months / batch).where(batch > 0)
    share = share.clip(lower=wh.unsold_share_floor, upper=1.0).fillna(wh.unsold_share_floor)
    no_evidence = sold.isna() | (sold <= 0)
    df["warehouse_unsold_share"] = share.mask(no_evidence, wh.unsold_share_without_demand_evidence)
    unsold_cost = np.fmin(df["warehouse_first_leg_usd"] + wh.removal_usd_per_unit,
                          goods_value * (1 - wh.liquidation_recovery_share))
    df["warehouse_unsold_risk_usd"] = df["warehouse_unsold_share"] * unsold_cost
    parts = ["warehouse_first_leg_usd", "warehouse_duty_usd", "warehouse_storage_usd", "warehouse_handling_usd",
             "warehouse_last_mile_usd", "warehouse_unsold_risk_usd"]
    df["warehouse_cost_per_unit_usd"] = df[parts].sum(axis=1, min_count=len(parts)).where(df[parts].notna().all(axis=1))
    df["direct_cost_per_unit_usd"] = (df["est_direct_ship_cost_usd"] + df["duty_usd"].fillna(0)
                                      + df["customs_fee_usd"].fillna(0))
    df["warehouse_saving_per_unit_usd"] = df["direct_cost_per_unit_usd"] - df["warehouse_cost_per_unit_usd"]


# --- scores -------------------------------------------------------------------------------------------------------


def codes(conditions: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    text = pd.Series("", index=index)
    for code, condition in conditions.items():
        text = text.where(~condition.fillna(False).astype(bool), text + code + ";")
    return text


def add_scores(df: pd.DataFrame, settings: Settings) -> None:
    scoring, postal, wh = settings.scoring, settings.postal, settings.warehouse
    ratio = df["logistics_cost_ratio"]
    over_size = (df["sum_of_sides_cm"] > postal.max_sum_of_sides_cm) | (df["longest_side_cm"]
                                                                          > postal.max_longest_side_cm)
    no_channel = df["recommended_channel"].isna() & df["chargeable_weight_kg"].notna()
    suitability = {
        "NO_DIRECT_PARCEL_CHANNEL": no_channel,
        "SHIPPING_EXCEEDS_PRICE": ratio > scoring.logistics_cost_ratio_prohibitive,
        "AEROSOL_OR_FLAMMABLE_REFUSED_BY_POST": df["is_aerosol_or_flammable"],
        "LOOSE_BATTERY_REFUSED_BY_POST": df["is_loose_battery"],
        "HIGH_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_poor)
        & (ratio <= scoring.logistics_cost_ratio_prohibitive),
        "NEGATIVE_MARGIN": df["margin_after_logistics_usd"] < 0,
        "LIQUID_REFUSED_BY_POST": df["is_liquid"],
        "OVER_POSTAL_WEIGHT": df["weight_kg"] > postal.max_weight_kg,
        "OVER_POSTAL_SIZE": over_size,
        "FRAGILE": df["is_fragile"],
        "BATTERY_SENSITIVE_CARGO": df["has_battery"] & ~df["is_loose_battery"],
        "ELEVATED_LOGISTICS_COST_RATIO": (ratio > scoring.logistics_cost_ratio_fine)
        & (ratio <= scoring.logistics_cost_ratio_poor),
        "POWDER_SENSITIVE_CARGO": df["is_powder"],
        "THIN_MARGIN": (df["margin_ratio"] >= 0) & (df["margin_ratio"] < scoring.thin_margin_ratio),
        "MAGNET_SENSITIVE_CARGO": df["has_magnet"],
    }
    penalty = pd.Series(0.0, index=df.index)
    for code, condition in suitability.items():
        weight = scoring.penalties[code] * (df["fragility_score"] if code == "FRAGILE" else 1.0)
        penalty = penalty + np.where(condition.fillna(False).astype(bool), weight, 0.0)
    df["suitability_score"] = (100.0 - penalty).clip(0, 100).round(1)
    df["suitability_band"] = np.select(
        [df["suitability_score"] >= scoring.suitable_min_score, df["suitability_score"] >= scoring.marginal_min_score],
        ["suitable", "marginal"], "unsuitable")
    by_impact = sorted(suitability, key=lambda code: -scoring.penalties[code])

    sold = df["monthly_units_sold"]
    traits = {
        "WAREHOUSE_TRAITS_HIGH_PRICE": df["price_usd"] >= wh.high_price_usd,
        "WAREHOUSE_TRAITS_BULKY": (df["weight_kg"] > postal.max_weight_kg) | over_size,
        "WAREHOUSE_TRAITS_FRAGILE": df["is_fragile"],
        "WAREHOUSE_TRAITS_REFUSED_BY_POST": df["has_battery"] | df["is_liquid"] | df["is_powder"] | df["has_magnet"]
        | df["is_aerosol_or_flammable"],
    }
    shortfalls = {
        "NO_DEMAND_EVIDENCE": sold.isna() | (sold == 0),
        "LOW_SALES_VELOCITY": (sold > 0) & (sold < wh.min_monthly_units_sold),
        "SLOW_SELL_THROUGH": df["months_of_cover"] > wh.max_months_of_cover,
    }
    economics = {
        "WAREHOUSE_CHEAPER_PER_UNIT": df["warehouse_saving_per_unit_usd"] > 0,
        "WAREHOUSE_ONLY_ROUTE": no_channel,
    }

    def any_of(conditions: dict[str, pd.Series]) -> pd.Series:
        return pd.concat([c.fillna(False).astype(bool) for c in conditions.values()], axis=1).any(axis=1)

    pays, favoured = any_of(economics), any_of(traits)
    favours = pays | favoured
    proven = ~any_of(shortfalls)
    df["warehouse_flag"] = np.select([pays & proven, favours & ~proven], ["recommended", "candidate_unproven_demand"],
                                     "not_recommended")
    warehouse = {**economics, **traits, **{code: favours & c for code, c in shortfalls.items()},
                 "WAREHOUSE_COSTS_MORE": df["warehouse_saving_per_unit_usd"] <= 0,
                 "NO_WAREHOUSE_ADVANTAGE": ~favours}

    quality = settings.data_quality
    known = df[SIDES].notna().all(axis=1) & (df[SIDES] > 0).all(axis=1)
    density = df["density_kg_per_m3"]
    doubts = {
        "NO_SHIPPING_ESTIMATE": df["chargeable_weight_kg"].isna(),
        "MISSING_WEIGHT": df["weight_kg"].isna() | (df["weight_kg"] == 0),
        "MISSING_DIMENSIONS": ~known,
        "PLACEHOLDER_DIMENSIONS": (df["listings_sharing_box"] >= quality.placeholder_box_min_listings)
        & (df["categories_sharing_box"] >= quality.placeholder_box_min_categories),
        "IMPLAUSIBLE_DENSITY": (density < quality.min_density_kg_per_m3) | (density > quality.max_density_kg_per_m3),
        "NO_PRICE": df["price_usd"].isna(),
    }
    count = sum(c.fillna(False).astype(int) for c in doubts.values())
    df["data_confidence"] = np.select([doubts["NO_SHIPPING_ESTIMATE"] | (count >= 2), count == 1],
                                      ["low", "medium"], "high")
    trade = settings.trade_model
    wholesale_moq = df["moq"].astype("float64") >= trade.b2b_min_moq
    wholesale_market = df["marketplace"].str.lower().isin(trade.wholesale_marketplaces)
    steady = (sold >= trade.b2b_ready_min_monthly_units) & (df["months_of_cover"].fillna(0)
                                                             <= trade.b2b_ready_max_months_of_cover)
    df["trade_model_hint"] = np.select([wholesale_moq | wholesale_market, steady], ["b2b", "b2b_ready"], "b2c")
    df["trade_model_reasons"] = codes({"TRADE_WHOLESALE_MOQ": wholesale_moq,
                                       "TRADE_WHOLESALE_MARKETPLACE": wholesale_market,
                                       "TRADE_STEADY_VOLUME": steady & ~(wholesale_moq | wholesale_market),
                                       "TRADE_START_B2C": ~(wholesale_moq | wholesale_market | steady)}, df.index)
    no_cost = df["unit_cost_usd"].isna() & df["price_usd"].notna()
    df["reasons"] = (codes({code: suitability[code] for code in by_impact}, df.index) + codes(warehouse, df.index)
                     + codes({"NO_UNIT_COST": no_cost}, df.index) + codes(doubts, df.index))


# --- load ---------------------------------------------------------------------------------------------------------


def load(df: pd.DataFrame, rejects: pd.DataFrame, channels: list[str], db_path: Path, run_id: str) -> None:
    scored_at = datetime.now(UTC)
    df["run_id"] = run_id
    df["scored_at"] = scored_at
    long = pd.concat([
        pd.DataFrame({
            "listing_id": df["listing_id"], "channel": name, "eligible": df[f"{name}__eligible"],
            "ineligible_reasons": df[f"{name}__ineligible_reasons"],
            "chargeable_weight_kg": df[f"{name}__chargeable_weight_kg"],
            "shipping_cost_usd": df[f"{name}__shipping_cost_usd"],
            "landed_cost_usd": df[f"{name}__landed_cost_usd"], "is_recommended": df["recommended_channel"] == name,
        })
        for name in channels
    ], ignore_index=True)
    long["run_id"] = run_id
    long["scored_at"] = scored_at
    rejects = rejects.assign(run_id=run_id, failure_value=rejects["failure_value"].astype(str))
    listing_columns = ["listing_id", "sku", "marketplace", "seller_id", "title", "category", "description", "price",
                       "currency", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "stock_qty",
                       "monthly_units_sold", "moq", "source_file", "source_row", "run_id"]
    score_columns = [c for c in df.columns if "__" not in c and c not in listing_columns[1:-1]
                     and c not in ("categories_sharing_box",)]
    with duckdb.connect(str(db_path)) as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute("set preserve_insertion_order = false")
        ensure_schema(connection)
        connection.execute("begin transaction")
        listings_frame = df[listing_columns]
        scores_frame = df[score_columns]
        connection.register("listings_frame", listings_frame)
        connection.register("scores_frame", scores_frame)
        connection.register("long_frame", long)
        connection.register("rejects_frame", rejects)
        connection.execute("insert into listings by name select * from listings_frame")
        connection.execute("""
            insert into listing_scores by name
            select * replace (
                list_filter(string_split(reasons, ';'), lambda x: x <> '') as reasons,
                list_filter(string_split(trade_model_reasons, ';'), lambda x: x <> '') as trade_model_reasons
            ) from scores_frame""")
        connection.execute("""
            insert into listing_channel_costs by name
            select * replace (
                list_filter(string_split(ineligible_reasons, ';'), lambda x: x <> '') as ineligible_reasons
            ) from long_frame""")
        connection.execute("insert into rejected_rows by name select * from rejects_frame")
        connection.execute("commit")


def score_file(path: Path, db_path: Path, settings: Settings, card: FbaCard, run_id: str = "pandas-baseline") -> dict:
    """Read, validate, compute and load one file; returns the counts."""
    raw = read_input(path)
    valid, rejects = validate(raw, settings, str(path))
    featured = add_features(valid, settings, card)
    channels = add_channel_costs(featured, settings)
    add_warehouse_economics(featured, settings)
    add_scores(featured, settings)
    load(featured, rejects, channels, db_path, run_id)
    return {"rows_read": len(raw), "rows_scored": len(featured), "rows_rejected": rejects["source_row"].nunique()}
