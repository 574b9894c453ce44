"""The hand-labelled trait set (tests/data/traits) is well formed, and the trait benchmark counts right.

The keys are checked against the real exports only where they lie (../shared next to the repository, or
$XBORDER_SHARED); elsewhere that test skips.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from tests.conftest import REPO_ROOT

TRAITS_DIR = REPO_ROOT / "tests" / "data" / "traits"
LABELS = TRAITS_DIR / "labels.csv"
COLUMNS = [
    "export", "key", "fragile", "liquid", "battery", "aerosol_or_flammable", "magnet", "restricted",
    "restricted_kind", "decidable", "split", "note", "oversize",
]
TRAIT_COLUMNS = ["fragile", "liquid", "battery", "aerosol_or_flammable", "magnet", "restricted", "oversize"]
RESTRICTED_KINDS = {"seeds_plants", "cannabis", "food_supplement", "tobacco_vape", "knife_weapon"}
EXPORTS = Path(os.environ.get("XBORDER_SHARED") or REPO_ROOT.parent / "shared") / "data" / "exports"


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_trait_labels_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    return _load(REPO_ROOT / "benchmarks" / "traits.py")


def test_every_row_is_well_formed(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 800
    for number, row in enumerate(rows, start=2):
        where = f"labels.csv line {number}"
        assert row["key"].isdigit() and int(row["key"]) >= 1, where
        assert all(row[column] in {"0", "1"} for column in [*TRAIT_COLUMNS, "decidable"]), where
        assert row["split"] in {"tune", "holdout"}, where
        assert row["note"].strip(), f"{where}: every label names its evidence"
        if row["restricted"] == "1":
            assert row["restricted_kind"] in RESTRICTED_KINDS, where
        else:
            assert row["restricted_kind"] == "", where
        if row["decidable"] == "0":
            assert all(row[column] == "0" for column in TRAIT_COLUMNS), where


def test_no_listing_is_labelled_twice(rows: list[dict[str, str]]) -> None:
    repeated = [key for key, count in Counter((row["export"], row["key"]) for row in rows).items() if count > 1]
    assert repeated == []


def test_each_trait_has_positives_in_both_halves_and_the_split_is_reproducible(rows) -> None:
    decidable = [row for row in rows if row["decidable"] == "1"]
    for trait in TRAIT_COLUMNS:
        for split in ("tune", "holdout"):
            assert sum(row[trait] == "1" for row in decidable if row["split"] == split) >= 10, (trait, split)
    tune = sum(row["split"] == "tune" for row in rows)
    assert abs(tune - (len(rows) - tune)) <= 0.05 * len(rows)

    reassigned = [dict(row, split="") for row in rows]
    _load(TRAITS_DIR / "split.py").assign_splits(reassigned)
    assert [row["split"] for row in reassigned] == [row["split"] for row in rows]


@pytest.mark.skipif(not EXPORTS.is_dir(), reason=f"the shared real exports are not here ({EXPORTS}); keys not checked")
def test_every_key_is_a_record_the_adapters_read(rows: list[dict[str, str]], benchmark: ModuleType) -> None:
    from xborder_pipeline.ingest import IngestOptions, read_file

    by_export: dict[str, set[int]] = {}
    for row in rows:
        by_export.setdefault(row["export"], set()).add(int(row["key"]))
    for export, keys in by_export.items():
        options = IngestOptions(**benchmark.EXPORT_OPTIONS.get(export, {}))
        records = read_file(EXPORTS / export, options).records
        unknown = keys - set(records["source_row"].to_list())
        assert not unknown, f"{export}: labelled rows with no record: {sorted(unknown)[:10]}"


def test_confusion_counts_precision_recall_and_f1(benchmark: ModuleType) -> None:
    truth = pl.Series([1, 1, 0, 0, 1, 0])
    flagged = pl.Series([True, False, True, False, None, False])  # a missing flag is "not flagged"

    counts = benchmark.confusion(truth, flagged)

    assert (counts.positives, counts.tp, counts.fp, counts.fn) == (3, 1, 1, 2)
    assert counts.precision == pytest.approx(0.5)
    assert counts.recall == pytest.approx(1 / 3)
    assert counts.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))  # 0.4


def test_undefined_figures_are_none_not_zero_or_one(benchmark: ModuleType) -> None:
    nothing_flagged = benchmark.confusion(pl.Series([1, 0]), pl.Series([False, False]))
    assert nothing_flagged.precision is None and nothing_flagged.recall == 0 and nothing_flagged.f1 == 0

    nothing_to_find = benchmark.confusion(pl.Series([0, 0]), pl.Series([False, False]))
    assert nothing_to_find.recall is None and nothing_to_find.f1 is None


def test_the_benchmark_says_where_the_exports_should_be(tmp_path, benchmark, capsys) -> None:
    assert benchmark.main(["--exports", str(tmp_path / "absent")]) == 2
    assert "the real exports are not at" in capsys.readouterr().err


@pytest.mark.skipif(not EXPORTS.is_dir(), reason=f"the shared real exports are not here ({EXPORTS}); draw not checked")
def test_the_labelled_listings_are_exactly_the_seeded_draw(rows: list[dict[str, str]]) -> None:
    drawn = _load(TRAITS_DIR / "sample.py").draw(EXPORTS)

    assert set(zip(drawn["export"].to_list(), drawn["key"].to_list(), strict=True)) == {
        (row["export"], int(row["key"])) for row in rows
    }
