"""Read files already in the canonical layout: CSV, Parquet, JSON (an array of objects) and NDJSON.

Every value comes out as text, with `source_file` and `source_row` added; parsing numbers is the
validation step's job, so that a bad value becomes a reject with its row and column instead of a
failed read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

FORMATS_BY_SUFFIX: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
CANONICAL_FORMATS: tuple[str, ...] = ("csv", "parquet", "json", "ndjson")

# A file must name these columns; any other canonical column it lacks is taken as missing values.
REQUIRED_HEADER_COLUMNS: tuple[str, ...] = (
    "title", "price", "currency", "weight_kg", "length_cm", "width_cm", "height_cm",
)
IDENTITY_COLUMNS: tuple[str, ...] = ("listing_id", "sku")


def detect_format(path: Path) -> str:
    file_format = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if file_format is None:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise InputFileError(
            path, f"cannot tell the format from the extension {path.suffix!r} (known: {known}); use --format"
        )
    return file_format


def read_canonical(path: Path, file_format: str | None = None) -> pl.DataFrame:
    """The file's records as text columns in canonical order, plus adapter and lineage columns."""
    file_format = file_format or detect_format(path)
    if file_format not in CANONICAL_FORMATS:
        raise InputFileError(path, f"unknown format {file_format!r}; known: {', '.join(CANONICAL_FORMATS)}")
    if not path.is_file():
        raise InputFileError(path, "no such file")
    try:
        raw = _read(path, file_format)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputFileError(path, f"cannot be read as {file_format}: {first_line}") from None
    return _to_canonical_text(raw, path, file_format)


def _read(path: Path, file_format: str) -> pl.DataFrame:
    if file_format == "csv":
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    if file_format == "parquet":
        return pl.read_parquet(path)
    if file_format == "json":
        return pl.read_json(path, infer_schema_length=None)
    return pl.read_ndjson(path, infer_schema_length=None)


def _to_canonical_text(raw: pl.DataFrame, path: Path, file_format: str) -> pl.DataFrame:
    header = {name.strip().lstrip("\ufeff").lower(): name for name in raw.columns}
    missing = [column for column in REQUIRED_HEADER_COLUMNS if column not in header]
    if not any(column in header for column in IDENTITY_COLUMNS):
        missing.insert(0, "listing_id or sku")
    if missing:
        raise InputFileError(
            path,
            f"the header lacks required column(s): {', '.join(missing)}. "
            f"Canonical columns are: {', '.join(CANONICAL_COLUMNS)}",
        )
    columns = [
        _as_text(raw, header[name]).alias(name) if name in header else pl.lit(None, pl.String).alias(name)
        for name in (*CANONICAL_COLUMNS, "is_physical")
    ]
    return raw.select(
        *columns,
        pl.lit(f"canonical_{file_format}", pl.String).alias("source_format"),
        pl.lit(None, pl.String).alias("original_values"),
        pl.lit(str(path), pl.String).alias("source_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"),
    )


def _as_text(raw: pl.DataFrame, column: str) -> pl.Expr:
    if raw.schema[column] == pl.String:
        return pl.col(column)
    if isinstance(raw.schema[column], (pl.List, pl.Struct, pl.Array)):
        return pl.col(column).cast(pl.String, strict=False)
    return pl.col(column).cast(pl.String)
