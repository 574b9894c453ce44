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
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

import polars as pl

from xborder_pipeline.config import SourceSettings
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
from xborder_pipeline.ingest.pieces import GroupApart, whole_groups
from xborder_pipeline.ingest.prestashop import PrestaShop
from xborder_pipeline.ingest.reading import (
    Source,
    SpreadsheetSource,
    Table,
    TextSource,
    container_of,
    open_source,
    unique_names,
)
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
    marketplace: str | None = None  # instead of the adapter's default; only from a [[sources]] entry
    seller_id: str | None = None  # for exports that name no seller; only from a [[sources]] entry
    # The configuration's [[sources]] entries: the first whose pattern matches a file's name fills in
    # what the options above leave unset (options given explicitly win).
    sources: tuple[SourceSettings, ...] = ()
    source_pattern: str | None = None  # the pattern of the entry applied (set by `for_file`)
    units_from_source: bool = False  # whether that entry gave the weight or length unit

    def for_file(self, path: Path) -> IngestOptions:
        """The options for one file: the first [[sources]] entry matching its name fills in the unset ones."""
        source = matching_source(path, self.sources)
        if source is None:
            return self
        return replace(
            self,
            file_format=self.file_format or source.format,
            mapping_path=self.mapping_path or (Path(source.mapping) if source.mapping else None),
            weight_unit=self.weight_unit or source.weight_unit,
            length_unit=self.length_unit or source.length_unit,
            currency=self.currency or source.currency,
            marketplace=self.marketplace or source.marketplace,
            seller_id=self.seller_id or source.seller_id,
            source_pattern=source.pattern,
            units_from_source=bool((self.weight_unit is None and source.weight_unit)
                                   or (self.length_unit is None and source.length_unit)),
        )


def matching_source(path: Path, sources: Sequence[SourceSettings]) -> SourceSettings | None:
    """The first [[sources]] entry whose glob pattern matches the file's name (case ignored), if any."""
    name = Path(path).name.lower()
    return next((source for source in sources if fnmatchcase(name, source.pattern.lower())), None)


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
    results = [read_file(Path(path), options, mapping) for path in paths]  # each file's [[sources]] entry applied there
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
    max_whole_file_bytes: float = float("inf"),
    max_xlsx_bytes: float = float("inf"),
) -> Iterator[FileResult]:
    """One file's records, skips and rejects in consecutive pieces, at least one.

    Parquet is read by record batch and delimited text larger than `stream_over_bytes` in pieces of
    about `piece_rows` records, with exactly the result of reading the file whole: the adapter first
    surveys the file for what it decides from all of it (decimal commas, WooCommerce's parents), and
    exports whose rows belong together (a Shopify product, an eBay listing's variations) are cut only
    between groups (docs/adapters.md, "Large files"). Files that can only be read whole (XLSX, JSON,
    NDJSON, an export whose groups are not consecutive) fail with an InputFileError when larger than
    `max_xlsx_bytes` (XLSX) or `max_whole_file_bytes`, instead of filling memory.

    The first of `options.sources` whose pattern matches the file's name fills in the options left unset
    (its mapping file too, when no mapping was given).
    """
    options = options.for_file(path)
    if mapping is None and options.mapping_path is not None:
        mapping = load_mapping(Path(options.mapping_path))
    context = _context(path, options, mapping)
    forced = options.file_format
    if forced == "mapping" and (mapping is None or not mapping.columns):
        raise InputFileError(path, "--format mapping needs --mapping FILE with a [columns] table")
    if path.is_file():
        _refuse_whole_container(path, CONTAINER_OF_FORMAT.get(forced or "") or container_of(path),
                                max_whole_file_bytes, max_xlsx_bytes)
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
    tables: Iterator[Table]
    if not source.streams():
        tables = iter([source.table(header_index, columns)])
    elif not adapter.reads_in_pieces:
        _refuse_whole_read(path, f"read as {adapter.name}, it cannot be read in pieces", "Split it into smaller files",
                           max_whole_file_bytes)
        tables = iter([source.table(header_index, columns)])
    else:
        facts = adapter.survey(
            lambda names: (table.frame for table in source.tables(header_index, names, piece_rows)), header, context
        )
        group = adapter.group_column(header)
        if facts.apart is not None and group is not None:
            _refuse_whole_read(path, *_apart(adapter, group, facts.apart), max_whole_file_bytes)
            tables = iter([source.table(header_index, columns)])  # read whole, as Shopify's rows were grouped before
        else:
            context = replace(context, facts=facts)
            tables = source.tables(header_index, columns, piece_rows)
            if group is not None:
                tables = whole_groups(tables, group, adapter.free_null_groups)
    for table in tables:
        converted = adapter.convert(table.frame, header, context)
        _check_partition(table, converted.records, converted.skipped, adapter, path)
        records = _finish(converted.records, adapter, source_format, path, options)
        skipped, rejects = _problems(table, adapter, path)
        skipped = pl.concat(
            [skipped, converted.skipped.select(pl.lit(str(path)).alias("source_file"),
                                               pl.col("_row").alias("source_row"), pl.col("reason"))],
            how="vertical",
        ).sort("source_row")
        yield FileResult(records=records, skipped=skipped, rejects=rejects, adapter=source_format)


