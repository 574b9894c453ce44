"""Magento 2 product import/export CSV (System > Data Transfer > Export, entity type Products).

One row per SKU (`sku`, `product_type`, `name`, `price`, `weight`, `qty`, `categories`, ...). Rows
with a `store_view_code` are a store view's translation or override of a SKU already listed and are
skipped; so are `configurable` and `grouped` products, whose simple children are the listings.
`virtual` and `downloadable` products are not physical.

`weight` has no unit in the file: it is the store's weight unit, `lbs` by Magento's default
(general/locale/weight_unit) unless --weight-unit or the mapping file says `kg`. The export has no
dimensions and no currency (the base currency; --currency sets it). The first of a product's
`categories` paths is kept, without the root `Default Category/`.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.ingest.base import (
    Adapter,
    Context,
    Converted,
    Header,
    col,
    currency_expr,
    decimal_comma,
    original_values,
    present,
    require,
    resolve_unit,
    skipped_where,
)
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
)


class Magento2(Adapter):
    name = "magento2"
    marketplace = "magento"
    reads_in_pieces = True  # store-view and container rows are told by their own columns

    def detect(self, header: Header) -> bool:
        return (
            header.has("sku") and header.has("product_type", "_type")
            and header.has("attribute_set_code", "_attribute_set") and header.has("name")
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "sku": header.find("sku"),
            "store_view": header.find("store_view_code", "_store"),
            "type": header.find("product_type", "_type"),
            "name": header.find("name"),
            "description": header.find("description"),
            "short": header.find("short_description"),
            "categories": header.find("categories", "_category"),
            "price": header.find("price"),
            "special_price": header.find("special_price"),
            "cost": header.find("cost"),
            "weight": header.find("weight"),
            "qty": header.find("qty"),
            "min_sale_qty": header.find("min_cart_qty"),
            "variations": header.find("configurable_variations"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"sku": names["sku"], "name": names["name"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        kind = col(names["type"]).str.to_lowercase().fill_null("simple")
        store_view = blank_as_null(col(names["store_view"]))
        is_store_view = store_view.is_not_null()
        is_container = kind.is_in(["configurable", "grouped"])
        skipped = pl.concat(
            [
                skipped_where(frame, is_store_view, pl.format(
                    "Magento store-view row ({}): a translation or override of a SKU listed on its default row",
                    store_view,
                )),
                skipped_where(frame, ~is_store_view & is_container, pl.format(
                    "Magento {} product: its child products are listed on their own rows", kind,
                )),
            ],
            how="vertical",
        )
        listings = frame.filter(~is_store_view & ~is_container)
        unit, assumed_from = resolve_unit(None, "weight", context, "lb")
        comma = decimal_comma(frame, names["price"], context)
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, price=price_raw)
        first_category = (
            col(names["categories"]).str.split(",").list.first().str.replace(r"^Default Category/?", "")
        )
        records = listings.select(
            pl.col("_row"),
            pl.lit(None, pl.String).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["name"]), single_line=True).alias("title"),
            plain_text(first_category, single_line=True).alias("category"),
            plain_text(pl.coalesce(col(names["description"]), col(names["short"]))).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            price_text(col(names["cost"]), decimal_comma=comma).alias("unit_cost"),
            measure_text(col(names["weight"]), pl.lit(unit, pl.String), "weight", decimal_comma=comma)
            .alias("weight_kg"),
            count_text(col(names["qty"])).alias("stock_qty"),
            pl.when(kind.is_in(["virtual", "downloadable"])).then(pl.lit("false")).alias("is_physical"),
            original_values(
                present([names[key] for key in ("type", "weight", "price", "special_price", "cost", "qty")]),
                {
                    "assumed_weight_unit": pl.lit(f"{unit} ({assumed_from})" if names["weight"] else None, pl.String),
                    "assumed_currency": assumed_currency,
                },
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)
