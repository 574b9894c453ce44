"""Magento 2 product import/export CSV (System > Data Transfer > Export, entity type Products).

One row per SKU (`sku`, `product_type`, `name`, `price`, `weight`, `qty`, `categories`, ...). Rows
with a `store_view_code` are a store view's translation or override of a SKU already listed and are
skipped; so are `configurable` and `grouped` products, whose simple children are the listings.
`virtual` and `downloadable` products are not physical.

`weight` has no unit in the file: it is the store's weight unit, `lbs` by Magento's default
(general/locale/weight_unit) unless --weight-unit or the mapping file says `kg`. The export has no
dimensions and no currency (the base currency; --currency sets it). A product's `categories` paths
are kept, each without the root `Default Category/`, joined with `, ` (the first path first).

`attributes` are the values of `additional_attributes` (`material=Wool,pattern=Solid` gives
`Wool | Solid`; yes/no and number flags such as `has_options=1` are left out). `product_group` is the
configurable parent's SKU for a child named in a parent's `configurable_variations` (found by a
survey of the whole file when it is read in pieces), else the SKU itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
    resolve_unit,
    skipped_where,
)
from xborder_pipeline.ingest.pieces import FileFacts, FileScan
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
            "attributes": header.find("additional_attributes"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"sku": names["sku"], "name": names["name"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def survey(
        self, read: Callable[[list[str]], Iterator[pl.DataFrame]], header: Header, context: Context
    ) -> FileFacts:
        """Decimal commas, and each child SKU's configurable parent (from the parents' configurable_variations)."""
        names = self._names(header)
        scan = FileScan(self.decimal_comma_columns(header, context))
        keys = present([names["sku"], names["variations"], names["attributes"]])
        parents: list[pl.DataFrame] = []
        for frame in read(present([*scan.columns, *keys])):
            scan.add(frame)
            if names["variations"]:
                parents.append(_children_of_parents(frame, names))
        found = pl.concat(parents, how="vertical") if parents else None
        return scan.facts({"parents": found})

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        if context.facts is not None:
            parents = context.facts.extra.get("parents")
        else:
            parents = _children_of_parents(frame, names) if names["variations"] else None
        if isinstance(parents, pl.DataFrame) and names["sku"]:
            frame = frame.join(
                parents.unique(subset="_child_sku", keep="first", maintain_order=True),
                left_on=pl.col(names["sku"]).str.strip_chars(), right_on="_child_sku", how="left",
                maintain_order="left",
            )
        else:
            frame = frame.with_columns(pl.lit(None, pl.String).alias("_parent_sku"),
                                       pl.lit(None, pl.String).alias("_parent_attributes"))
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
        categories = (
            col(names["categories"]).str.split(",")
            .list.eval(pl.element().str.strip_chars().str.replace(r"^Default Category/?", "").str.strip_chars())
            .list.eval(pl.element().filter(pl.element().str.len_chars() > 0))
            .list.unique(maintain_order=True).list.join(", ")
        )
        records = listings.select(
            pl.col("_row"),
            pl.lit(None, pl.String).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["name"]), single_line=True).alias("title"),
            plain_text(categories, single_line=True).alias("category"),
            plain_text(pl.coalesce(col(names["description"]), col(names["short"]))).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            price_text(col(names["cost"]), decimal_comma=comma).alias("unit_cost"),
            measure_text(col(names["weight"]), pl.lit(unit, pl.String), "weight", decimal_comma=comma)
            .alias("weight_kg"),
            count_text(col(names["qty"])).alias("stock_qty"),
            pl.when(kind.is_in(["virtual", "downloadable"])).then(pl.lit("false")).alias("is_physical"),
            joined_values([_attribute_values(col(names["attributes"])),
                           _attribute_values(pl.col("_parent_attributes"))]).alias("attributes"),
            pl.coalesce(pl.col("_parent_sku"), blank_as_null(col(names["sku"]))).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in ("type", "weight", "price", "special_price", "cost", "qty")]),
                {
                    "assumed_weight_unit": pl.lit(f"{unit} ({assumed_from})" if names["weight"] else None, pl.String),
                    "assumed_currency": assumed_currency,
                },
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)


def _children_of_parents(frame: pl.DataFrame, names: dict[str, str | None]) -> pl.DataFrame:
    """`_child_sku`, `_parent_sku`, `_parent_attributes`: each SKU named by a configurable parent's
    `configurable_variations`, with the parent's SKU and additional_attributes (a child inherits them)."""
    variations = names["variations"]
    sku = names["sku"]
    if variations is None or sku is None:
        return pl.DataFrame(schema={"_child_sku": pl.String, "_parent_sku": pl.String,
                                    "_parent_attributes": pl.String})
    return (
        frame.select(pl.col(sku).str.strip_chars().alias("_parent_sku"),
                     pl.col(variations).str.split("|").alias("_variation"),
                     col(names["attributes"]).alias("_parent_attributes"))
        .filter(pl.col("_parent_sku").is_not_null() & pl.col("_variation").is_not_null())
        .explode("_variation")
        .select(pl.col("_variation").str.extract(r"(?:^|,)\s*sku=([^,]+)", 1).str.strip_chars().alias("_child_sku"),
                "_parent_sku", "_parent_attributes")
        .filter(pl.col("_child_sku").is_not_null())
    )


def _attribute_values(text: pl.Expr) -> pl.Expr:
    """The values of `name=value,...` pairs, without yes/no and number flags, joined with ` | `."""
    pairs = text.str.split(",").list.eval(
        pl.element().str.extract(r"^\s*[^=]+=(.*)$", 1).str.strip_chars()
    ).list.eval(
        pl.element().filter(
            (pl.element().str.len_chars() > 0)
            & ~pl.element().str.to_lowercase().str.contains(r"^(?:yes|no|true|false|-?\d+(?:[.,]\d+)?)$")
        )
    )
    return joined_values([pairs.list.join("\u0000")]).str.replace_all("\u0000", " | ", literal=True)
