"""Amazon Seller Central exports.

`amazon_flat_file`: the inventory file template / category listings report. Its first rows are a
`TemplateType=...` line and a row of labels; the header is the row of field names (`item_sku`,
`item_name`, `standard_price`, ...), found wherever it is. Weight and size come with their own unit
columns: the package's (`package_weight` + `package_weight_unit_of_measure`, `package_length` ... +
`package_dimensions_unit_of_measure`) are preferred, then the shipping weight, then the item's own.
Newer listing-loader headers such as `item_package_weight[marketplace_id=...]#1.value` are read by
their base name. Variation parents (`parent_child` = parent) are skipped: they cannot be bought.

`amazon_all_listings`: the tab-delimited All Listings / Active Listings report (`item-name`,
`listing-id`, `seller-sku`, `price`, `quantity`, `asin1`, ...). It has no weight, size or currency;
the listing id is Amazon's `listing-id`.
"""

from __future__ import annotations

import re

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


def _loader_key(name: str) -> str:
    """`item_package_weight[marketplace_id=X]#1.value` -> `item_package_weight.value`."""
    return re.sub(r"#\d+", "", re.sub(r"\[[^\]]*\]", "", name)).strip().lower()


class _LoaderHeader:
    """Looks columns up by their base name, ignoring `[marketplace_id=...]` and `#1` parts."""

    def __init__(self, header: Header) -> None:
        self.by_key: dict[str, str] = {}
        for name in header.names:
            self.by_key.setdefault(_loader_key(name), name)

    def find(self, *keys: str) -> str | None:
        for key in keys:
            if key in self.by_key:
                return self.by_key[key]
        return None


