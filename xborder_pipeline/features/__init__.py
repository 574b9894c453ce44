"""Features of a listing computed in polars: size and weight, fragility, dangerous goods, price, cost.

Each feature is a plain function returning a polars expression; `with_listing_features` applies
them all in dependency order.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from xborder_pipeline.as_of import as_of_date
from xborder_pipeline.config import Settings
from xborder_pipeline.features import dimensions, estimates, price, shipping, traits
from xborder_pipeline.features.fba import FbaCard, load_fba_card, with_fba_features
from xborder_pipeline.features.warehouse_economics import said_to_be_unique, with_warehouse_economics

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def with_listing_features(
    listings: Frame, settings: Settings, fba_card: FbaCard | None = None, shared_boxes: Frame | None = None
) -> Frame:
    """The listings with every feature column added: channel costs, FBA fees and warehouse economics included.

    `fba_card` defaults to the card configuration names (fba.card), else the packaged 2026 US card.
    `shared_boxes` (SHARED_BOX_COLUMNS) counts the boxes that several listings of the run share, when the
    listings are one batch of a larger run; without it the listings are the whole run.
    Everything dated (FBA card windows, duty and FX windows) is priced as on the run's as-of date
    (xborder_pipeline.as_of: run.as_of, else today in schedule.timezone).
    """
    card = fba_card or load_fba_card(settings.fba.card or None)
    day = as_of_date(settings)
    settings = settings.on(day)
    divisor = settings.scoring.reference_volumetric_divisor_cm3_per_kg
    present = listings.collect_schema().names()
    if "is_physical" not in present:
        listings = listings.with_columns(is_physical=pl.lit(None, pl.Boolean))  # missing means physical
    if "attributes" not in present:
        listings = listings.with_columns(attributes=pl.lit(None, pl.String))  # materials, tags: none given
    said = [name for name in ("title", "description", "original_values") if name not in present]
    if said:  # what a unique piece is recognised by (scoring.warehousing); a frame may lack some
        listings = listings.with_columns(pl.lit(None, pl.String).alias(name) for name in said)
    if "demand_source" not in present:  # no sales history joined (xborder_pipeline.sales.demand): the listing's own
        listings = listings.with_columns(
            listing_monthly_units_sold=pl.col("monthly_units_sold"),
            demand_source=pl.when(pl.col("monthly_units_sold").is_not_null())
            .then(pl.lit("listing"))
            .otherwise(pl.lit("none")),
            demand_evidence=pl.lit(None, pl.String),
            demand_reasons=pl.lit(None, pl.List(pl.String)),
        )
    listings = _with_shared_boxes(listings, shared_boxes)
    # Traits first (the estimator reads is_liquid); estimates fill what the export leaves out; every cost below
    # rests on declared-or-estimated values, and the declared ones are put back as exported at the end.
    listings = estimates.with_estimates(
        traits.with_traits(listings, settings.traits, evidence_as_text=True), settings
    ).with_columns(
        **{_declared(column): pl.col(column) for column in DECLARED_SIZE_COLUMNS},
        weight_kg=estimates.priced_weight_kg(),
        **{side: estimates.priced_side_cm(side) for side in dimensions.SIDES},
    )
    listings = traits.with_oversize(listings, settings.traits)  # on the weight and box the costs rest on
    measured = listings.with_columns(
        volumetric_weight_kg=dimensions.volumetric_weight_kg(divisor),
        chargeable_weight_kg=dimensions.chargeable_weight_kg(divisor),
        longest_side_cm=dimensions.longest_side_cm(),
        sum_of_sides_cm=dimensions.sum_of_sides_cm(),
        length_plus_girth_cm=dimensions.length_plus_girth_cm(),
        volume_m3=dimensions.volume_m3(),
        density_kg_per_m3=dimensions.density_kg_per_m3(),
        price_usd=price.price_usd(settings.fx),
        unit_cost_usd=price.unit_cost_usd(settings.fx),
        months_of_cover=_months_of_cover(),
        said_to_be_unique=said_to_be_unique(settings),
    )
    with_fba = with_fba_features(measured, card, day)
    costed = shipping.with_cheapest_channel(shipping.with_channel_costs(with_fba, settings), settings)
    margined = costed.with_columns(
        direct_ship_channel=pl.col("recommended_channel"),
        logistics_cost_ratio=pl.when(pl.col("price_usd") > 0).then(
            pl.col("est_direct_ship_cost_usd") / pl.col("price_usd")
        ),
        landed_cost_ratio=landed_cost_ratio(),
        margin_after_logistics_usd=pl.col("price_usd") - pl.col("unit_cost_usd") - pl.col("landed_cost_usd"),
    ).with_columns(
        margin_ratio=pl.when(pl.col("price_usd") > 0).then(pl.col("margin_after_logistics_usd") / pl.col("price_usd")),
    )
    return with_warehouse_economics(margined, settings).with_columns(
        **{column: pl.col(_declared(column)) for column in DECLARED_SIZE_COLUMNS}
    ).drop(*(_declared(column) for column in DECLARED_SIZE_COLUMNS))


# The export's own weight and box: kept as exported in `listings`; costs use them only when usable.
DECLARED_SIZE_COLUMNS = ("weight_kg", *dimensions.SIDES)


def _declared(column: str) -> str:
    return f"_declared_{column}"


def landed_cost_ratio() -> pl.Expr:
    """What the buyer's parcel costs the seller, as a share of the price: shipping, duty and customs fee.

    VAT is left out: it is collected from the buyer inside the price (IOSS, UK point of sale) and grows
    with the price, so it says nothing about whether a parcel is worth sending; the margin counts it.
    """
    parcel_cost = (
        pl.col("est_direct_ship_cost_usd")
        + pl.col("duty_usd").fill_null(0.0)
        + pl.col("customs_fee_usd").fill_null(0.0)
    )
    return pl.when(pl.col("price_usd") > 0).then(parcel_cost / pl.col("price_usd"))


# The boxes several listings of a run share (sql/run_wide/shared_boxes.sql finds them for a run in batches).
SHARED_BOX_COLUMNS: dict[str, pl.DataType] = {
    **dict.fromkeys(dimensions.SIDES, pl.Float64()),
    "listings_sharing_box": pl.Int64(),
    "categories_sharing_box": pl.Int64(),
}


def _with_shared_boxes(listings: Frame, boxes: Frame | None) -> Frame:
    if boxes is None:
        return listings.with_columns(
            listings_sharing_box=_listings_sharing_box(), categories_sharing_box=_categories_sharing_box()
        )
    shared = boxes.select(
        *dimensions.SIDES,
        pl.col("listings_sharing_box").alias("_shared_listings"),
        pl.col("categories_sharing_box").alias("_shared_categories"),
    )
    return (
        listings.join(shared, on=list(dimensions.SIDES), how="left", maintain_order="left")
        .with_columns(
            # a box no other listing has: this listing alone, and its own category if it has one
            listings_sharing_box=pl.when(dimensions.all_sides_known()).then(
                pl.col("_shared_listings").fill_null(1)
            ),
            categories_sharing_box=pl.when(dimensions.all_sides_known()).then(
                pl.col("_shared_categories").fill_null(pl.col("category").is_not_null().cast(pl.Int64))
            ),
        )
        .drop("_shared_listings", "_shared_categories")
    )


def _listings_sharing_box() -> pl.Expr:
    """How many listings of this run have exactly this box (null when the box is incomplete)."""
    return pl.when(dimensions.all_sides_known()).then(pl.len().over(dimensions.SIDES)).cast(pl.Int64)


def _categories_sharing_box() -> pl.Expr:
    return (
        pl.when(dimensions.all_sides_known())
        # a missing category is no category: it does not count as one more
        .then(
            pl.col("category").n_unique().over(dimensions.SIDES)
            - pl.col("category").is_null().any().over(dimensions.SIDES).cast(pl.Int64)
        )
        .cast(pl.Int64)
    )


def _months_of_cover() -> pl.Expr:
    """How many months the stock on hand lasts at the current sales rate."""
    return pl.when(pl.col("monthly_units_sold") > 0).then(pl.col("stock_qty") / pl.col("monthly_units_sold"))