def _megabytes(size: float) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _refuse_whole_container(path: Path, container: str, max_whole_file_bytes: float, max_xlsx_bytes: float) -> None:
    """An InputFileError for a spreadsheet or JSON file too large to be read whole (they cannot be streamed)."""
    size = path.stat().st_size
    if container == "xlsx" and size > max_xlsx_bytes:
        raise InputFileError(
            path,
            f"is a {_megabytes(size)} spreadsheet, over limits.max_xlsx_mb ({_megabytes(max_xlsx_bytes)}): a workbook "
            "is read whole into memory, where its cells take many times the file's size, so it was not read. Save "
            "the sheet as CSV (read in pieces, whatever its size), or raise limits.max_xlsx_mb",
        )
    if container in {"json", "ndjson"} and size > max_whole_file_bytes:
        raise InputFileError(
            path,
            f"is {_megabytes(size)} of {container.upper()}, over limits.max_whole_file_mb "
            f"({_megabytes(max_whole_file_bytes)}): JSON and NDJSON files are read whole into memory, so it was not "
            "read. Convert it to Parquet or CSV (read in pieces, whatever their size), or raise "
            "limits.max_whole_file_mb",
        )


def _refuse_whole_read(path: Path, why: str, remedy: str, max_whole_file_bytes: float) -> None:
    """An InputFileError when a large file must be read whole (`why`) and is over limits.max_whole_file_mb."""
    size = path.stat().st_size
    if size > max_whole_file_bytes:
        raise InputFileError(
            path,
            f"{why}; at {_megabytes(size)} it is over limits.max_whole_file_mb ({_megabytes(max_whole_file_bytes)}), "
            f"the largest file read whole into memory, so nothing of it was scored. {remedy}, or raise "
            "limits.max_whole_file_mb",
        )


def _apart(adapter: Adapter, group: str, apart: GroupApart) -> tuple[str, str]:
    """Why a file whose groups are not consecutive must be read whole, and what to do about it."""
    thing = adapter.group_label.split()[0]
    return (
        f"read as {adapter.name}, the rows of each {adapter.group_label} belong together, but those of "
        f"{apart.key!r} are not consecutive (record {apart.row} comes after rows of another {thing}), so the file "
        "cannot be read in pieces",
        f"Sort it by {group!r}, keeping each {thing}'s rows in their order (the platform exports them together)",
    )


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
            f"[[sources]] {options.source_pattern!r}" if options.units_from_source
            else "--weight-unit/--length-unit" if from_options or mapping is None else f"mapping {mapping.path.name}"
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


# The adapter columns an adapter may fill, as text like the canonical ones (source_format is set here).
_ADAPTER_TEXT: tuple[str, ...] = tuple(name for name in ADAPTER_COLUMNS if name != "source_format")


def _finish(
    records: pl.DataFrame, adapter: Adapter, source_format: str, path: Path, options: IngestOptions | None = None
) -> pl.DataFrame:
    """The adapter's columns completed to the canonical order, with the default marketplace and lineage.

    Where the export names no marketplace or seller, a [[sources]] entry's (in `options`) comes first,
    then the adapter's default marketplace.
    """
    frame = records.with_columns(
        pl.lit(None, pl.String).alias(name)
        for name in (*CANONICAL_COLUMNS, *_ADAPTER_TEXT)
        if name not in records.columns
    ).with_columns(pl.col(name).cast(pl.String) for name in (*CANONICAL_COLUMNS, *_ADAPTER_TEXT))
    given = options or IngestOptions()
    if given.seller_id:
        frame = frame.with_columns(pl.coalesce(pl.col("seller_id"), pl.lit(given.seller_id)).alias("seller_id"))
    if given.marketplace or adapter.marketplace:
        frame = frame.with_columns(
            pl.coalesce(pl.col("marketplace"), pl.lit(given.marketplace or adapter.marketplace)).alias("marketplace")
        )
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
        "attributes",
        "product_group",
        "currency_assumed",
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
