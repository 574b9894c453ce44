"""Ingest: turn listing exports into canonical listings with lineage (one adapter per format).

For each file: open it (delimited text in any common encoding and delimiter, XLSX, Parquet, JSON,
NDJSON), find its header (after any report preamble) and the adapter that recognises it (or the one
`--format` names, or the mapping file), read its records checking each one's field count, and let the
adapter map them to canonical text columns. Every record ends in exactly one of three places:
`records` (a listing), `skipped` (not a listing: an image-only row, a grouped product, a blank line,
a report footer) or `rejects` (a record that cannot be mapped safely, such as one with extra fields).
See docs/adapters.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.alibaba import Alibaba
from xborder_pipeline.ingest.amazon import AmazonAllListings, AmazonFlatFile
from xborder_pipeline.ingest.base import Adapter, Context, Header, title_key
from xborder_pipeline.ingest.canonical import CANONICAL_FORMATS, CONTAINER_OF_FORMAT, FORMAT_OF_CONTAINER, Canonical
from xborder_pipeline.ingest.ebay import Ebay
from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.ingest.etsy import Etsy
from xborder_pipeline.ingest.magento import Magento2
from xborder_pipeline.ingest.mapping import MappingAdapter, MappingFile, load_mapping
from xborder_pipeline.ingest.olist import Olist, OlistCategoryTranslation
from xborder_pipeline.ingest.prestashop import PrestaShop
from xborder_pipeline.ingest.reading import Source, SpreadsheetSource, Table, TextSource, open_source, unique_names
from xborder_pipeline.ingest.shopify import Shopify
from xborder_pipeline.ingest.units import (
    LENGTH_UNITS,
    WEIGHT_UNITS,
    require_currency,
    require_length_unit,
    require_weight_unit,
)
from xborder_pipeline.ingest.woocommerce import WooCommerce, WooCommercePlugin
from xborder_pipeline.schemas.listing import ADAPTER_COLUMNS, CANONICAL_COLUMNS, LINEAGE_COLUMNS
from xborder_pipeline.validation import REJECT_COLUMNS

__all__ = [
    "KNOWN_FORMATS",
    "LENGTH_UNITS",
    "WEIGHT_UNITS",
    "IngestOptions",
    "IngestResult",
    "InputFileError",
    "read_listings",
]

# Tried in this order on each header row; the first that recognises one is used.
ADAPTERS: tuple[Adapter, ...] = (
    Canonical(),
    OlistCategoryTranslation(),
    Olist(),
    Shopify(),
    WooCommerce(),
    WooCommercePlugin(),
    AmazonFlatFile(),
    AmazonAllListings(),
    Ebay(),
    Etsy(),
    Magento2(),
    PrestaShop(),
    Alibaba(),
)
PLATFORM_FORMATS: tuple[str, ...] = tuple(
    adapter.name for adapter in ADAPTERS if adapter.name not in {"canonical", "olist_category_translation"}
)
# Every value `--format` accepts.
KNOWN_FORMATS: tuple[str, ...] = (*PLATFORM_FORMATS, "mapping", *CANONICAL_FORMATS)

SKIPPED_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
}
OUTPUT_COLUMNS: tuple[str, ...] = (*CANONICAL_COLUMNS, *ADAPTER_COLUMNS, *LINEAGE_COLUMNS)


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


@dataclass(frozen=True)
class FileResult:
    records: pl.DataFrame
    skipped: pl.DataFrame
    rejects: pl.DataFrame
    adapter: str


def read_listings(paths: Sequence[Path], options: IngestOptions | None = None) -> IngestResult:
    """All records of all files, as canonical text columns with lineage, in file then record order."""
    options = options or IngestOptions()
    if not paths:
        raise ValueError("no input files given")
    if options.file_format is not None and options.file_format not in KNOWN_FORMATS:
        raise ValueError(f"unknown format {options.file_format!r}; known: {', '.join(KNOWN_FORMATS)}")
    mapping = load_mapping(Path(options.mapping_path)) if options.mapping_path is not None else None
    results = [read_file(Path(path), options, mapping) for path in paths]
    return IngestResult(
        records=pl.concat([result.records for result in results], how="vertical"),
        skipped=pl.concat([result.skipped for result in results], how="vertical"),
        rejects=pl.concat([result.rejects for result in results], how="vertical"),
    )


def read_file(path: Path, options: IngestOptions, mapping: MappingFile | None = None) -> FileResult:
    """One file's records, skips and rejects; `adapter` names the adapter that read it."""
    pieces = list(read_file_in_pieces(path, options, mapping))
    return FileResult(
        records=pl.concat([piece.records for piece in pieces], how="vertical"),
        skipped=pl.concat([piece.skipped for piece in pieces], how="vertical"),
        rejects=pl.concat([piece.rejects for piece in pieces], how="vertical"),
        adapter=pieces[0].adapter,
    )


