"""Draw the candidates of the hand-labelled trait set from the real exports (seeded, reproducible).

Run from the repository root:

    .venv/bin/python tests/data/traits/sample.py [--exports DIR] [--out FILE]

It reads every export through the project's own adapters (so that `source_row` is the row number
the project assigns), draws the candidates described in README.md, and writes them with the text a
labeller needs to read (title, category, description) to FILE, which defaults to a file outside the
repository: the exports' text is not ours to redistribute, only the keys and labels are kept here.

The hint patterns below only *stratify* the draw, so that rare traits (battery, magnet, aerosol)
appear often enough to be measured; they decide no label. Every candidate is labelled by reading it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest import IngestOptions, read_file

SEED = "xborder-traits-2026-12"
HMOON_UNITS = {"weight_unit": "lb", "length_unit": "in"}

# export (folder/file under exports), adapter options, records drawn at random, hint records drawn per hint
EXPORTS: list[tuple[str, dict[str, str], int, int]] = [
    ("hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv", HMOON_UNITS, 250, 40),
    ("hmoonhydro_shopify/products_export_1.csv", {}, 45, 6),
    ("magento2_sample/products.csv", {}, 100, 0),
    ("etsy_eleswood/EtsyListingsDownload.csv", {}, 60, 0),
    ("woocommerce_sample/sample_products.csv", {}, 1_000, 0),
    ("prestashop_sample/products_import.csv", {}, 1_000, 0),
    ("shopify_template/product_template.csv", {}, 1_000, 0),
]
# Larger quotas for one hint in one export, where a trait is rare elsewhere: battery-powered meters and
# timers are few, so the Shopify twin contributes more of them.
HINT_QUOTAS: dict[tuple[str, str], int] = {("hmoonhydro_shopify/products_export_1.csv", "battery"): 20}
# Olist has no titles: categories (as the adapter names them) where the category decides a trait or
# tests one, and how many records to draw from each; then a few from all the others.
OLIST = "olist_kaggle/olist_products_dataset.csv"
OLIST_CATEGORIES: dict[str, int] = {
    "perfumery": 45, "audio": 35, "watches_gifts": 22, "food_drink": 6, "drinks": 6, "food": 5,
    "flowers": 5, "housewares": 6, "health_beauty": 6, "telephony": 6, "electronics": 5,
}
OLIST_OTHERS = 16

# Stratifying hints (broad, English and a few other languages): each draws up to its quota of
# records whose title, category or description matches, on top of the random draw.
HINTS: dict[str, str] = {
    "battery": r"batter|recharg|cordless|lithium|solar|flashlight|meter\b|digital|scale|wireless",
    "magnet": r"magnet|mag.?drive|speaker|headphone|audio",
    "aerosol": r"aerosol|fogger|perfum|co2|propane|butane|alcohol|lighter|fuel|spray",
    "fragile": (
        r"glass|ceramic|bulb|lamp|\bhps\b|halide|mirror|vase|crystal|porcelain|screen|\bt5\b|fluoresc|thermometer"
    ),
    "restricted": r"seed|clone|cannabis|kush|\bcbd\b|knife|blade|tobacco|vape|supplement|auto.?flower",
    "liquid": r"\d\s*(ml|l|lt|gal|qt|oz)\b|solution|liquid|gel\b|\boil\b|concentrate",
}


def _rank(export: str, key: int) -> str:
    """A seeded, platform-independent order of the records: the draw takes the smallest ranks."""
    return hashlib.sha256(f"{SEED}|{export}|{key}".encode()).hexdigest()


def _ranked(records: pl.DataFrame, export: str) -> pl.DataFrame:
    return records.with_columns(
        rank=pl.col("source_row").map_elements(lambda key: _rank(export, key), return_dtype=pl.String)
    ).sort("rank")


def draw(exports_dir: Path) -> pl.DataFrame:
    """The candidates, one row per record: export, key (source_row), stratum and the text to read."""
    picked: list[pl.DataFrame] = []
    for export, options, random_count, hint_count in EXPORTS:
        records = _ranked(read_file(exports_dir / export, IngestOptions(**options)).records, export)
        text = pl.concat_str(
            [pl.col("title"), pl.col("category"), pl.col("description")], separator=" ", ignore_nulls=True
        ).str.to_lowercase()
        chosen = records.head(random_count).with_columns(stratum=pl.lit("random"))
        for hint, pattern in HINTS.items():
            quota = HINT_QUOTAS.get((export, hint), hint_count)
            if quota == 0:
                continue
            rest = records.filter(~pl.col("source_row").is_in(chosen["source_row"].to_list()))
            matches = rest.filter(text.str.contains(pattern)).head(quota)
            chosen = pl.concat([chosen, matches.with_columns(stratum=pl.lit(f"hint:{hint}"))])
        picked.append(chosen.with_columns(export=pl.lit(export)))

    olist = _ranked(read_file(exports_dir / OLIST, IngestOptions()).records, OLIST)
    for category, count in OLIST_CATEGORIES.items():
        chosen = olist.filter(pl.col("category") == category).head(count)
        picked.append(chosen.with_columns(stratum=pl.lit(f"category:{category}"), export=pl.lit(OLIST)))
    others = olist.filter(~pl.col("category").is_in(list(OLIST_CATEGORIES)) | pl.col("category").is_null())
    picked.append(others.head(OLIST_OTHERS).with_columns(stratum=pl.lit("random"), export=pl.lit(OLIST)))

    return pl.concat(
        [p.select("export", pl.col("source_row").alias("key"), "stratum", "listing_id", "title", "category",
                  "description", "original_values") for p in picked]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_exports = Path(os.environ.get("XBORDER_SHARED", Path(__file__).resolve().parents[3].parent / "shared"))
    parser.add_argument("--exports", type=Path, default=default_exports / "data" / "exports")
    parser.add_argument("--out", type=Path, default=Path("/tmp/trait_candidates.parquet"))
    args = parser.parse_args()
    if not args.exports.is_dir():
        print(f"the real exports are not at {args.exports}: pass --exports DIR or set XBORDER_SHARED", file=sys.stderr)
        return 2
    candidates = draw(args.exports)
    candidates.write_parquet(args.out)
    counts = candidates.group_by("export").len().sort("export")
    for export, count in counts.iter_rows():
        print(f"{count:5d}  {export}")
    print(f"{candidates.height:5d}  candidates written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