class AmazonFlatFile(Adapter):
    name = "amazon_flat_file"
    marketplace = "amazon"
    reads_in_pieces = True  # each row on its own; parents are skipped by their own parent_child value

    def detect(self, header: Header) -> bool:
        keys = _LoaderHeader(header)
        has_sku = keys.find("item_sku", "contribution_sku.value") is not None
        return has_sku and (
            keys.find("item_name", "item_name.value", "feed_product_type", "product_type", "standard_price") is not None
        ) and not header.has("seller-sku")

    def _names(self, header: Header) -> dict[str, str | None]:
        keys = _LoaderHeader(header)
        return {
            "sku": keys.find("item_sku", "contribution_sku.value", "sku"),
            "title": keys.find("item_name", "item_name.value"),
            "description": keys.find("product_description", "product_description.value"),
            "category": keys.find("item_type", "item_type_keyword", "item_type_keyword.value", "feed_product_type",
                                  "product_type"),
            "price": keys.find("standard_price", "purchasable_offer.our_price.schedule.value_with_tax", "list_price",
                               "price"),
            "currency": keys.find("currency", "purchasable_offer.currency", "list_price.currency"),
            "quantity": keys.find("quantity", "fulfillment_availability.quantity"),
            "parent_child": keys.find("parent_child", "parentage_level.value"),
            "parent_sku": keys.find("parent_sku", "child_parent_sku_relationship.parent_sku"),
            "material": keys.find("material_type", "material_type1", "material.value", "material_composition"),
            "color": keys.find("color_name", "color.value"),
            "size": keys.find("size_name", "size.value"),
            "package_weight": keys.find("package_weight", "item_package_weight.value"),
            "package_weight_unit": keys.find("package_weight_unit_of_measure", "item_package_weight.unit"),
            "shipping_weight": keys.find("website_shipping_weight"),
            "shipping_weight_unit": keys.find("website_shipping_weight_unit_of_measure"),
            "item_weight": keys.find("item_weight", "item_weight.value"),
            "item_weight_unit": keys.find("item_weight_unit_of_measure", "item_weight.unit"),
            "package_length": keys.find("package_length", "item_package_dimensions.length.value"),
            "package_width": keys.find("package_width", "item_package_dimensions.width.value"),
            "package_height": keys.find("package_height", "item_package_dimensions.height.value"),
            "package_length_unit": keys.find("package_dimensions_unit_of_measure", "package_length_unit_of_measure",
                                             "item_package_dimensions.length.unit"),
            "package_width_unit": keys.find("package_width_unit_of_measure", "item_package_dimensions.width.unit"),
            "package_height_unit": keys.find("package_height_unit_of_measure", "item_package_dimensions.height.unit"),
            "item_length": keys.find("item_length", "item_dimensions.length.value",
                                     "item_length_width_height.length.value"),
            "item_width": keys.find("item_width", "item_dimensions.width.value",
                                    "item_length_width_height.width.value"),
            "item_height": keys.find("item_height", "item_dimensions.height.value",
                                     "item_length_width_height.height.value"),
            "item_length_unit": keys.find("item_dimensions_unit_of_measure", "item_length_unit_of_measure",
                                          "item_dimensions.length.unit", "item_length_width_height.length.unit"),
            "item_width_unit": keys.find("item_width_unit_of_measure", "item_dimensions.width.unit",
                                         "item_length_width_height.width.unit"),
            "item_height_unit": keys.find("item_height_unit_of_measure", "item_dimensions.height.unit",
                                          "item_length_width_height.height.unit"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"item_sku": names["sku"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        is_parent = col(names["parent_child"]).str.to_lowercase() == "parent"
        skipped = skipped_where(frame, is_parent.fill_null(False), pl.lit(
            "Amazon variation parent: it cannot be bought; its child SKUs are listed on their own rows"
        ))
        listings = frame.filter(~is_parent.fill_null(False))
        comma = decimal_comma(frame, names["price"], context)

        def unit(name: str | None, kind: str) -> pl.Expr:
            given = context.weight_unit if kind == "weight" else context.length_unit
            fallback = pl.lit(given, pl.String)
            return pl.coalesce(unit_code_expr(col(name), kind), fallback) if name else fallback

        def measure(value: str | None, unit_name: str | None, kind: str) -> pl.Expr:
            if value is None:
                return pl.lit(None, pl.String)
            return measure_text(pl.col(value), unit(unit_name, kind), kind, decimal_comma=comma)

        weight = pl.coalesce(
            measure(names["package_weight"], names["package_weight_unit"], "weight"),
            measure(names["shipping_weight"], names["shipping_weight_unit"], "weight"),
            measure(names["item_weight"], names["item_weight_unit"], "weight"),
        )
        package_unit = names["package_length_unit"]
        item_unit = names["item_length_unit"]
        sides = {
            side: pl.coalesce(
                measure(names[f"package_{side}"], names[f"package_{side}_unit"] or package_unit, "length"),
                measure(names[f"item_{side}"], names[f"item_{side}_unit"] or item_unit, "length"),
            )
            for side in ("length", "width", "height")
        }
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, column=names["currency"], price=price_raw)
        records = listings.select(
            pl.col("_row"),
            pl.lit(None, pl.String).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(col(names["category"]), single_line=True).alias("category"),
            plain_text(col(names["description"])).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            weight.alias("weight_kg"),
            sides["length"].alias("length_cm"),
            sides["width"].alias("width_cm"),
            sides["height"].alias("height_cm"),
            count_text(col(names["quantity"])).alias("stock_qty"),
            joined_values([col(names[key]) for key in ("material", "color", "size")]).alias("attributes"),
            pl.coalesce(blank_as_null(col(names["parent_sku"])), blank_as_null(col(names["sku"]))).alias(
                "product_group"
            ),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in names if key not in {"sku", "title", "description", "category",
                                                                   "parent_child", "parent_sku", "material",
                                                                   "color", "size"}]),
                {"assumed_currency": assumed_currency},
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)


class AmazonAllListings(Adapter):
    name = "amazon_all_listings"
    marketplace = "amazon"
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        return header.has("seller-sku") and header.has("item-name", "listing-id", "asin1")

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "listing_id": header.find("listing-id"),
            "sku": header.find("seller-sku"),
            "title": header.find("item-name"),
            "description": header.find("item-description"),
            "price": header.find("price"),
            "quantity": header.find("quantity"),
            "category": header.find("zshop-category1", "zshop-browse-path"),
            "asin": header.find("asin1"),
            "fulfillment": header.find("fulfillment-channel"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"seller-sku": names["sku"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        comma = decimal_comma(frame, names["price"], context)
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, price=price_raw)
        records = frame.select(
            pl.col("_row"),
            blank_as_null(col(names["listing_id"])).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(col(names["category"]), single_line=True).alias("category"),
            plain_text(col(names["description"])).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            count_text(col(names["quantity"])).alias("stock_qty"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names["price"], names["quantity"], names["asin"], names["fulfillment"]]),
                {"assumed_currency": assumed_currency},
            ).alias("original_values"),
        )
        return Converted(records=records)