def read_file_in_pieces(
    path: Path,
    options: IngestOptions,
    mapping: MappingFile | None = None,
    piece_rows: int = 250_000,
    stream_over_bytes: float = float("inf"),
    max_field_chars: int | None = None,
) -> Iterator[FileResult]:
    """One file's records, skips and rejects in consecutive pieces, at least one.

    Files an adapter can convert a piece at a time (canonical layouts) are read in pieces of about
    `piece_rows` records: Parquet by record batch, delimited text when larger than `stream_over_bytes`.
    Platform exports, whose rows refer to each other (variants, parents), come in one piece.
    """
    context = _context(path, options, mapping)
    forced = options.file_format
    if forced == "mapping" and (mapping is None or not mapping.columns):
        raise InputFileError(path, "--format mapping needs --mapping FILE with a [columns] table")
    source = open_source(
        path,
        encoding=mapping.encoding if mapping else None,
        delimiter=mapping.delimiter if mapping else None,
        container=CONTAINER_OF_FORMAT.get(forced or ""),
    )
    if isinstance(source, TextSource):
        source.stream_over_bytes = stream_over_bytes
        if max_field_chars is not None:
            source.max_field_chars = max_field_chars
    adapter, header_index = _choose_adapter(source, path, forced, mapping)
    header = Header(unique_names(source.head()[header_index]))
    columns = adapter.columns(header, context)
    source_format = (
        f"canonical_{FORMAT_OF_CONTAINER[source.container]}" if isinstance(adapter, Canonical) else adapter.name
    )
    tables = (
        source.tables(header_index, columns, piece_rows) if adapter.reads_in_pieces
        else iter([source.table(header_index, columns)])
    )
    for table in tables:
        converted = adapter.convert(table.frame, header, context)
        _check_partition(table, converted.records, converted.skipped, adapter, path)
        records = _finish(converted.records, adapter, source_format, path)
        skipped, rejects = _problems(table, adapter, path)
        skipped = pl.concat(
            [skipped, converted.skipped.select(pl.lit(str(path)).alias("source_file"),
                                               pl.col("_row").alias("source_row"), pl.col("reason"))],
            how="vertical",
        ).sort("source_row")
        yield FileResult(records=records, skipped=skipped, rejects=rejects, adapter=source_format)


def _context(path: Path, options: IngestOptions, mapping: MappingFile | None) -> Context:
    weight = require_weight_unit(options.weight_unit, "--weight-unit")
    length = require_length_unit(options.length_unit, "--length-unit")
    currency = require_currency(options.currency, "--currency")
    from_options = weight or length
    return Context(
        path=path,
        weight_unit=weight or (mapping.weight_unit if mapping else None),
        length_unit=length or (mapping.length_unit if mapping else None),
        currency=currency or (mapping.currency if mapping else None),
        unit_source=(
            "--weight-unit/--length-unit" if from_options or mapping is None else f"mapping {mapping.path.name}"
        ),
    )


def _choose_adapter(source: Source, path: Path, forced: str | None, mapping: MappingFile | None) -> tuple[Adapter, int]:
    """The adapter for the file and the index of its header among the first records."""
    wanted: Adapter | None = None
    if mapping is not None and mapping.columns and forced in (None, "mapping"):
        wanted = MappingAdapter(mapping)
    elif forced in CANONICAL_FORMATS:
        wanted = next(adapter for adapter in ADAPTERS if isinstance(adapter, Canonical))
    elif forced is not None:
        wanted = next(adapter for adapter in ADAPTERS if adapter.name == forced)
    heads = source.sheet_heads() if isinstance(source, SpreadsheetSource) else [source.head()]
    for sheet, head in enumerate(heads):
        if mapping is not None and mapping.header_row is not None:
            candidates = [mapping.header_row - 1] if mapping.header_row - 1 < len(head) else []
        else:
            candidates = list(range(len(head)))
        for index in candidates:
            record = head[index]
            if sum(1 for value in record if value.strip()) < 2 and len(head) > 1:
                continue
            header = Header(unique_names(record))
            for adapter in [wanted] if wanted else ADAPTERS:
                if adapter.detect(header):
                    if isinstance(source, SpreadsheetSource):
                        source.sheet = sheet
                    return adapter, index
    if wanted is not None:
        first = mapping.header_row - 1 if mapping is not None and mapping.header_row is not None else 0
        if not heads[0] or first >= len(heads[0]):
            raise InputFileError(path, "has no header row")
        return wanted, first  # its `columns` names what the header lacks
    first_row = next((row for row in heads[0] if any(value.strip() for value in row)), [])
    shown = ", ".join(value.strip() for value in first_row[:10]) + (", ..." if len(first_row) > 10 else "")
    raise InputFileError(
        path,
        f"cannot tell which export this is from its header ({shown or 'empty'}); use --format with one of "
        f"{', '.join(KNOWN_FORMATS)}, or --mapping FILE to name its columns (see docs/adapters.md)",
    )


