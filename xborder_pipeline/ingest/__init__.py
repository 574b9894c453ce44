"""Ingest: turn listing exports into canonical listings with lineage (one adapter per format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.canonical import read_canonical
from xborder_pipeline.ingest.errors import InputFileError

__all__ = ["IngestResult", "InputFileError", "read_listings"]

SKIPPED_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class IngestResult:
    records: pl.DataFrame  # canonical text columns with lineage, one row per listing record
    skipped: pl.DataFrame  # records that are not listings at all, with the reason (SKIPPED_COLUMNS)

    @property
    def rows_read(self) -> int:
        return self.records.height + self.skipped.height


def read_listings(paths: Sequence[Path], file_format: str | None = None) -> IngestResult:
    """All records of all files, as canonical text columns with lineage, in file then record order."""
    if not paths:
        raise ValueError("no input files given")
    frames = [read_canonical(Path(path), file_format) for path in paths]
    return IngestResult(records=pl.concat(frames, how="vertical"), skipped=pl.DataFrame(schema=SKIPPED_COLUMNS))
