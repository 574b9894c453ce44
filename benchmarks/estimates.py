"""Accuracy of the weight and box estimates on listings whose declared values are hidden from the estimator.

    python benchmarks/estimates.py [--exports ../shared/data/exports] [--seed 15] [--point upper|median]

Reads the real exports that declare weights and boxes: Olist's products (grams and cm, Portuguese category slugs)
and the hydroponics WooCommerce store (lb and in, titles). Each export's listings with a usable declared weight and
box are split in two halves (seeded): the calibration half gives per-category priors (median and upper quartile of
weight and sorted sides, as benchmarks/calibrate_priors.py computes them), which replace the packaged Olist
priors; the hand-written product-type priors stay. The measured half has its weight and box hidden (null) and is
scored; each estimate is compared with the hidden declared value.

Prints, by basis: n, and the share of estimates within +-30% and within x2 of the declared weight, and the same for
the longest side; then one line:

    RESULT estimates n=.. weight_within_30pct=.. weight_within_2x=.. longest_within_30pct=.. longest_within_2x=..

over every measured listing that got an estimate (basis `none` is counted in n_none, not in the shares).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import polars as pl

from xborder_pipeline.config import Prior, Settings, load_settings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.ingest import IngestOptions, read_listings
from xborder_pipeline.validation import validate_listings

EXPORTS = {
    "olist": ("olist_kaggle/olist_products_dataset.csv", {}),
    "hydroponics": ("hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv", {"weight_unit": "lb",
                                                                                       "length_unit": "in"}),
}
MIN_CALIBRATION_PRODUCTS = 5
SIDES = ("length_cm", "width_cm", "height_cm")


def declared_listings(exports: Path, settings: Settings) -> pl.DataFrame:
    """The exports' valid listings with a declared weight and full box, and which export each came from."""
    frames = []
    for source, (name, options) in EXPORTS.items():
        ingested = read_listings([exports / name], IngestOptions(**options))
        valid = validate_listings(ingested.records, settings, earlier_rejects=ingested.rejects).valid
        frames.append(valid.with_columns(source=pl.lit(source)))
    listings = pl.concat(frames, how="diagonal_relaxed")
    return listings.filter(pl.col("weight_kg") > 0, *(pl.col(side) > 0 for side in SIDES))


