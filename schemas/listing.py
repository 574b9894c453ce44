"""The canonical listing: what every adapter produces and every later step relies on.

grain: one row per input record that is a listing (platform exports' non-listing rows are skipped
before this point). Numbers are already parsed from text; units are kg, cm and the listing's own
currency. Checks that depend on configuration (known currencies, plausibility limits) are added by
`canonical_listing_schema`.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

# Columns an adapter must deliver, in this order. Only listing_id (derived from marketplace, seller
# and SKU when the file has none) is required to be non-null; every other value may be missing.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "listing_id",
    "sku",
    "marketplace",
    "seller_id",
    "title",
    "category",
    "description",
    "price",
    "currency",
    "unit_cost",
    "weight_kg",
    "length_cm",
    "width_cm",
    "height_cm",
    "stock_qty",
    "monthly_units_sold",
    "moq",
)
# Filled by platform adapters; canonical files may leave them out.
#   is_physical: False for digital downloads, services and fee items (scored NOT_PHYSICAL, never shipped);
#   source_format: which adapter read the record; original_values: the values as the export gave them
#   (units, currency symbols, decimal commas) as a JSON object, kept next to the normalised ones;
#   attributes: the export's materials, tags and attribute values as plain text joined with ` | `
#   (evidence for trait detection); product_group: the key that ties the variants of one product
#   together (Shopify Handle, WooCommerce or Magento parent, Etsy listing id), null where unknown;
#   currency_assumed: True where no export column, --currency, mapping file or [[sources]] entry named
#   the price's currency and the adapter's default was taken.
ADAPTER_COLUMNS: tuple[str, ...] = (
    "is_physical", "source_format", "original_values", "attributes", "product_group", "currency_assumed",
)
LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "source_row")

TEXT_COLUMNS: tuple[str, ...] = (
    "listing_id", "sku", "marketplace", "seller_id", "title", "category", "description", "currency",
    "source_format", "original_values", "attributes", "product_group",
)
BOOLEAN_COLUMNS: tuple[str, ...] = ("is_physical", "currency_assumed")
DECIMAL_COLUMNS: tuple[str, ...] = (
    "price", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "monthly_units_sold",
)
WHOLE_NUMBER_COLUMNS: tuple[str, ...] = ("stock_qty", "moq")
MEASURED_COLUMNS: tuple[str, ...] = ("weight_kg", "length_cm", "width_cm", "height_cm")


def _finite_or_missing(data: pa.PolarsData) -> pl.LazyFrame:
    value = pl.col(data.key)
    return data.lazyframe.select(value.is_null() | value.is_finite())


class CanonicalListing(pa.DataFrameModel):
    """A listing in canonical form, with its lineage back to the source file and record."""

    listing_id: str = pa.Field(
        nullable=False,
        str_length={"min_value": 1, "max_value": 200},
        description="The platform's id, else marketplace:seller_id:sku.",
    )
    sku: str | None = pa.Field(nullable=True, description="The seller's stock-keeping unit.")
    marketplace: str | None = pa.Field(nullable=True, description="e.g. amazon_us, shopify, ebay.")
    seller_id: str | None = pa.Field(nullable=True, description="The seller or store.")
    title: str | None = pa.Field(nullable=True, description="Listing title.")
    category: str | None = pa.Field(nullable=True, description="The seller's category path or name.")
    description: str | None = pa.Field(nullable=True, description="Listing description, plain text.")
    price: float | None = pa.Field(nullable=True, gt=0, description="Selling price, in `currency`.")
    currency: str | None = pa.Field(nullable=True, description="ISO 4217 code of price and unit_cost.")
    unit_cost: float | None = pa.Field(nullable=True, ge=0, description="Purchase cost, in `currency`.")
    weight_kg: float | None = pa.Field(nullable=True, ge=0, description="Packed unit weight, kg.")
    length_cm: float | None = pa.Field(nullable=True, ge=0, description="Packed box length, cm.")
    width_cm: float | None = pa.Field(nullable=True, ge=0, description="Packed box width, cm.")
    height_cm: float | None = pa.Field(nullable=True, ge=0, description="Packed box height, cm.")
    stock_qty: int | None = pa.Field(nullable=True, ge=0, description="Units in stock.")
    monthly_units_sold: float | None = pa.Field(nullable=True, ge=0, description="Average units sold a month.")
    moq: int | None = pa.Field(nullable=True, ge=1, description="Minimum order quantity (wholesale).")
    is_physical: bool | None = pa.Field(
        nullable=True, description="False for digital goods, services and fees; missing means physical."
    )
    source_format: str | None = pa.Field(nullable=True, description="The adapter that read the record.")
    original_values: str | None = pa.Field(
        nullable=True, description="The export's own values before normalisation, as a JSON object."
    )
    attributes: str | None = pa.Field(
        nullable=True, description="Materials, tags and attribute values from the export, joined with ' | '."
    )
    product_group: str | None = pa.Field(
        nullable=True, description="The key shared by the variants of one product (handle, parent SKU)."
    )
    currency_assumed: bool | None = pa.Field(
        nullable=True, description="True where the currency is the adapter's default, named by nothing."
    )
    source_file: str = pa.Field(nullable=False, description="The file the record came from.")
    source_row: int = pa.Field(nullable=False, ge=1, description="1-based record number after the header.")

    @pa.check("price", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "monthly_units_sold",
              name="is_finite")
    def is_finite(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Numbers are finite: NaN and infinity are no measurement."""
        return _finite_or_missing(data)

    @pa.dataframe_check(name="price_has_currency")
    def price_has_currency(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A price comes with its currency."""
        return data.lazyframe.select(pl.col("price").is_null() | pl.col("currency").is_not_null())

    class Config:
        strict = True
        ordered = False


def canonical_listing_schema(
    known_currencies: list[str], max_weight_kg: float, max_side_cm: float, max_text_chars: int
) -> pa.DataFrameSchema:
    """CanonicalListing with the checks that come from configuration."""
    schema = CanonicalListing.to_schema()
    for text in ("sku", "title", "category", "description", "seller_id", "marketplace"):
        schema = schema.update_column(
            text, checks=[*schema.columns[text].checks, pa.Check.str_length(max_value=max_text_chars)]
        )
    schema = schema.update_column(
        "currency",
        checks=[pa.Check.isin(sorted(known_currencies))],
    )
    schema = schema.update_column(
        "weight_kg",
        checks=[*schema.columns["weight_kg"].checks, pa.Check.le(max_weight_kg)],
    )
    for side in ("length_cm", "width_cm", "height_cm"):
        schema = schema.update_column(side, checks=[*schema.columns[side].checks, pa.Check.le(max_side_cm)])
    return schema
