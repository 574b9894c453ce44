"""Read a sales or order export into sale lines, with every record accounted for.

The file is opened by the ingest layer's reader (encodings, BOMs, delimiters, preambles, field counts:
xborder_pipeline.ingest.reading), its header recognised by one of SALES_ADAPTERS, and each record ends
in exactly one place: a sale line (`lines`), a skip (not a sale: a cancelled order, a blank line, a
footer) or a reject (a line whose units, date or identity cannot be read), in the `rejected_rows` and
`skipped_rows` layout the listings use.

A report with no dates inside (a Business Report) covers the period the user gives: `--sales-period`
for the run, else the first `[[sales_periods]]` entry whose pattern matches the file's name; without
either it is refused as a whole.
"""

from __future__ import annotations

import codecs
import fnmatch
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest import InputFileError
from xborder_pipeline.ingest import _problems as reading_problems
from xborder_pipeline.ingest.base import Header
from xborder_pipeline.ingest.reading import Source, container_of, open_source, unique_names
from xborder_pipeline.sales.adapters import SALES_ADAPTERS, SalesAdapter
from xborder_pipeline.sales.dates import Period, parse_sale_date
from xborder_pipeline.validation import REJECT_COLUMNS

# A sale line as the run spools it and sales_history stores it (before the grain's sums).
SALES_LINE_COLUMNS: dict[str, pl.DataType] = {
    "source_kind": pl.String(),  # the adapter that read it: amazon_business_report, shopify_orders, ...
    "marketplace": pl.String(),
    "seller_id": pl.String(),  # '' when the file names no seller
    "sku": pl.String(),  # the seller's SKU, else the platform's product id
    "listing_id": pl.String(),  # the platform's product id when the file names one
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "units": pl.Int64(),
    "revenue": pl.Float64(),
    "currency": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}
SKIPPED_COLUMNS: dict[str, pl.DataType] = {"source_file": pl.String(), "source_row": pl.Int64(), "reason": pl.String()}


@dataclass(frozen=True)
class SalesFile:
    """One sales file read: sale lines, skips, rejects, and the adapter that read it."""

    lines: pl.DataFrame  # SALES_LINE_COLUMNS
    skipped: pl.DataFrame  # SKIPPED_COLUMNS
    rejects: pl.DataFrame  # REJECT_COLUMNS
    adapter: str
    records: int  # records read: rows with lines + skipped + rejected

    @property
    def rows_rejected(self) -> int:
        return self.rejects.select("source_file", "source_row").unique().height

    @property
    def rows_loaded(self) -> int:
        return self.lines.get_column("source_row").n_unique()


@dataclass(frozen=True)
class SalesPeriodRule:
    """A `[[sales_periods]]` entry: files whose name matches `pattern` (shell-style) cover `period`."""

    pattern: str
    period: Period


def find_sales_adapter(path: Path) -> tuple[SalesAdapter, int] | None:
    """The sales adapter that recognises the file's header and the header's index, or None (a listing export).

    Sales files are delimited text; only a file's first megabyte is read to tell (a listing export of any
    size, Parquet, XLSX or JSON, is not read whole a second time).
    """
    try:
        if container_of(path) != "text":
            return None
        head = open_source(path, encoding=_encoding_of_head(path)).head()
    except (InputFileError, OSError, UnicodeError):
        return None
    return _adapter_in(head)


def _encoding_of_head(path: Path) -> str:
    """The encoding of the file's first megabyte: a BOM, else UTF-8 when it decodes so, else Windows-1252."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _adapter_in(head: list[list[str]]) -> tuple[SalesAdapter, int] | None:
    for index, record in enumerate(head):
        if sum(1 for value in record if value.strip()) < 2:
            continue
        header = Header(unique_names(record))
        for adapter in SALES_ADAPTERS:
            if adapter.detect(header):
                return adapter, index
    return None


def period_for(path: Path, given: Period | None, rules: list[SalesPeriodRule]) -> Period | None:
    """The period of a file with no dates: the run's --sales-period, else the first rule matching its name."""
    if given is not None:
        return given
    return next((rule.period for rule in rules if fnmatch.fnmatch(path.name, rule.pattern)), None)


