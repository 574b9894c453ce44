"""Per-category packed weight and box quartiles from Olist's product export, as `[[priors]]` TOML entries.

    python benchmarks/calibrate_priors.py ../shared/data/exports/olist_kaggle [--min-products 30] > olist.toml

Olist declares every product's packed weight (g) and box (cm) with a Portuguese category slug: 32,951 products.
For each category with at least --min-products products it prints the median and upper quartile of the weight and
of the longest, middle and shortest side (sides sorted per product, so a box's quartiles are of comparable sides).
The output is pasted into xborder_pipeline/priors.toml; the keywords (English, the languages of traits.md) are
added there by hand.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl


def category_quartiles(folder: Path, min_products: int) -> pl.DataFrame:
    products = pl.read_csv(folder / "olist_products_dataset.csv", infer_schema_length=0)
    names = pl.read_csv(folder / "product_category_name_translation.csv", infer_schema_length=0)
    names = names.rename({names.columns[0]: "product_category_name"})
    sides = [pl.col(c).cast(pl.Float64) for c in ("product_length_cm", "product_height_cm", "product_width_cm")]
    measured = products.select(
        "product_category_name",
        weight_kg=pl.col("product_weight_g").cast(pl.Float64) / 1000,
        longest=pl.max_horizontal(sides),
        shortest=pl.min_horizontal(sides),
        middle=pl.sum_horizontal(sides) - pl.max_horizontal(sides) - pl.min_horizontal(sides),
    ).drop_nulls()
    measured = measured.filter(pl.col("weight_kg") > 0)
    measures = ("weight_kg", "longest", "middle", "shortest")
    stats = [
        *(pl.col(c).median().round(2).alias(f"{c}_median") for c in measures),
        *(pl.col(c).quantile(0.75).round(2).alias(f"{c}_upper") for c in measures),
    ]
    return (
        measured.group_by("product_category_name")
        .agg(pl.len().alias("products"), *stats)
        .filter(pl.col("products") >= min_products)
        .join(names, on="product_category_name", how="left")
        .sort("product_category_name")
    )


def as_toml(quartiles: pl.DataFrame) -> str:
    entries = []
    for row in quartiles.iter_rows(named=True):
        slug = row["product_category_name"]
        english = row.get("product_category_name_english") or slug
        entries.append(
            "\n".join(
                [
                    "[[priors]]",
                    f'name = "olist_{slug}"',
                    f'keywords = ["{slug}", "{english}"]',
                    f"weight_kg = [{row['weight_kg_median']}, {row['weight_kg_upper']}]",
                    f"box_cm_median = [{row['longest_median']}, {row['middle_median']}, {row['shortest_median']}]",
                    f"box_cm_upper = [{row['longest_upper']}, {row['middle_upper']}, {row['shortest_upper']}]",
                    f'source = "Olist products export (Kaggle), {row["products"]} products of category {slug}: '
                    'median and upper quartile, calibrate_priors.py"',
                ]
            )
        )
    return "\n\n".join(entries) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--min-products", type=int, default=30)
    arguments = parser.parse_args()
    print(as_toml(category_quartiles(arguments.folder, arguments.min_products)), end="")


if __name__ == "__main__":
    main()
