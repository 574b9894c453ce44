"""eBay listing exports: File Exchange / Seller Hub upload templates and the Seller Hub listings report.

File Exchange files start with `Info,Version=...` or `#INFO` lines before the header, whose first
column is `*Action(SiteID=US|Country=US|Currency=USD|...)`: the currency and the site come from it.
Weight is `WeightMajor` + `WeightMinor` in `WeightUnit` (lbs + oz for `lbs`/english, kg + g for
`kg`/metric; the site decides when the unit is blank: US sites are english), and the package is
`PackageLength`/`PackageWidth`/`PackageDepth` in inches (english) or cm (metric).

The Seller Hub "Active listings" report (`Item number`, `Title`, `Variation details`, `Custom label
(SKU)`, `Available quantity`, `Currency`, `Start price`, `Current price`, ...) may open with a
`"Seller Hub Reports","Active listings"` line and close with `N record(s) downloaded` and `Seller ID`
lines: those are skipped. A multi-variation listing has a row for the listing (blank variation
details; skipped) and one per variation, whose id is `item number:variation details`.
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
    number_as_text,
    parse_number,
    plain_text,
    price_text,
)
from xborder_pipeline.ingest.units import LENGTH_TO_CM, WEIGHT_TO_KG

FOOTER_PATTERN = r"(?i)^\s*(?:\d*\s*record\(s\) downloaded|seller id\s*:)"
FOOTER = re.compile(FOOTER_PATTERN)


class Ebay(Adapter):
    name = "ebay"
    marketplace = "ebay"
    # A multi-variation listing's rows (same item number) are consecutive: pieces are cut between
    # listings. A row without an item number converts on its own.
    reads_in_pieces = True
    group_label = "listing (item number)"
    free_null_groups = True

    def detect(self, header: Header) -> bool:
        return (
            header.find_matching(r"action\(") is not None
            or (header.has("Item number") and header.has("Custom label (SKU)", "Title"))
            or (header.has("ItemID") and header.has("CustomLabel", "Title"))
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "action": header.find_matching(r"action\(") or header.find("Action"),
            "item": header.find("Item number", "ItemID", "Item ID"),
            "variation": header.find("Variation details", "Variation Details"),
            "sku": header.find("Custom label (SKU)", "CustomLabel", "Custom label", "SKU"),
            "title": header.find("Title"),
            "description": header.find("Description"),
            "category": header.find("eBay category 1 name", "Category name", "Category", "Category ID",
                                    "eBay category 1 number"),
            "currency": header.find("Currency"),
            "current_price": header.find("Current price"),
            "start_price": header.find("StartPrice", "Start price", "Price", "Fixed price"),
            "buy_it_now": header.find("BuyItNowPrice", "Auction Buy It Now price"),
            "quantity": header.find("Available quantity", "Quantity"),
            "weight_major": header.find("WeightMajor"),
            "weight_minor": header.find("WeightMinor"),
            "weight_unit": header.find("WeightUnit", "MeasurementUnit"),
            "length": header.find("PackageLength"),
            "width": header.find("PackageWidth"),
            "depth": header.find("PackageDepth"),
        }

    @staticmethod
    def _item_specifics(header: Header) -> list[str]:
        """Item specifics (`C:Material`, `C:Color`, `*C:Brand`): attribute values of the listing."""
        return header.find_all_matching(r"c:")

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"Title": names["title"]})
        return present([*names.values(), *self._item_specifics(header)])

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        return present([names[key] for key in ("current_price", "start_price", "buy_it_now")])

    def group_column(self, header: Header) -> str | None:
        return self._names(header)["item"]

    @staticmethod
    def is_footer(text: str) -> bool:
        return bool(FOOTER.match(text))

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        action = names["action"] or ""
        site = dict(re.findall(r"(\w+)=([^|)]*)", action))
        english_site = site.get("Country", site.get("SiteID", "US")).upper() in {"US", "0", "ELGIN"}

        first_cell = col(names["item"] or names["sku"] or names["title"])
        footer = first_cell.str.contains(FOOTER_PATTERN).fill_null(False)
        item = col(names["item"])
        variation = blank_as_null(col(names["variation"]))
        rows_of_item = pl.len().over(item)
        has_variations = pl.lit(names["variation"] is not None)
        is_parent = item.is_not_null() & (rows_of_item > 1) & variation.is_null() & has_variations
        skipped = pl.concat(
            [
                skipped_where(frame, footer, pl.lit("eBay report footer line, not a listing")),
                skipped_where(frame, ~footer & is_parent.fill_null(False), pl.lit(
                    "eBay multi-variation listing: its variations are listed on their own rows"
                )),
            ],
            how="vertical",
        )
        listings = frame.filter(~footer).with_columns(rows_of_item.alias("_rows_of_item"))
        listings = listings.filter(~(is_parent.fill_null(False)))
        listing_id = pl.when(variation.is_not_null() & (pl.col("_rows_of_item") > 1)).then(
            pl.format("{}:{}", item, variation)
        ).otherwise(blank_as_null(item))

        price_names = [names[key] for key in ("current_price", "start_price", "buy_it_now") if names[key]]
        comma = any(decimal_comma(frame, name, context) for name in price_names)
        price_raw = pl.coalesce([col(name) for name in price_names]) if price_names else pl.lit(None, pl.String)
        currency, assumed_currency = currency_expr(
            context, self, column=names["currency"], price=price_raw, header_currency=site.get("Currency") or None
        )
        weight, sides = self._package(names, context, english_site, comma)
        records = listings.select(
            pl.col("_row"),
            listing_id.alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(col(names["category"]), single_line=True).alias("category"),
            plain_text(col(names["description"])).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            weight.alias("weight_kg"),
            sides[0].alias("length_cm"),
            sides[1].alias("width_cm"),
            sides[2].alias("height_cm"),
            count_text(col(names["quantity"])).alias("stock_qty"),
            joined_values([variation, *(pl.col(name) for name in self._item_specifics(header))]).alias("attributes"),
            blank_as_null(item).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([*price_names, names["currency"], names["quantity"], names["weight_major"],
                         names["weight_minor"], names["weight_unit"], names["length"], names["width"], names["depth"]]),
                {"assumed_currency": assumed_currency},
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)

    @staticmethod
    def _package(
        names: dict[str, str | None], context: Context, english_site: bool, decimal_comma: bool
    ) -> tuple[pl.Expr, tuple[pl.Expr, pl.Expr, pl.Expr]]:
        unit_text = col(names["weight_unit"]).str.to_lowercase().str.strip_chars()
        english = (
            pl.when(unit_text.is_in(["lb", "lbs", "english", "imperial", "oz", "in"])).then(True)
            .when(unit_text.is_in(["kg", "kgs", "metric", "g", "cm"])).then(False)
            .otherwise(pl.lit(english_site if context.weight_unit is None else context.weight_unit in {"lb", "oz"}))
        )
        major = parse_number(col(names["weight_major"]), decimal_comma=decimal_comma, currency=False, ranges=False)
        minor = parse_number(col(names["weight_minor"]), decimal_comma=decimal_comma, currency=False, ranges=False)
        kilograms = pl.when(english).then(
            major.fill_null(0) * WEIGHT_TO_KG["lb"] + minor.fill_null(0) * WEIGHT_TO_KG["oz"]
        ).otherwise(major.fill_null(0) * WEIGHT_TO_KG["kg"] + minor.fill_null(0) * WEIGHT_TO_KG["g"])
        given = pl.coalesce(blank_as_null(col(names["weight_major"])), blank_as_null(col(names["weight_minor"])))
        weight = (
            pl.when(given.is_null()).then(None)
            .when((major.is_not_null() | col(names["weight_major"]).is_null())
                  & (minor.is_not_null() | col(names["weight_minor"]).is_null()))
            .then(number_as_text(kilograms))
            .otherwise(given)
        )
        factor = pl.when(english).then(LENGTH_TO_CM["in"]).otherwise(LENGTH_TO_CM["cm"])
        if context.length_unit:
            factor = pl.when(unit_text.is_null()).then(LENGTH_TO_CM[context.length_unit]).otherwise(factor)

        def side(name: str | None) -> pl.Expr:
            if name is None:
                return pl.lit(None, pl.String)
            value = parse_number(pl.col(name), decimal_comma=decimal_comma, currency=False, ranges=False)
            cell = blank_as_null(pl.col(name))
            return pl.when(cell.is_null()).then(None).when(value.is_not_null()).then(
                number_as_text(value * factor)
            ).otherwise(cell)

        return weight, (side(names["length"]), side(names["width"]), side(names["depth"]))