def read_sales_file(
    path: Path,
    period: Period | None = None,
    rules: list[SalesPeriodRule] | None = None,
    max_whole_file_bytes: float = float("inf"),
) -> SalesFile:
    """The file's sale lines, skips and rejects. An InputFileError when it is no sales export, is too large
    to read whole, or is a report without dates whose period nobody gave."""
    size = path.stat().st_size if path.is_file() else 0
    if size > max_whole_file_bytes:
        raise InputFileError(
            path,
            f"is a sales file of {size / 1e6:,.1f} MB, over limits.max_whole_file_mb: sales files are read whole; "
            "split it by month, or raise limits.max_whole_file_mb",
        )
    source: Source = open_source(path)
    found = _adapter_in(source.head())
    if found is None:
        raise InputFileError(path, "is not a sales or order export this tool knows (docs/cookbook.md, feeding sales)")
    adapter, header_index = found
    header = Header(unique_names(source.head()[header_index]))
    file_period = None if adapter.dated else period_for(path, period, rules or [])
    if not adapter.dated and file_period is None:
        raise InputFileError(
            path,
            f"read as {adapter.name}, a report with no dates inside: say which days it covers with "
            "--sales-period FIRST..LAST (e.g. --sales-period 2025-07-07..2025-07-13) or a [[sales_periods]] "
            "entry whose pattern matches the file name; it was not read",
        )
    table = source.table(header_index, adapter.columns(header, path))
    converted = adapter.convert(table.frame, header)
    skipped, read_rejects = reading_problems(table, adapter, path)  # type: ignore[arg-type]
    skipped = pl.concat(
        [skipped, converted.skipped.select(pl.lit(str(path)).alias("source_file"),
                                           pl.col("_row").alias("source_row"), "reason")],
        how="vertical",
    )
    lines, rejects = _checked(converted.lines, adapter, path, file_period)
    rejects = pl.concat([read_rejects, rejects], how="vertical").sort("source_row")
    rejected_rows = rejects.get_column("source_row")
    lines = lines.filter(~pl.col("source_row").is_in(rejected_rows.implode()))
    records = (
        pl.concat([lines.get_column("source_row"), skipped.get_column("source_row"), rejected_rows]).n_unique()
    )
    return SalesFile(lines=lines, skipped=skipped.sort("source_row"), rejects=rejects, adapter=adapter.name,
                     records=records)


def _checked(
    lines: pl.DataFrame, adapter: SalesAdapter, path: Path, period: Period | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines with their period and key resolved, and the rejects of those that cannot be counted."""
    period_parts = pl.col("period_text").str.split("..")
    own_start = parse_sale_date(period_parts.list.get(0, null_on_oob=True))
    own_end = parse_sale_date(period_parts.list.get(1, null_on_oob=True))
    frame = lines.with_columns(
        sku_key=pl.coalesce("sku", "listing_id"),
        period_start=pl.coalesce(
            pl.col("order_date"), own_start, pl.lit(period.start if period else None, pl.Date)
        ),
        period_end=pl.coalesce(pl.col("order_date"), own_end, pl.lit(period.end if period else None, pl.Date)),
        whole_units=(pl.col("units") >= 0) & (pl.col("units") == pl.col("units").round(0)),
    )
    checks = [
        ("sku", "identified", pl.col("sku_key").is_null(), pl.lit(None, pl.String),
         "the sale line names neither a SKU nor a listing id, so it cannot be matched to a product"),
        ("marketplace", "not_null", pl.col("marketplace").is_null(), pl.lit(None, pl.String),
         "the sale line names no marketplace"),
        ("units", "whole_non_negative", pl.col("units").is_null() | ~pl.col("whole_units").fill_null(False),
         pl.col("units_text"), "units sold must be a whole number of 0 or more"),
        ("order_date", "date_parses",
         pl.col("period_start").is_null() & pl.col("period_text").is_null(), pl.col("date_text"),
         "the sale's date is missing or not a date (expected e.g. 2025-07-21, 7/21/25 or Jul-21-25)"),
        ("period", "period_parses",
         pl.col("period_text").is_not_null() & pl.col("order_date").is_null()
         & (own_start.is_null() | own_end.is_null() | (own_end < own_start)).fill_null(True),
         pl.col("period_text"), "period_start and period_end must be ISO dates, the end not before the start"),
    ]
    rejects = pl.concat(
        [
            frame.filter(condition).select(
                pl.lit(str(path)).alias("source_file"),
                pl.col("_row").cast(pl.Int64).alias("source_row"),
                pl.lit(column).alias("column_name"),
                pl.lit(check).alias("check_name"),
                value.cast(pl.String).alias("failure_value"),
                pl.lit(message).alias("message"),
            )
            for column, check, condition, value, message in checks
        ],
        how="vertical",
    ).select(list(REJECT_COLUMNS))
    good = frame.select(
        pl.lit(adapter.name).alias("source_kind"),
        pl.col("marketplace"),
        pl.col("seller_id").fill_null(""),
        pl.col("sku_key").alias("sku"),
        pl.col("listing_id"),
        "period_start",
        "period_end",
        pl.col("units").round(0).cast(pl.Int64, strict=False),
        "revenue",
        "currency",
        pl.lit(str(path)).alias("source_file"),
        pl.col("_row").cast(pl.Int64).alias("source_row"),
    )
    return good, rejects
