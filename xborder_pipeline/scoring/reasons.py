"""The stable reason codes a score or flag can carry, each with what it means.

Codes are a contract: dashboards filter on them (`list_contains(reasons, 'FRAGILE')`). Add new
codes freely; never rename or reuse one. The table `reason_codes` in the database holds this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    applies_to: str  # suitability | suitability_band | margin | warehouse | data_confidence | trade_model | channel
    meaning: str


REASONS: tuple[Reason, ...] = (
    # Direct-parcel suitability: each takes scoring.penalties[code] points off 100.
    Reason(
        "NOT_PHYSICAL",
        "suitability",
        "A digital download, service or fee item: nothing to ship, so no channel, cost or warehouse applies.",
    ),
    Reason(
        "RESTRICTED_GOODS",
        "suitability",
        "Goods a shipper refuses from China (seeds and live plants, cannabis products, food and supplements "
        "needing permits, tobacco and vapes, knives and weapons): see restricted_kind and trait_evidence.",
    ),
    Reason(
        "NO_DIRECT_PARCEL_CHANNEL",
        "suitability",
        "No direct channel will carry it (too heavy, too large or refused goods on every one): see channel_costs.",
    ),
    Reason(
        "SHIPPING_EXCEEDS_PRICE",
        "suitability",
        "The direct parcel landed (shipping, duty, customs fee) costs more than the goods (landed_cost_ratio above"
        " the prohibitive threshold).",
    ),
    Reason(
        "AEROSOL_OR_FLAMMABLE_REFUSED_BY_POST",
        "suitability",
        "Aerosols, perfume, nail polish, lighters and other flammables are prohibited in international mail.",
    ),
    Reason(
        "LOOSE_BATTERY_REFUSED_BY_POST",
        "suitability",
        "A battery sold on its own (power bank, battery pack) is barred from international mail.",
    ),
    Reason(
        "HIGH_LOGISTICS_COST_RATIO",
        "suitability",
        "Direct shipping (the landed parcel with scoring.fine_and_poor_ratio_basis = landed) costs more than the"
        " poor threshold (default 35%) of the price.",
    ),
    Reason(
        "LIQUID_REFUSED_BY_POST", "suitability", "Liquids are sensitive cargo, refused by post and general-cargo lines."
    ),
    Reason("OVER_POSTAL_WEIGHT", "suitability", "Heavier than the postal small-packet limit (default 2 kg)."),
    Reason(
        "OVER_POSTAL_SIZE",
        "suitability",
        "Larger than the postal small-packet size (default L+W+H 90 cm or longest side 60 cm).",
    ),
    Reason("FRAGILE", "suitability", "Breakable goods: damage and packing costs in a parcel network."),
    Reason(
        "BATTERY_SENSITIVE_CARGO",
        "suitability",
        "Contains a battery: needs a battery line (带电) with documents and a surcharge.",
    ),
    Reason(
        "ELEVATED_LOGISTICS_COST_RATIO",
        "suitability",
        "Direct shipping (the landed parcel with scoring.fine_and_poor_ratio_basis = landed) costs between the fine"
        " (20%) and poor (35%) share of the price.",
    ),
    Reason("POWDER_SENSITIVE_CARGO", "suitability", "Powders are sensitive cargo on separate, dearer lines."),
    Reason("MAGNET_SENSITIVE_CARGO", "suitability", "Magnets are sensitive cargo on separate, dearer lines."),
    Reason(
        "NEGATIVE_MARGIN",
        "suitability",
        "Price less VAT, unit cost, shipping, duty and fees is below zero: each sale by parcel loses money.",
    ),
    Reason(
        "THIN_MARGIN",
        "suitability",
        "The margin after logistics is below scoring.thin_margin_ratio (default 15%) of the price.",
    ),
    Reason(
        "OVERSIZE_FOR_PARCEL",
        "suitability",
        "Oversize for a parcel (is_oversize: over traits.oversize.max_weight_kg, default 23 kg, or"
        " max_longest_side_cm, 120 cm, or a bicycle, a sofa, a skid of goods; trait_evidence says which): express"
        " with an oversize surcharge or freight, so the band is at best scoring.oversize_max_band (marginal).",
    ),
    # Band rules: they cap the band whatever the score.
    Reason(
        "FRAGILE_MARGIN_UNKNOWN",
        "suitability_band",
        "Fragile goods with no unit cost: breakage eats a thin margin and this one is unknown, so the band is at"
        " best scoring.fragile_unknown_margin_max_band (default marginal).",
    ),
    Reason(
        "OVERSIZE_LOW_MARGIN",
        "suitability_band",
        "Oversize goods whose judged margin is below scoring.thin_margin_ratio: large, heavy goods are poor parcel"
        " candidates when profit is low, so the band is at best scoring.oversize_low_margin_max_band (unsuitable).",
    ),
    # Margin.
    Reason(
        "NO_UNIT_COST",
        "margin",
        "No unit_cost: the margin after logistics cannot be computed (a reason, not an error).",
    ),
    Reason(
        "MARGIN_ON_ASSUMED_COST",
        "margin",
        "THIN_MARGIN or NEGATIVE_MARGIN judged without a unit cost, on goods costing"
        " warehouse.goods_value_share_of_price (default 35%) of the price.",
    ),
    # Overseas warehousing.
    Reason(
        "WAREHOUSE_TRAITS_HIGH_PRICE",
        "warehouse",
        "High-priced goods: a warehouse's faster delivery and local returns pay off.",
    ),
    Reason("WAREHOUSE_TRAITS_BULKY", "warehouse", "Too heavy or large for the postal class: bulk freight is cheaper."),
    Reason("WAREHOUSE_TRAITS_FRAGILE", "warehouse", "Fragile goods break less in one bulk move than in parcels."),
    Reason(
        "WAREHOUSE_TRAITS_REFUSED_BY_POST",
        "warehouse",
        "Refused or restricted by post; sea freight to a warehouse can carry it.",
    ),
    Reason(
        "WAREHOUSE_RESTRICTED_GOODS",
        "warehouse",
        "Restricted goods (restricted_kind): freight to a warehouse is refused too, so no warehouse is recommended.",
    ),
    Reason(
        "NO_DEMAND_EVIDENCE",
        "warehouse",
        "No sales figure: stock sent abroad is costly to bring back, so demand must be proven first.",
    ),
    Reason("LOW_SALES_VELOCITY", "warehouse", "Sells fewer units a month than the warehouse minimum."),
    Reason("SLOW_SELL_THROUGH", "warehouse", "The stock on hand would take longer than the cover limit to sell."),
    Reason(
        "WAREHOUSE_CHEAPER_PER_UNIT",
        "warehouse",
        "Selling from an overseas warehouse costs less per unit than the cheapest direct parcel.",
    ),
    Reason(
        "WAREHOUSE_ONLY_ROUTE",
        "warehouse",
        "No direct parcel channel carries it: only bulk freight to a warehouse can serve the market.",
    ),
    Reason(
        "WAREHOUSE_COSTS_MORE",
        "warehouse",
        "A unit sold from a warehouse costs more than the cheapest direct parcel, risk of unsold stock included.",
    ),
    Reason(
        "NO_WAREHOUSE_ADVANTAGE",
        "warehouse",
        "Small, light, sturdy, post-friendly goods: direct parcels serve them well.",
    ),
    Reason(
        "DEMAND_NOT_PROVEN_BY_SALES",
        "warehouse",
        "Its sales history shows sales but not proven demand (sku_demand.demand_evidence emerging: too few "
        "months with sales, or one spike).",
    ),
    Reason(
        "WAREHOUSE_COST_EXCEEDS_PRICE",
        "warehouse",
        "The warehouse cost per unit plus the goods' cost reaches the price: stock abroad cannot pay for itself.",
    ),
    Reason(
        "UNIQUE_PIECE",
        "warehouse",
        "A single unique piece (a stock of one, or one-of-a-kind): not stock to send abroad.",
    ),
    # Demand from sales history (sku_demand.demand_reasons).
    Reason(
        "DEMAND_STEADY_SALES",
        "demand",
        "Sales in enough of the months judged, with monthly units steady (demand.min_months_with_sales, "
        "demand.max_monthly_cv): proven.",
    ),
    Reason(
        "DEMAND_TOO_FEW_MONTHS",
        "demand",
        "Sales in fewer of the months judged than demand.min_months_with_sales: new, or not yet steady.",
    ),
    Reason(
        "DEMAND_SPIKY_SALES",
        "demand",
        "Monthly units vary more than demand.max_monthly_cv allows: a spike, not steady demand.",
    ),
    Reason("DEMAND_NO_RECENT_SALES", "demand", "No units sold in the demand.window_days before the as-of date."),
    # Data confidence.
    Reason("MISSING_WEIGHT", "data_confidence", "No weight, or a weight of 0: costs rest on the box size alone."),
    Reason("MISSING_DIMENSIONS", "data_confidence", "Some box dimensions are missing or 0."),
    Reason(
        "PLACEHOLDER_DIMENSIONS",
        "data_confidence",
        "The same box size is repeated across many unrelated listings: a placeholder, not a measurement.",
    ),
    Reason("NO_PRICE", "data_confidence", "The listing has no price, so the logistics cost ratio cannot be judged."),
    Reason(
        "NO_SHIPPING_ESTIMATE",
        "data_confidence",
        "Neither weight nor a full box size is known, so no shipping cost can be estimated: the band is unknown"
        " unless what is known already makes it unsuitable.",
    ),
    Reason(
        "NO_TEXT",
        "data_confidence",
        "No title and no description: no trait (fragile, battery, liquid, ...) could be checked.",
    ),
    Reason(
        "IMPLAUSIBLE_DENSITY",
        "data_confidence",
        "Weight and box size together give a density no packed product has: one of them is likely wrong.",
    ),
    Reason(
        "CURRENCY_ASSUMED",
        "data_confidence",
        "The export names no currency and none was given (--currency, mapping file, [[sources]] entry): the price "
        "was read in the adapter's default currency, so confidence is at most medium.",
    ),
    Reason(
        "ESTIMATED_WEIGHT",
        "data_confidence",
        "The weight costs rest on is estimated (weight_basis: sibling, title or category_prior; estimated_weight_kg).",
    ),
    Reason(
        "ESTIMATED_DIMENSIONS",
        "data_confidence",
        "The box costs rest on is estimated (dimensions_basis: sibling, title or category_prior; estimated_*_cm).",
    ),
    Reason(
        "IMPLAUSIBLE_WEIGHT",
        "data_confidence",
        "The declared weight was set aside: far from the weight the title states or the product type has, or denser"
        " than any packed goods (grams typed as pounds); costs rest on an estimate instead, if any.",
    ),
    Reason(
        "DIMENSIONS_BELOW_TITLE_SIZE",
        "data_confidence",
        "The declared box was set aside: its longest side is well short of a length the title states (a 4 ft tube in"
        " an 8 in box); costs rest on an estimate instead, if any.",
    ),
)

# Trade-model fit (listing_scores.trade_model_reasons).
TRADE_REASONS: tuple[Reason, ...] = (
    Reason(
        "TRADE_WHOLESALE_MOQ",
        "trade_model",
        "A minimum order quantity of trade_model.b2b_min_moq or more: sold wholesale.",
    ),
    Reason(
        "TRADE_WHOLESALE_MARKETPLACE",
        "trade_model",
        "Listed on a wholesale marketplace (trade_model.wholesale_marketplaces).",
    ),
    Reason(
        "TRADE_STEADY_VOLUME",
        "trade_model",
        "Steady volume: enough units a month, selling through within the cover limit, to offer wholesale terms.",
    ),
    Reason("TRADE_START_B2C", "trade_model", "No wholesale signal yet: parcels to consumers (B2C) fit best."),
)

# Why one channel will not carry a listing (channel_costs.ineligible_reasons).
CHANNEL_REASONS: tuple[Reason, ...] = (
    Reason("NO_WEIGHT_OR_SIZE", "channel", "Neither weight nor a full box size is known: no price possible."),
    Reason("OVER_CHANNEL_WEIGHT", "channel", "Chargeable weight above the channel's piece limit."),
    Reason("OVER_RATE_CARD_WEIGHT", "channel", "Chargeable weight above the heaviest band priced for the destination."),
    Reason("NO_RATE_FOR_DESTINATION", "channel", "The channel has no rate card for the destination market."),
    Reason("OVER_CHANNEL_SIZE", "channel", "Larger than the channel's size limits (sum of sides or longest side)."),
    Reason("REFUSES_BATTERY", "channel", "The channel carries no goods with batteries."),
    Reason("REFUSES_LOOSE_BATTERY", "channel", "The channel carries no batteries sold on their own."),
    Reason("REFUSES_LIQUID", "channel", "The channel carries no liquids."),
    Reason("REFUSES_POWDER", "channel", "The channel carries no powders."),
    Reason("REFUSES_MAGNET", "channel", "The channel carries no magnets."),
    Reason("REFUSES_AEROSOL_OR_FLAMMABLE", "channel", "The channel carries no aerosols or flammables."),
    Reason("REFUSES_RESTRICTED", "channel", "The channel carries no restricted goods (see restricted_kind)."),
)
ALL_REASONS: tuple[Reason, ...] = REASONS + TRADE_REASONS + CHANNEL_REASONS

REASON_BY_CODE: dict[str, Reason] = {reason.code: reason for reason in REASONS}

# The suitability codes, each weighted by scoring.penalties.
PENALISED_REASONS: frozenset[str] = frozenset(reason.code for reason in REASONS if reason.applies_to == "suitability")
