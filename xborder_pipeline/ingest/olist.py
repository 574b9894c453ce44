"""Olist (Brazilian marketplace) product table, as published on Kaggle: `olist_products_dataset.csv`.

Columns: product_id, product_category_name, product_name_lenght, product_description_lenght (sic:
lengths of texts, not sizes), product_photos_qty, product_weight_g, product_length_cm,
product_height_cm, product_width_cm (note the order: length, height, width). There is no title, no
price and no stock: those stay missing. The category is Portuguese; when
`product_category_name_translation.csv` sits next to the file, the English name is used (the
Portuguese one is kept in original_values).

The translation table itself, given as an input, is recognised and its rows are skipped: it holds
category names, not listings.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.base import (
    Adapter,
    Context,
    Converted,
    Header,
    col,
    original_values,
    present,
    require,
    skipped_where,
)
from xborder_pipeline.ingest.text import blank_as_null, measure_text

TRANSLATION_FILE = "product_category_name_translation.csv"


class Olist(Adapter):
    name = "olist"
    marketplace = "olist"
    default_currency = None
    reads_in_pieces = True  # each row on its own; the category translations come from a small side file

    def detect(self, header: Header) -> bool:
        return header.has("product_id") and header.has("product_weight_g", "product_length_cm")

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "id": header.find("product_id"),
            "category": header.find("product_category_name"),
            "weight": header.find("product_weight_g"),
            "length": header.find("product_length_cm"),
            "height": header.find("product_height_cm"),
            "width": header.find("product_width_cm"),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"product_id": names["id"]})
        return present(names.values())

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        translations = _translations(context.path.parent / TRANSLATION_FILE)
        category = blank_as_null(col(names["category"]))
        if translations:
            category = pl.coalesce(
                category.replace_strict(translations, default=None, return_dtype=pl.String), category
            )

        def measure(key: str, unit: str, kind: str) -> pl.Expr:
            return measure_text(col(names[key]), pl.lit(unit, pl.String), kind) if names[key] else pl.lit(None)

        records = frame.select(
            pl.col("_row"),
            blank_as_null(col(names["id"])).alias("listing_id"),
            category.alias("category"),
            blank_as_null(col(names["id"])).alias("product_group"),
            measure("weight", "g", "weight").alias("weight_kg"),
            measure("length", "cm", "length").alias("length_cm"),
            measure("width", "cm", "length").alias("width_cm"),
            measure("height", "cm", "length").alias("height_cm"),
            original_values(
                present([names[key] for key in ("category", "weight", "length", "height", "width")])
            ).alias("original_values"),
        )
        return Converted(records=records)


class OlistCategoryTranslation(Adapter):
    """Olist's category name translation table: recognised so that it is skipped, not misread."""

    name = "olist_category_translation"
    marketplace = "olist"
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        return header.has("product_category_name") and header.has("product_category_name_english") and len(
            header.names
        ) <= 3

    def columns(self, header: Header, context: Context) -> list[str]:
        return [header.names[0]]

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        return Converted(
            records=frame.head(0).select(pl.col("_row")),
            skipped=skipped_where(frame, pl.lit(True), pl.lit(
                f"Olist category name translation table, not listings (read automatically next to the products "
                f"file as {TRANSLATION_FILE})"
            )),
        )


def _translations(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    if not rows or [name.strip() for name in rows[0][:2]] != ["product_category_name", "product_category_name_english"]:
        return {}
    return {row[0].strip(): row[1].strip() for row in rows[1:] if len(row) >= 2 and row[0].strip() and row[1].strip()}
