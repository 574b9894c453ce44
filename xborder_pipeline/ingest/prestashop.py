"""PrestaShop product import/export CSV (`;`-delimited; Catalog > Products > Export, or the import sample).

Columns such as `Product ID`, `Active (0/1)`, `Name *`, `Categories (x,y,z...)`, `Price tax excluded`,
`Wholesale price`, `Reference #`, `Width`, `Height`, `Depth`, `Weight`, `Quantity`, `Minimal quantity`,
`Virtual product`. The shop's units are PrestaShop's defaults, kg and cm, unless --weight-unit,
--length-unit or the mapping file say otherwise. Depth is the box's length. The selling price is
the price without tax; the wholesale price is the unit cost; `Minimal quantity` is the MOQ.
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
    resolve_unit,
)
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
)


class PrestaShop(Adapter):
    name = "prestashop"
    marketplace = "prestashop"
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        return header.has("Name *", "Name") and (
            header.has("Price tax excluded", "Price tax included", "Price tax excl.")
            or header.has("Reference #", "Categories (x,y,z...)")
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "id": header.find("Product ID", "ID"),
            "name": header.find("Name *", "Name"),
            "categories": header.find("Categories (x,y,z...)", "Categories", "Category"),
            "price": header.find("Price tax excluded", "Price tax excl.", "Price tax included", "Price"),
            "wholesale": header.find("Wholesale price", "Cost price"),
            "reference": header.find("Reference #", "Reference"),
            "width": header.find("Width"),
            "height": header.find("Height"),
            "depth": header.find("Depth"),
            "weight": header.find("Weight"),
            "quantity": header.find("Quantity"),
            "minimal": header.find("Minimal quantity"),
            "summary": header.find("Summary", "Short description"),
            "description": header.find("Description"),
            "virtual": header.find("Virtual product", "Virtual product (0 = No, 1 = Yes)"),
            "additional_shipping": header.find("Additional shipping cost"),
            "tags": header.find("Tags (x,y,z...)", "Tags"),
            "features": header.find("Feature(Name:Value:Position)", "Features", "Feature"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"Name *": names["name"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        return present([names[key] for key in ("price", "weight", "width")])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        weight_unit, weight_from = resolve_unit(names["weight"], "weight", context, "kg")
        length_unit, length_from = resolve_unit(names["width"], "length", context, "cm")
        comma = any(decimal_comma(frame, names[key], context) for key in ("price", "weight", "width"))
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, price=price_raw)

        def side(key: str) -> pl.Expr:
            return measure_text(col(names[key]), pl.lit(length_unit, pl.String), "length", decimal_comma=comma)

        records = frame.select(
            pl.col("_row"),
            blank_as_null(col(names["id"])).alias("listing_id"),
            blank_as_null(col(names["reference"])).alias("sku"),
            plain_text(col(names["name"]), single_line=True).alias("title"),
            plain_text(_categories(col(names["categories"])), single_line=True).alias("category"),
            plain_text(pl.coalesce(col(names["description"]), col(names["summary"]))).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            price_text(col(names["wholesale"]), decimal_comma=comma).alias("unit_cost"),
            measure_text(col(names["weight"]), pl.lit(weight_unit, pl.String), "weight", decimal_comma=comma)
            .alias("weight_kg"),
            side("depth").alias("length_cm"),
            side("width").alias("width_cm"),
            side("height").alias("height_cm"),
            count_text(col(names["quantity"])).alias("stock_qty"),
            count_text(col(names["minimal"])).alias("moq"),
            pl.when(flag_is(col(names["virtual"]))).then(pl.lit("false")).alias("is_physical"),
            joined_values([_feature_values(col(names["features"])), col(names["tags"])]).alias("attributes"),
            pl.coalesce(blank_as_null(col(names["id"])), blank_as_null(col(names["reference"]))).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in ("price", "wholesale", "weight", "width", "height", "depth",
                                                 "quantity", "minimal", "virtual", "additional_shipping")]),
                {
                    "assumed_weight_unit": pl.lit(f"{weight_unit} ({weight_from})" if weight_from else None, pl.String),
                    "assumed_length_unit": pl.lit(f"{length_unit} ({length_from})" if length_from else None, pl.String),
                    "assumed_currency": assumed_currency,
                },
            ).alias("original_values"),
        )
        return Converted(records=records)


def _categories(text: pl.Expr) -> pl.Expr:
    """Every category the product is in (`Home,Ceramics,Vases`), trimmed and joined with `, `."""
    return text.str.split(",").list.eval(pl.element().str.strip_chars()).list.eval(
        pl.element().filter(pl.element().str.len_chars() > 0)
    ).list.join(", ")


def _feature_values(text: pl.Expr) -> pl.Expr:
    """The values of PrestaShop features (`Material:Ceramic:1,Color:White:2` gives `Ceramic | White`)."""
    return text.str.split(",").list.eval(
        pl.element().str.extract(r"^\s*[^:]*:([^:]*)", 1).str.strip_chars()
    ).list.eval(pl.element().filter(pl.element().str.len_chars() > 0)).list.join(" | ")