def split(listings: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    shuffled = listings.sample(fraction=1.0, shuffle=True, seed=seed).with_row_index("_position")
    calibration = shuffled.filter(pl.col("_position") % 2 == 0).drop("_position")
    measured = shuffled.filter(pl.col("_position") % 2 == 1).drop("_position")
    return calibration, measured


def calibrated_priors(calibration: pl.DataFrame, settings: Settings) -> list[Prior]:
    """The hand-written priors, then one per category of the calibration half (replacing Olist's packaged ones)."""
    sides = [pl.col(side) for side in SIDES]
    measured = calibration.filter(pl.col("category").is_not_null()).select(
        "category",
        "weight_kg",
        longest=pl.max_horizontal(sides),
        shortest=pl.min_horizontal(sides),
        middle=pl.sum_horizontal(sides) - pl.max_horizontal(sides) - pl.min_horizontal(sides),
    )
    measures = ("weight_kg", "longest", "middle", "shortest")
    quartiles = (
        measured.group_by("category")
        .agg(
            pl.len().alias("n"),
            *(pl.col(m).median().alias(f"{m}_median") for m in measures),
            *(pl.col(m).quantile(0.75).alias(f"{m}_upper") for m in measures),
        )
        .filter(pl.col("n") >= MIN_CALIBRATION_PRODUCTS)
        .sort("category")
    )
    calibrated = [
        Prior(
            name=f"calibrated_{row['category']}",
            categories=[row["category"]],
            weight_kg=(row["weight_kg_median"], row["weight_kg_upper"]),
            box_cm_median=(row["longest_median"], row["middle_median"], row["shortest_median"]),
            box_cm_upper=(row["longest_upper"], row["middle_upper"], row["shortest_upper"]),
            source=f"calibration half, {row['n']} listings",
        )
        for row in quartiles.iter_rows(named=True)
    ]
    hand_written = [prior for prior in settings.estimates.priors if not prior.name.startswith("olist_")]
    return hand_written + calibrated


def estimates_of(measured: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    hidden = measured.with_columns(
        declared_weight_kg=pl.col("weight_kg"),
        declared_longest_cm=pl.max_horizontal(*SIDES),
        weight_kg=pl.lit(None, pl.Float64),
        **{side: pl.lit(None, pl.Float64) for side in SIDES},
    )
    featured = with_listing_features(hidden, settings)
    return featured.select(
        "source",
        "weight_basis",
        "dimensions_basis",
        "declared_weight_kg",
        "declared_longest_cm",
        "estimated_weight_kg",
        estimated_longest_cm=pl.max_horizontal("estimated_length_cm", "estimated_width_cm", "estimated_height_cm"),
    )


def shares(estimate: str, declared: str) -> list[pl.Expr]:
    ratio = pl.col(estimate) / pl.col(declared)
    return [
        pl.len().alias("n"),
        ((ratio - 1).abs() <= 0.3).mean().round(3).alias("within_30pct"),
        ((ratio >= 0.5) & (ratio <= 2)).mean().round(3).alias("within_2x"),
    ]


def report(results: pl.DataFrame) -> str:
    lines = []
    for what, basis, estimate, declared in (
        ("weight", "weight_basis", "estimated_weight_kg", "declared_weight_kg"),
        ("longest side", "dimensions_basis", "estimated_longest_cm", "declared_longest_cm"),
    ):
        table = (
            results.filter(pl.col(basis) != "none")
            .group_by("source", basis)
            .agg(*shares(estimate, declared))
            .sort("source", basis)
        )
        nothing = results.filter(pl.col(basis) == "none").group_by("source").len().sort("source")
        lines.append(f"{what} (estimate / hidden declared value):")
        lines.append(str(table))
        lines.append(f"{what}: no basis (none): {dict(nothing.iter_rows())}")
    weight = results.filter(pl.col("weight_basis") != "none").select(*shares("estimated_weight_kg",
                                                                             "declared_weight_kg")).row(0)
    longest = results.filter(pl.col("dimensions_basis") != "none").select(
        *shares("estimated_longest_cm", "declared_longest_cm")
    ).row(0)
    lines.append(
        f"RESULT estimates n={weight[0]} weight_within_30pct={weight[1]} weight_within_2x={weight[2]} "
        f"longest_within_30pct={longest[1]} longest_within_2x={longest[2]}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("XBORDER_SHARED_EXPORTS", str(Path(__file__).resolve().parents[1].parent / "shared" /
                                                             "data" / "exports"))
    parser.add_argument("--exports", type=Path, default=Path(default))
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--point", choices=("upper", "median"), default=None, help="override conservative_point")
    arguments = parser.parse_args()
    if not arguments.exports.is_dir():
        raise SystemExit(f"no exports folder at {arguments.exports}: pass --exports or set XBORDER_SHARED_EXPORTS")
    settings = load_settings()
    listings = declared_listings(arguments.exports, settings)
    calibration, measured = split(listings, arguments.seed)
    estimates = settings.estimates.model_copy(
        update={
            "priors": calibrated_priors(calibration, settings),
            **({"conservative_point": arguments.point} if arguments.point else {}),
        }
    )
    calibrated = settings.model_copy(update={"estimates": estimates})
    print(f"{listings.height:,} listings with declared weight and box; {calibration.height:,} calibrate, "
          f"{measured.height:,} measured (seed {arguments.seed}, point {estimates.conservative_point})")
    with pl.Config(tbl_rows=40, tbl_hide_dataframe_shape=True):
        print(report(estimates_of(measured, calibrated)))


if __name__ == "__main__":
    main()