def _check_partition(table: Table, records: pl.DataFrame, skipped: pl.DataFrame, adapter: Adapter, path: Path) -> None:
    """An adapter must account for every row it was given exactly once (a defect otherwise, not bad data)."""
    given = table.frame.height
    kept = records.height + skipped.height
    if kept != given or pl.concat([records.get_column("_row"), skipped.get_column("_row")]).n_unique() != given:
        raise RuntimeError(
            f"adapter {adapter.name} lost or repeated records of {path}: {given} in, "
            f"{records.height} listings + {skipped.height} skipped out"
        )


def _finish(records: pl.DataFrame, adapter: Adapter, source_format: str, path: Path) -> pl.DataFrame:
    """The adapter's columns completed to the canonical order, with the default marketplace and lineage."""
    frame = records.with_columns(
        pl.lit(None, pl.String).alias(name)
        for name in (*CANONICAL_COLUMNS, "is_physical", "original_values")
        if name not in records.columns
    ).with_columns(pl.col(name).cast(pl.String) for name in (*CANONICAL_COLUMNS, "is_physical", "original_values"))
    if adapter.marketplace:
        frame = frame.with_columns(pl.coalesce(pl.col("marketplace"), pl.lit(adapter.marketplace)).alias("marketplace"))
    anonymous = pl.col("listing_id").is_null() & pl.col("sku").is_null() & pl.col("title").is_not_null()
    if adapter.identify_by_title and frame.select(anonymous.any()).item():
        keyed = frame.filter(anonymous).select(
            "_row",
            pl.format(
                "{}:title:{}", pl.col("marketplace").fill_null("unknown"),
                pl.col("title").map_batches(title_key, return_dtype=pl.String),
            ).alias("_title_id"),
        )
        frame = frame.join(keyed, on="_row", how="left", maintain_order="left").with_columns(
            pl.coalesce(pl.col("listing_id"), pl.col("_title_id")).alias("listing_id")
        )
    return frame.sort("_row").select(
        *CANONICAL_COLUMNS,
        "is_physical",
        pl.lit(source_format, pl.String).alias("source_format"),
        "original_values",
        pl.lit(str(path), pl.String).alias("source_file"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
    ).select(OUTPUT_COLUMNS)


def _problems(table: Table, adapter: Adapter, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Blank records and report footers (skipped), and records with the wrong number of fields (rejected)."""
    skipped_rows: list[tuple[int, str]] = [(row, "blank line: no values") for row in table.problems.blank]
    rejects: list[dict[str, object]] = []
    is_footer = getattr(adapter, "is_footer", None)
    for row, fields, preview, breaks in table.problems.malformed:
        if is_footer is not None and is_footer(preview):
            skipped_rows.append((row, "report footer line, not a listing"))
            continue
        rejects.append({
            "source_file": str(path),
            "source_row": row,
            "column_name": "(whole record)",
            "check_name": "field_count",
            "failure_value": f"{fields} fields",
            "message": (
                f"the record has {fields} fields but the header has {table.expected_fields} (a stray delimiter "
                "or quote): it is not read, so that no value lands in the wrong column"
                + (f"; it spans {breaks + 1} lines, so an unclosed quote may have joined the records after it"
                   if breaks >= 20 else "")
            ),
        })
    skipped = pl.DataFrame(
        {"source_file": [str(path)] * len(skipped_rows), "source_row": [row for row, _ in skipped_rows],
         "reason": [reason for _, reason in skipped_rows]},
        schema=SKIPPED_COLUMNS,
    )
    return skipped, pl.DataFrame(rejects, schema=REJECT_COLUMNS)
