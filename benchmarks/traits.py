"""How well the trait flags match a hand-labelled set of real listings (issue 14).

    python benchmarks/traits.py [--config FILE] [--show-errors] [--exports DIR] [--labels FILE]

The labels (tests/data/traits/labels.csv, described in tests/data/traits/README.md) name each listing by
its export and `source_row`. This reads those exports where they lie (`../shared/data/exports` next to the
repository, or $XBORDER_SHARED/data/exports) through the project's own adapters, validates them, computes the
features with `with_listing_features` and the configuration (`--config` merges a TOML file over the defaults),
and compares each trait flag with the labels: positives, TP, FP, FN, precision, recall and F1 per trait and
per split (tune, holdout, all). Listings a label marks undecidable are left out, and so are labelled listings
the project rejects in validation (counted and named). `--show-errors` lists the tune split's misses.

The last line is

    RESULT traits fragile_f1=.. liquid_f1=.. battery_f1=.. aerosol_f1=.. magnet_f1=.. [restricted_f1=..]
        [oversize_f1=.. oversize_precision=..]

on the holdout split; restricted_f1 and the oversize figures appear once the features produce `is_restricted`
and `is_oversize`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REPO_ROOT = Path(__file__).resolve().parents[1]
LABELS = REPO_ROOT / "tests" / "data" / "traits" / "labels.csv"
SHARED_ENV_VAR = "XBORDER_SHARED"

# The unit options each export needs (shared/data/exports/README.md): the hydroponics store's WooCommerce
# export has no units in its headers and the store uses pounds and inches.
EXPORT_OPTIONS: dict[str, dict[str, str]] = {
    "hmoonhydro_woocommerce/Products-Export-2025-Oct-29-171532.csv": {"weight_unit": "lb", "length_unit": "in"},
}

# label column -> (feature column, name in the RESULT line)
TRAITS: dict[str, tuple[str, str]] = {
    "fragile": ("is_fragile", "fragile"),
    "liquid": ("is_liquid", "liquid"),
    "battery": ("has_battery", "battery"),
    "aerosol_or_flammable": ("is_aerosol_or_flammable", "aerosol"),
    "magnet": ("has_magnet", "magnet"),
    "restricted": ("is_restricted", "restricted"),
    "oversize": ("is_oversize", "oversize"),
}
LABEL_COLUMNS = ("export", "key", *TRAITS, "restricted_kind", "decidable", "split", "note")
SPLITS = ("tune", "holdout", "all")


@dataclass(frozen=True)
class Counts:
    positives: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.positives if self.positives else None

    @property
    def f1(self) -> float | None:
        """2·TP / (2·TP + FP + FN): the harmonic mean of precision and recall, defined whenever either is."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


def confusion(truth: pl.Series, predicted: pl.Series) -> Counts:
    """Counts of a 0/1 (or boolean) label against a boolean flag; a missing flag counts as not flagged."""
    truth = truth.cast(pl.Boolean)
    predicted = predicted.cast(pl.Boolean).fill_null(False)
    return Counts(
        positives=int(truth.sum()),
        tp=int((truth & predicted).sum()),
        fp=int((~truth & predicted).sum()),
        fn=int((truth & ~predicted).sum()),
    )


def default_exports_dir() -> Path:
    shared = os.environ.get(SHARED_ENV_VAR)
    return (Path(shared) if shared else REPO_ROOT.parent / "shared") / "data" / "exports"


def read_labels(path: Path) -> pl.DataFrame:
    labels = pl.read_csv(path, schema_overrides={"key": pl.Int64, "restricted_kind": pl.String, "note": pl.String})
    missing = [column for column in LABEL_COLUMNS if column not in labels.columns]
    if missing:
        raise SystemExit(f"{path}: the label file lacks column(s) {', '.join(missing)}")
    return labels


