"""Assign the `split` column of labels.csv (tune / holdout), seeded and stratified by trait.

    .venv/bin/python tests/data/traits/split.py   # rewrites tests/data/traits/labels.csv in place

Rows are grouped by their rarest positive trait (see STRATA_ORDER; rows without one form their own
group), ordered within the group by a seeded hash of (export, key), and alternately given `tune` and
`holdout`, so that each trait has positives in both halves and the halves are ~50/50.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "labels.csv"
SEED = "xborder-traits-split"
# Rarest first: a row positive for several traits is stratified by the rarest of them.
STRATA_ORDER = ("magnet", "aerosol_or_flammable", "battery", "restricted", "fragile", "liquid")


def stratum(row: dict[str, str]) -> str:
    if row.get("decidable", "1") == "0":
        return "undecidable"
    return next((trait for trait in STRATA_ORDER if row[trait] == "1"), "none")


def assign_splits(rows: list[dict[str, str]]) -> None:
    """Set row["split"] in place."""
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(stratum(row), []).append(row)
    for group in groups.values():
        group.sort(key=lambda row: hashlib.sha256(f"{SEED}|{row['export']}|{row['key']}".encode()).hexdigest())
        for position, row in enumerate(group):
            row["split"] = "tune" if position % 2 == 0 else "holdout"


def main() -> None:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    assign_splits(rows)
    with LABELS.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows: {sum(row['split'] == 'tune' for row in rows)} tune, "
          f"{sum(row['split'] == 'holdout' for row in rows)} holdout")


if __name__ == "__main__":
    main()
