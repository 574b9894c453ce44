"""Ingest: turn listing exports into canonical listings with lineage (one adapter per format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.canonical import CANONICAL_FORMATS, read_canonical
from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.validation import REJECT_COLUMNS

__all__ = ["KNOWN_FORMATS", "IngestOptions", "IngestResult", "InputFileError", "read_listings"]

# Every value `--format` accepts.
KNOWN_FORMATS: tuple[str, ...] = CANONICAL_FORMATS

SKIPPED_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class IngestOptions:
    """How to read the input files; every field may be left to auto-detection."""

    file_format: str | None = None  # one of KNOWN_FORMATS; None detects it per file
    mapping_path: Path | None = None  # a TOML mapping of source columns to canonical fields
    weight_unit: str | None = None  # for exports whose headers carry no unit: g, kg, lb, oz
    length_unit: str | None = None  # mm, cm, m, in
    currency: str | None = None  # for exports with prices but no currency column


@dataclass(frozen=True)
class IngestResult:
    """What the adapters made of the input files. Every record read is in exactly one of the three."""

    records: pl.DataFrame  # canonical text columns with lineage, one row per listing record
    skipped: pl.DataFrame  # records that are not listings at all, with the reason (SKIPPED_COLUMNS)
    rejects: pl.DataFrame  # records the adapter could not map (e.g. extra fields), REJECT_COLUMNS

    @property
    def rows_rejected(self) -> int:
        return self.rejects.select("source_file", "source_row").unique().height

    @property
    def rows_read(self) -> int:
        return self.records.height + self.skipped.height + self.rows_rejected


def read_listings(paths: Sequence[Path], options: IngestOptions | None = None) -> IngestResult:
    """All records of all files, as canonical text columns with lineage, in file then record order."""
    options = options or IngestOptions()
    if not paths:
        raise ValueError("no input files given")
    if options.mapping_path is not None or options.weight_unit or options.length_unit or options.currency:
        raise NotImplementedError(
            "not yet: mapping files and unit/currency options arrive with the platform adapters (issue 4)"
        )
    frames = [read_canonical(Path(path), options.file_format) for path in paths]
    return IngestResult(
        records=pl.concat(frames, how="vertical"),
        skipped=pl.DataFrame(schema=SKIPPED_COLUMNS),
        rejects=pl.DataFrame(schema=REJECT_COLUMNS),
    )