def predicted_traits(labels: pl.DataFrame, exports_dir: Path, settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The labelled listings with the project's trait flags, and the labelled listings it rejected.

    Each export is read whole through its adapter (so `source_row` is the project's own), narrowed to the
    labelled rows, validated and given every feature.
    """
    from xborder_pipeline.features import with_listing_features
    from xborder_pipeline.ingest import IngestOptions, read_file
    from xborder_pipeline.validation import validate_listings

    scored: list[pl.DataFrame] = []
    rejected: list[pl.DataFrame] = []
    for export in labels["export"].unique().sort().to_list():
        path = exports_dir / export
        if not path.is_file():
            raise SystemExit(f"labelled export {export} is not in {exports_dir}")
        keys = labels.filter(pl.col("export") == export)["key"]
        records = read_file(path, IngestOptions(**EXPORT_OPTIONS.get(export, {}))).records
        records = records.filter(pl.col("source_row").is_in(keys.implode()))
        checked = validate_listings(records, settings, check_duplicates=False)
        features = with_listing_features(checked.valid, settings)
        flags = [column for column, _ in TRAITS.values() if column in features.columns]
        scored.append(
            features.select(
                pl.lit(export).alias("export"), pl.col("source_row").alias("key"), "title",
                *(pl.col(column).cast(pl.Boolean) for column in flags),
            )
        )
        found = set(checked.valid["source_row"].to_list())
        lost = records.filter(~pl.col("source_row").is_in(list(found)))
        rejected.append(lost.select(pl.lit(export).alias("export"), pl.col("source_row").alias("key"), "title"))
    return pl.concat(scored, how="diagonal"), pl.concat(rejected)


def report(joined: pl.DataFrame, available: list[str]) -> dict[str, dict[str, Counts]]:
    """Counts per split and trait; prints the table."""
    results: dict[str, dict[str, Counts]] = {}
    print(f"{'split':8} {'trait':22} {'pos':>5} {'TP':>5} {'FP':>5} {'FN':>5} {'prec':>6} {'recall':>6} {'F1':>6}")
    for split in SPLITS:
        part = joined if split == "all" else joined.filter(pl.col("split") == split)
        results[split] = {}
        for label, (column, _) in TRAITS.items():
            if column not in available:
                print(f"{split:8} {label:22} {int(part[label].sum()):5d}   n/a (no {column} column yet)")
                continue
            counts = confusion(part[label], part[column])
            results[split][label] = counts
            print(
                f"{split:8} {label:22} {counts.positives:5d} {counts.tp:5d} {counts.fp:5d} {counts.fn:5d} "
                f"{_figure(counts.precision):>6} {_figure(counts.recall):>6} {_figure(counts.f1):>6}"
            )
    return results


def show_errors(joined: pl.DataFrame, available: list[str]) -> None:
    tune = joined.filter(pl.col("split") == "tune")
    for label, (column, _) in TRAITS.items():
        if column not in available:
            continue
        flagged = tune[column].fill_null(False)
        truth = tune[label] == 1
        for kind, rows in (("FN", tune.filter(truth & ~flagged)), ("FP", tune.filter(~truth & flagged))):
            if rows.height == 0:
                continue
            print(f"\n{label} {kind} (tune, {rows.height}):")
            for export, key, title, note in rows.select("export", "key", "title", "note").iter_rows():
                print(f"  {export.split('/')[0]:24} {key:6d}  {(title or '(no title)')[:70]:70}  [{note}]")


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="a TOML file merged over the packaged defaults")
    parser.add_argument("--show-errors", action="store_true", help="list the tune split's false negatives/positives")
    parser.add_argument("--exports", type=Path, default=None,
                        help=f"the real exports (default ../shared/data/exports, or ${SHARED_ENV_VAR}/data/exports)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)

    exports_dir = args.exports or default_exports_dir()
    if not exports_dir.is_dir():
        print(
            f"the real exports are not at {exports_dir}: the trait benchmark reads them where they lie "
            f"(../shared next to the repository); pass --exports DIR or set {SHARED_ENV_VAR}",
            file=sys.stderr,
        )
        return 2

    from xborder_pipeline.config import load_settings

    started = time.perf_counter()
    settings = load_settings(args.config)
    labels = read_labels(args.labels)
    undecidable = labels.filter(pl.col("decidable") == 0).height
    labels = labels.filter(pl.col("decidable") == 1)
    predicted, rejected = predicted_traits(labels, exports_dir, settings)
    available = [column for column, _ in TRAITS.values() if column in predicted.columns]
    joined = labels.join(predicted, on=["export", "key"], how="inner")

    print(f"labelled listings: {labels.height + undecidable} ({undecidable} undecidable, left out); "
          f"scored: {joined.height}; rejected by validation: {rejected.height}")
    for export, key, title in rejected.iter_rows():
        print(f"  rejected: {export} row {key} {title or ''}")
    results = report(joined, available)
    if args.show_errors:
        show_errors(joined, available)
    print(f"\n{time.perf_counter() - started:.1f} s")
    holdout = results["holdout"]
    parts = [f"{name}_f1={_figure(holdout[label].f1)}" for label, (_, name) in TRAITS.items() if label in holdout]
    if "oversize" in holdout:  # measured on the weight and box as well as the text: its precision too
        parts.append(f"oversize_precision={_figure(holdout['oversize'].precision)}")
    print("RESULT traits " + " ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
