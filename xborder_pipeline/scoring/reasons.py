"""The stable reason codes a score or flag can carry, each with what it means.

Codes are a contract: dashboards filter on them (`list_contains(reasons, 'FRAGILE')`). Add new
codes freely; never rename or reuse one. The table `reason_codes` in the database holds this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    applies_to: str  # suitability | warehouse | data_confidence
    meaning: str


REASONS: tuple[Reason, ...] = (
    # Direct-parcel suitability: each takes scoring.penalties[code] points off 100.
    Reason("NOT_PHYSICAL", "suitability",
           "A digital download, service or fee item: nothing to ship, so no channel, cost or warehouse applies."),
    Reason("NO_DIRECT_PARCEL_CHANNEL", "suitability",
           "Heavier than the direct channel's piece limit: it cannot travel as one parcel."),
    Reason("SHIPPING_EXCEEDS_PRICE", "suitability",
           "The estimated direct parcel costs more than the goods (logistics_cost_ratio above the "
           "prohibitive threshold)."),
    Reason("AEROSOL_OR_FLAMMABLE_REFUSED_BY_POST", "suitability",
           "Aerosols, perfume, nail polish, lighters and other flammables are prohibited in international mail."),
    Reason("LOOSE_BATTERY_REFUSED_BY_POST", "suitability",
           "A battery sold on its own (power bank, battery pack) is barred from international mail."),
    Reason("HIGH_LOGISTICS_COST_RATIO", "suitability",
           "Direct shipping costs more than the poor threshold (default 35%) of the price."),
    Reason("LIQUID_REFUSED_BY_POST", "suitability",
           "Liquids are sensitive cargo, refused by post and general-cargo lines."),
    Reason("OVER_POSTAL_WEIGHT", "suitability", "Heavier than the postal small-packet limit (default 2 kg)."),
    Reason("OVER_POSTAL_SIZE", "suitability",
           "Larger than the postal small-packet size (default L+W+H 90 cm or longest side 60 cm)."),
    Reason("FRAGILE", "suitability", "Breakable goods: damage and packing costs in a parcel network."),
    Reason("BATTERY_SENSITIVE_CARGO", "suitability",
           "Contains a battery: needs a battery line (带电) with documents and a surcharge."),
    Reason("ELEVATED_LOGISTICS_COST_RATIO", "suitability",
           "Direct shipping costs between the fine (20%) and poor (35%) share of the price."),
    Reason("POWDER_SENSITIVE_CARGO", "suitability", "Powders are sensitive cargo on separate, dearer lines."),
    Reason("MAGNET_SENSITIVE_CARGO", "suitability", "Magnets are sensitive cargo on separate, dearer lines."),
    # Overseas warehousing.
    Reason("WAREHOUSE_TRAITS_HIGH_PRICE", "warehouse",
           "High-priced goods: a warehouse's faster delivery and local returns pay off."),
    Reason("WAREHOUSE_TRAITS_BULKY", "warehouse", "Too heavy or large for the postal class: bulk freight is cheaper."),
    Reason("WAREHOUSE_TRAITS_FRAGILE", "warehouse", "Fragile goods break less in one bulk move than in parcels."),
    Reason("WAREHOUSE_TRAITS_REFUSED_BY_POST", "warehouse",
           "Refused or restricted by post; sea freight to a warehouse can carry it."),
    Reason("NO_DEMAND_EVIDENCE", "warehouse",
           "No sales figure: stock sent abroad is costly to bring back, so demand must be proven first."),
    Reason("LOW_SALES_VELOCITY", "warehouse", "Sells fewer units a month than the warehouse minimum."),
    Reason("SLOW_SELL_THROUGH", "warehouse", "The stock on hand would take longer than the cover limit to sell."),
    Reason("NO_WAREHOUSE_ADVANTAGE", "warehouse",
           "Small, light, sturdy, post-friendly goods: direct parcels serve them well."),
    # Data confidence.
    Reason("MISSING_WEIGHT", "data_confidence", "No weight, or a weight of 0: costs rest on the box size alone."),
    Reason("MISSING_DIMENSIONS", "data_confidence", "Some box dimensions are missing or 0."),
    Reason("PLACEHOLDER_DIMENSIONS", "data_confidence",
           "The same box size is repeated across many unrelated listings: a placeholder, not a measurement."),
    Reason("NO_PRICE", "data_confidence",
           "The listing has no price, so the logistics cost ratio cannot be judged."),
    Reason("NO_SHIPPING_ESTIMATE", "data_confidence",
           "Neither weight nor a full box size is known, so no shipping cost can be estimated."),
    Reason("IMPLAUSIBLE_DENSITY", "data_confidence",
           "Weight and box size together give a density no packed product has: one of them is likely wrong."),
)

REASON_BY_CODE: dict[str, Reason] = {reason.code: reason for reason in REASONS}

# The suitability codes, each weighted by scoring.penalties.
PENALISED_REASONS: frozenset[str] = frozenset(
    reason.code for reason in REASONS if reason.applies_to == "suitability"
)
