"""Shopify products CSV (Admin > Products > Export, and the import template).

One row per variant. The product's own fields (Title, Body (HTML), Vendor, Type, Tags, Product
Category, Gift Card) sit on its first row only; the other variant rows of the same `Handle` inherit
them. Rows that carry no variant at all (no SKU, price, grams, quantity, barcode or option value) are
extra product images and are skipped with that reason.

`Variant Grams` is always grams, whatever `Variant Weight Unit` says: the unit is only how the admin
shows the weight (8 oz is exported as 226.796185 g). The export has no dimensions and no currency
(prices are in the store's currency). The listing id is the `Handle` (Shopify's unique product key),
followed by the variant's option values when the product has variants: `example-shirt/Green/S`.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.ingest.base import (
    Adapter,
    Context,
    Converted,
    Header,
    col,
    currency_assumed,
    currency_expr,
    decimal_comma,
    flag_is,
    joined_values,
    original_values,
    present,
    require,
    skipped_where,
)
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
    unit_code_expr,
)

_PRODUCT_FIELDS = ("title", "body", "vendor", "category", "type", "tags", "gift_card", "status")


class Shopify(Adapter):
    name = "shopify"
    marketplace = "shopify"
    # A product's rows (same Handle) are consecutive in Shopify's exports: pieces are cut between products.
    reads_in_pieces = True
    group_label = "product (Handle)"

    def detect(self, header: Header) -> bool:
        return header.has("Handle") and header.has("Variant SKU", "Variant Price", "Variant Grams")

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "handle": header.find("Handle"),
            "title": header.find("Title"),
            "body": header.find("Body (HTML)", "Body HTML", "Body"),
            "vendor": header.find("Vendor"),
            "category": header.find(
                "Product Category", "Standard Product Type", "Google Shopping / Google Product Category"
            ),
            "type": header.find("Type", "Custom Product Type"),
            "tags": header.find("Tags"),
            "gift_card": header.find("Gift Card"),
            "status": header.find("Status"),
            "option1": header.find("Option1 Value"),
            "option2": header.find("Option2 Value"),
            "option3": header.find("Option3 Value"),
            "sku": header.find("Variant SKU"),
            "grams": header.find("Variant Grams"),
            "weight": header.find("Variant Weight"),
            "weight_unit": header.find("Variant Weight Unit"),
            "qty": header.find("Variant Inventory Qty", "Inventory Available", "Variant Inventory"),
            "price": header.find("Variant Price"),
            "compare_at": header.find("Variant Compare At Price"),
            "requires_shipping": header.find("Variant Requires Shipping"),
            "barcode": header.find("Variant Barcode"),
            "cost": header.find("Cost per item", "Variant Cost"),
            "image": header.find("Image Src"),
        }

    @staticmethod
    def _metafields(header: Header) -> list[str]:
        """Product metafield columns (`Material (product.metafields.shopify.material)`): attribute values."""
        return header.find_all_matching(r".*\(product\.metafields\.")

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"Handle": names["handle"]})
        return present([*names.values(), *self._metafields(header)])

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def group_column(self, header: Header) -> str | None:
        return self._names(header)["handle"]

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        handle = pl.col(names["handle"])
        variant_fields = [names[key] for key in ("sku", "grams", "weight", "qty", "price", "barcode", "option1",
                                                 "option2", "option3", "cost", "compare_at")]
        has_variant = pl.any_horizontal([col(name).is_not_null() for name in variant_fields if name] or [pl.lit(False)])
        has_title = col(names["title"]).is_not_null()
        is_listing = has_variant | has_title
        skipped = skipped_where(
            frame,
            ~is_listing,
            pl.format(
                "Shopify image-only row of product '{}': an extra product image, not a variant",
                handle.fill_null("?"),
            ),
        )
        # Product fields come from the handle's first row that has them.
        inherited = frame.with_columns(
            col(names[key]).drop_nulls().first().over(handle).alias(f"_{key}")
            for key in _PRODUCT_FIELDS
            if names[key]
        ).with_columns(
            pl.col(name).drop_nulls().first().over(handle).alias(f"_metafield_{position}")
            for position, name in enumerate(self._metafields(header))
        ).filter(is_listing)
        product = {key: (pl.col(f"_{key}") if names[key] else col(None)) for key in _PRODUCT_FIELDS}
        metafields = [pl.col(f"_metafield_{position}") for position in range(len(self._metafields(header)))]

        options = [col(names[key]) for key in ("option1", "option2", "option3")]
        real_options = [pl.when(option != "Default Title").then(option) for option in options]
        option_path = pl.concat_str(real_options, separator="/", ignore_nulls=True)
        variants_in_product = pl.len().over(handle)
        listing_id = (
            pl.when((option_path.str.len_chars() > 0) & (variants_in_product > 1))
            .then(pl.format("{}/{}", handle, option_path))
            .otherwise(handle)
        )
        title = plain_text(product["title"], single_line=True)
        title = pl.when((option_path.str.len_chars() > 0) & (variants_in_product > 1)).then(
            pl.format("{} ({})", title, option_path.str.replace_all("/", " / ", literal=True))
        ).otherwise(title)

        comma = decimal_comma(frame, names["price"], context)
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, price=price_raw)
        weight = self._weight(names, frame)
        not_physical = flag_is(product["gift_card"]) | flag_is(col(names["requires_shipping"]), "false", "no", "0", "n")
        ships = flag_is(col(names["requires_shipping"]))
        records = inherited.select(
            pl.col("_row"),
            listing_id.alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            title.alias("title"),
            plain_text(pl.coalesce(product["category"], product["type"]), single_line=True).alias("category"),
            plain_text(product["body"]).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            price_text(col(names["cost"]), decimal_comma=comma).alias("unit_cost"),
            weight.alias("weight_kg"),
            count_text(col(names["qty"])).alias("stock_qty"),
            pl.when(not_physical).then(pl.lit("false")).when(ships).then(pl.lit("true")).alias("is_physical"),
            joined_values([product["tags"], *real_options, *metafields]).alias("attributes"),
            blank_as_null(handle).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in ("grams", "weight", "weight_unit", "price", "compare_at", "cost",
                                                 "qty", "requires_shipping")]),
                {"assumed_currency": assumed_currency},
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)

    @staticmethod
    def _weight(names: dict[str, str | None], frame: pl.DataFrame) -> pl.Expr:
        if names["grams"]:
            return measure_text(pl.col(names["grams"]), pl.lit("g"), "weight")
        if names["weight"]:
            unit = (
                unit_code_expr(col(names["weight_unit"]), "weight") if names["weight_unit"] else pl.lit(None, pl.String)
            )
            return measure_text(pl.col(names["weight"]), unit, "weight")
        return pl.lit(None, pl.String)
