"""Read an export file into a header and text rows, whatever its container, encoding and delimiter.

Delimited text is parsed so that every record's field count is checked: a record with more or fewer
fields than the header is reported, never silently shifted or padded. UTF-8 files whose header is the
first record go through pyarrow's CSV parser (single-threaded, so that it numbers each malformed
record); everything else, and anything pyarrow stumbles on, through Python's csv module, streaming in
chunks. Both follow the same quoting rules and give the same result.

Encodings: a BOM wins (UTF-8, UTF-16); else UTF-8 when the whole file decodes as UTF-8, else GB18030
(a superset of GBK) when the bytes read as mostly Chinese, else Windows-1252, else Latin-1. Line endings
LF, CRLF and CR alone are all read; a quoted line break stays inside its field.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.errors import InputFileError

DEFAULT_MAX_FIELD_CHARS = 64 << 20  # limits.max_field_mb of the default configuration

HEAD_RECORDS = 60  # records read before the header is chosen (report preambles are shorter than this)
CHUNK_ROWS = 100_000
_SNIFF_BYTES = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")

CONTAINER_BY_SUFFIX: dict[str, str] = {
    ".csv": "text",
    ".txt": "text",
    ".tsv": "text",
    ".tab": "text",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
}


@dataclass
class RowProblems:
    """Records that are not read as rows: malformed ones (rejected) and blank ones (skipped)."""

    # (source_row, field count, its first text, line breaks inside it)
    malformed: list[tuple[int, int, str, int]] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)


@dataclass
class Table:
    """A file's header and its data rows as text; `_row` is the 1-based record number after the header."""

    header: list[str]  # unique names, in file order
    frame: pl.DataFrame  # the requested columns as String (blank as null), plus `_row` Int64
    problems: RowProblems
    expected_fields: int


class Source:
    """An opened export: the first records (to find the header in) and a way to read the rest."""

    container: str
    encoding: str | None = None
    delimiter: str | None = None

    def head(self) -> list[list[str]]:
        raise NotImplementedError

    def table(self, header_index: int, columns: list[str]) -> Table:
        raise NotImplementedError

    def tables(self, header_index: int, columns: list[str], batch_rows: int) -> Iterator[Table]:
        """The same rows as `table`, in consecutive pieces where the container allows reading it so.

        Row numbers and problems are those of the whole file. Here: the whole table in one piece.
        """
        yield self.table(header_index, columns)

    def streams(self) -> bool:
        """Whether `tables` reads the file in pieces (else it reads it whole, as `table`)."""
        return False


def container_of(path: Path) -> str:
    """What kind of file this is, from its first bytes, else its extension."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PAR1"):
        return "parquet"
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    by_suffix = CONTAINER_BY_SUFFIX.get(path.suffix.lower())
    if by_suffix in {"json", "ndjson"}:
        return by_suffix
    return "text"


def open_source(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, container: str | None = None
) -> Source:
    """The file opened by its container (detected unless given): text, xlsx, parquet, json or ndjson."""
    if not path.is_file():
        raise InputFileError(path, "no such file")
    container = container or container_of(path)
    if container == "text":
        return TextSource(path, encoding=encoding, delimiter=delimiter)
    if container == "xlsx":
        return SpreadsheetSource(path)
    return FrameSource(path, container)


def unique_names(names: list[str]) -> list[str]:
    """Header names made unique: a repeated `Brands` becomes `Brands`, `Brands (2)`; blanks get a name."""
    seen: dict[str, int] = {}
    unique: list[str] = []
    for position, raw in enumerate(names, start=1):
        name = raw.replace("\ufeff", "").strip() or f"(column {position})"
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique.append(name if count == 1 else f"{name} ({count})")
    return unique


# ----------------------------------------------------------------------------------- delimited text


def sniff_encoding(path: Path) -> str:
    """The file's text encoding (see the module notes); a binary file is an InputFileError."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        # UTF-16 without a BOM: zeros in every other byte, and the whole file decodes (random bytes may not)
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even) and _decodes_whole(path, "utf-16-le"):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd) and _decodes_whole(path, "utf-16-be"):
            return "utf-16-be"
        raise InputFileError(path, "is not a text export (it holds binary data); expected CSV, XLSX, Parquet or JSON")
    if _decodes_whole(path, "utf-8"):
        return "utf-8"
    if _mostly_chinese(head) and _decodes_whole(path, "gb18030"):
        return "gb18030"
    if _decodes_whole(path, "cp1252"):
        return "cp1252"
    return "latin-1"


def _decodes_whole(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(16 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_chinese(head: bytes) -> bool:
    text = head.decode("gb18030", errors="replace")
    wide = [char for char in text if ord(char) > 127]
    if not wide:
        return False
    chinese = sum(1 for char in wide if "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f"
                  or "\uff00" <= char <= "\uffef")
    return chinese >= 0.6 * len(wide)


def sniff_delimiter(sample: str) -> str:
    """The delimiter giving the most columns with consistent record lengths in a sample of the text."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        lengths = [len(record) for record in _sample_records(sample, delimiter) if record]
        if not lengths:
            continue
        mode = max(set(lengths), key=lengths.count)
        share = lengths.count(mode) / len(lengths)
        if mode < 2 or share < 0.5:
            continue
        score = (mode, lengths.count(mode))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_records(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) >= 40:
                break
    except csv.Error:
        pass
    if len(records) > 1 and len(records) < 40:
        records = records[:-1]  # the sample may cut the last record short
    return records


class TextSource(Source):
    container = "text"

    # Larger files are read in pieces by `tables`; set by the caller from run.stream_files_over_mb.
    stream_over_bytes: float = float("inf")
    # A longer field fails the file (an unclosed quote); set by the caller from limits.max_field_mb.
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or sniff_encoding(path)
        with self._open() as handle:
            sample = handle.read(64 << 10)
        if not sample.strip():
            raise InputFileError(path, "is empty: there is no header and no record")
        self.delimiter = delimiter or sniff_delimiter(sample)
        self._head: list[list[str]] | None = None

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.encoding, newline="", errors="strict")  # noqa: SIM115

    def _records(self, handle: io.TextIOWrapper) -> Iterator[list[str]]:
        csv.field_size_limit(self.max_field_chars)
        reader = csv.reader(handle, delimiter=self.delimiter, strict=False)
        try:
            yield from reader
        except UnicodeDecodeError as error:
            raise InputFileError(self.path, f"cannot be decoded as {self.encoding}: {error.reason}") from None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise InputFileError(
                    self.path,
                    f"has a field longer than limits.max_field_mb ({self.max_field_chars / (1 << 20):g} MB) in the "
                    f"record that ends at line {reader.line_num}; is a quote left open? Nothing of the file was "
                    "scored",
                ) from None
            raise InputFileError(self.path, f"cannot be read as delimited text: {error}") from None

    def head(self) -> list[list[str]]:
        if self._head is None:
            records: list[list[str]] = []
            with self._open() as handle:
                for record in self._records(handle):
                    records.append(record)
                    if len(records) >= HEAD_RECORDS:
                        break
            self._head = records
        return self._head

    def table(self, header_index: int, columns: list[str]) -> Table:
        if header_index == 0 and self.encoding in {"utf-8", "utf-8-sig"}:
            fast = _collect_arrow(self.path, self.delimiter or ",", unique_names(self.head()[0]), columns)
            if fast is not None:
                return fast
        with self._open() as handle:
            records = self._records(handle)
            header: list[str] | None = None
            for index, record in enumerate(records):
                if index == header_index:
                    header = unique_names(record)
                    break
            if header is None:
                raise InputFileError(self.path, "has no header row")
            return _collect(records, header, columns)

    def streams(self) -> bool:
        return self.path.stat().st_size > self.stream_over_bytes

    def tables(self, header_index: int, columns: list[str], batch_rows: int) -> Iterator[Table]:
        """Files up to `stream_over_bytes` in one piece (the fast reader); larger ones in chunks of
        `batch_rows` records from the exact reader, so that memory does not grow with the file."""
        if not self.streams():
            yield self.table(header_index, columns)
            return
        with self._open() as handle:
            records = self._records(handle)
            header: list[str] | None = None
            for index, record in enumerate(records):
                if index == header_index:
                    header = unique_names(record)
                    break
            if header is None:
                raise InputFileError(self.path, "has no header row")
            collecting = gc.isenabled()
            gc.disable()
            try:
                first = 1
                while True:
                    piece = _collect_chunks(islice(records, batch_rows), header, columns, first_number=first)
                    rows_in_piece = piece.frame.height + len(piece.problems.blank) + len(piece.problems.malformed)
                    if rows_in_piece == 0:
                        if first == 1:  # a header and no record: one empty piece, as `table` gives
                            yield piece
                        return
                    first += rows_in_piece
                    yield piece
            finally:
                if collecting:
                    gc.enable()


def _collect(records: Iterator[list[str]], header: list[str], columns: list[str]) -> Table:
    """The rows after the header, field counts checked, as a frame of the requested columns.

    Records are taken in chunks; per-record checks run as C-level `map`s, and the chunk is transposed
    with `zip`, so that a million-row file spends its time in the csv parser, not in Python loops.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small lists would trigger the cycle collector again and again
    try:
        return _collect_chunks(records, header, columns)
    finally:
        if collecting:
            gc.enable()


def _collect_chunks(
    records: Iterator[list[str]], header: list[str], columns: list[str], first_number: int = 1
) -> Table:
    expected = len(header)
    positions = [header.index(name) for name in columns]
    problems = RowProblems()
    frames: list[pl.DataFrame] = []
    first = first_number
    while chunk := list(islice(records, CHUNK_ROWS)):
        numbers = range(first, first + len(chunk))
        first += len(chunk)
        lengths = list(map(len, chunk))
        filled = list(map(any, chunk))
        if lengths.count(expected) == len(chunk) and all(filled):
            frames.append(_frame(chunk, numbers, columns, positions))
            continue
        good: list[list[str]] = []
        good_numbers: list[int] = []
        for number, record, fields, has_text in zip(numbers, chunk, lengths, filled, strict=True):
            if fields == expected and has_text:
                good.append(record)
                good_numbers.append(number)
            elif not any(field.strip() for field in record):
                problems.blank.append(number)
            else:
                preview = next((field.strip() for field in record if field.strip()), "")[:200]
                breaks = sum(field.count("\n") for field in record)
                problems.malformed.append((number, fields, preview, breaks))
        frames.append(_frame(good, good_numbers, columns, positions))
    if not frames:
        frames.append(_frame([], [], columns, positions))
    return Table(header=header, frame=pl.concat(frames, how="vertical"), problems=problems, expected_fields=expected)


class _UnnumberedRow(Exception):
    """pyarrow could not say which record a malformed row was: use the exact, slower reader."""


def _collect_arrow(path: Path, delimiter: str, header: list[str], columns: list[str]) -> Table | None:
    """The same Table as `_collect`, read by pyarrow's CSV parser (about five times faster).

    Single-threaded so that pyarrow numbers each malformed record; any surprise (an unnumbered record,
    a field longer than a block, an encoding error) returns None and the csv-module reader takes over.
    Quoting rules are the same as the csv module's: `"` quotes, `""` escapes a quote, quoted line breaks
    stay in their field.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list[tuple[int, int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if row.number is None or row.number < 2:
            raise _UnnumberedRow
        invalid.append((row.number - 1, row.actual_columns, row.text or ""))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, skip_rows=1, column_names=header, block_size=32 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False, newlines_in_values=True,
                ignore_empty_lines=False, invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (_UnnumberedRow, pa.ArrowException, UnicodeDecodeError, ValueError, OSError):
        return None
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    problems = RowProblems()
    for number, fields, text in invalid:
        if not text.replace(delimiter, "").strip():
            problems.blank.append(number)
        else:
            preview = next((part.strip() for part in text.split(delimiter) if part.strip()), "")[:200]
            problems.malformed.append((number, fields, preview, text.count("\n")))
    total = frame.height + len(invalid)
    bad = {number for number, _, _ in invalid}
    numbers = pl.Series("_row", [n for n in range(1, total + 1) if n not in bad] if bad else range(1, total + 1),
                        dtype=pl.Int64)
    frame = frame.with_columns(numbers)
    empty = pl.all_horizontal(pl.col(name) == "" for name in header) if header else pl.lit(False)
    problems.blank = sorted([*problems.blank, *frame.filter(empty).get_column("_row").to_list()])
    frame = frame.filter(~empty).select(
        *(pl.when(pl.col(name).str.strip_chars().str.len_chars() > 0).then(pl.col(name).str.strip_chars()).alias(name)
          for name in columns),
        pl.col("_row"),
    )
    return Table(header=header, frame=frame, problems=problems, expected_fields=len(header))


def _frame(rows: list[list[str]], numbers: Sequence[int], columns: list[str], positions: list[int]) -> pl.DataFrame:
    transposed = list(zip(*rows, strict=True)) if rows else [()] * (max(positions, default=-1) + 1)
    frame = pl.DataFrame(
        [pl.Series(name, transposed[position], dtype=pl.String) for name, position in zip(columns, positions,
                                                                                          strict=True)],
        schema=dict.fromkeys(columns, pl.String),
    )
    frame = frame.with_columns(
        pl.when(pl.col(name).str.strip_chars().str.len_chars() > 0).then(pl.col(name).str.strip_chars()).alias(name)
        for name in columns
    )
    return frame.with_columns(pl.Series("_row", list(numbers), dtype=pl.Int64))


# -------------------------------------------------------------------------------------- spreadsheets


class SpreadsheetSource(Source):
    """An XLSX (or XLS) workbook: the first sheet whose header an adapter recognises is read."""

    container = "xlsx"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            import fastexcel
        except ImportError:  # pragma: no cover - fastexcel is a declared dependency
            raise InputFileError(path, "reading spreadsheets needs the fastexcel package") from None
        try:
            reader = fastexcel.read_excel(str(path))
            self.sheets = [
                reader.load_sheet(name, header_row=None, dtypes="string").to_polars() for name in reader.sheet_names
            ]
        except Exception as error:  # fastexcel raises its own error types for broken workbooks
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise InputFileError(path, f"cannot be read as a spreadsheet: {first_line}") from None
        if not self.sheets:
            raise InputFileError(path, "has no sheet")
        self.sheet = 0

    def sheet_heads(self) -> list[list[list[str]]]:
        return [_rows_as_text(sheet.head(HEAD_RECORDS)) for sheet in self.sheets]

    def head(self) -> list[list[str]]:
        return self.sheet_heads()[self.sheet]

    def table(self, header_index: int, columns: list[str]) -> Table:
        sheet = self.sheets[self.sheet]
        header = unique_names(_rows_as_text(sheet.slice(header_index, 1))[0])
        body = sheet.slice(header_index + 1)
        body.columns = header
        records = iter(_rows_as_text(body))
        return _collect(records, header, columns)


def _rows_as_text(frame: pl.DataFrame) -> list[list[str]]:
    return [["" if value is None else str(value) for value in row] for row in frame.iter_rows()]


# ------------------------------------------------------------------------- Parquet, JSON and NDJSON


class FrameSource(Source):
    """A Parquet, JSON (array of objects) or NDJSON file: its columns are the header.

    Parquet is opened by its footer only and read whole (`table`) or in record batches (`tables`).
    """

    def __init__(self, path: Path, container: str) -> None:
        self.path = path
        self.container = container
        self._raw: pl.DataFrame | None = None
        if container == "parquet":
            import pyarrow.parquet as pq

            try:
                # Without pre-buffering: with it, pyarrow keeps every record batch's buffers for the
                # reader's life (955 MB after 120 row groups of 250k listings; 106 MB without).
                self._parquet = pq.ParquetFile(path, pre_buffer=False)
            except Exception as error:  # pyarrow raises several error types for a broken file
                raise InputFileError(path, f"cannot be read as parquet: {_first_line(error)}") from None
            self._columns = list(self._parquet.schema_arrow.names)
        else:
            self._columns = list(self.raw.columns)

    @property
    def raw(self) -> pl.DataFrame:
        """The whole file, every column as text."""
        if self._raw is None:
            try:
                if self.container == "parquet":
                    raw = pl.read_parquet(self.path)
                elif self.container == "json":
                    raw = pl.read_json(self.path, infer_schema_length=None)
                else:
                    raw = pl.read_ndjson(self.path, infer_schema_length=None)
            except (pl.exceptions.PolarsError, OSError, ValueError, json.JSONDecodeError) as error:
                raise InputFileError(self.path, f"cannot be read as {self.container}: {_first_line(error)}") from None
            self._raw = raw.select(_as_text(raw, name) for name in raw.columns)
        return self._raw

    def head(self) -> list[list[str]]:
        return [list(self._columns)]

    def table(self, header_index: int, columns: list[str]) -> Table:
        return self._table(self.raw, columns, first_number=1)

    def streams(self) -> bool:
        return self.container == "parquet"

    def tables(self, header_index: int, columns: list[str], batch_rows: int) -> Iterator[Table]:
        if self.container != "parquet":
            yield self.table(header_index, columns)
            return
        first = 1
        try:
            for piece in self._pieces(columns, batch_rows):
                piece = piece.select(_as_text(piece, name) for name in piece.columns)
                yield self._table(piece, columns, first_number=first)
                first += piece.height
            if first == 1:  # no row at all: one empty piece, as `table` gives
                yield self._table(pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), columns, first_number=1)
        except (OSError, ValueError, pl.exceptions.PolarsError) as error:  # pyarrow's ArrowException: the first two
            raise InputFileError(self.path, f"cannot be read as parquet: {_first_line(error)}") from None

    def _pieces(self, columns: list[str], batch_rows: int) -> Iterator[pl.DataFrame]:
        """The file's rows, `batch_rows` at a time. Polars reads them (its threads decode a piece's columns together,
        twice as fast as pyarrow's record batches) when no row group is larger than a piece, so that each piece
        decodes only its own row groups; a file of larger row groups is read by pyarrow's record batches, which
        decode a row group once."""
        metadata = self._parquet.metadata
        largest = max((metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)), default=0)
        if largest > batch_rows:
            for batch in self._parquet.iter_batches(batch_size=batch_rows, columns=columns):
                piece = pl.from_arrow(batch)
                assert isinstance(piece, pl.DataFrame)
                yield piece
            return
        scan = pl.scan_parquet(self.path).select(columns)
        for offset in range(0, metadata.num_rows, batch_rows):
            yield scan.slice(offset, batch_rows).collect()

    def _table(self, raw: pl.DataFrame, columns: list[str], first_number: int) -> Table:
        frame = raw.select(columns).with_row_index("_row", offset=first_number)  # blank cells are null (_as_text)
        return Table(
            header=list(self._columns),
            frame=frame.with_columns(pl.col("_row").cast(pl.Int64)).select(*columns, "_row"),
            problems=RowProblems(),
            expected_fields=len(self._columns),
        )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _as_text(raw: pl.DataFrame, column: str) -> pl.Expr:
    """A column as text, a blank cell null. A number, boolean or date as text is never blank: only the other columns
    (text, categories, nested values) are checked (a tenth of a second per million listings of a typical export's
    numeric columns)."""
    dtype = raw.schema[column]
    if dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean:
        return pl.col(column).cast(pl.String)
    if dtype == pl.String:
        text = pl.col(column)
    elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
        text = pl.col(column).cast(pl.String, strict=False)
    else:
        text = pl.col(column).cast(pl.String)
    return pl.when(text.str.strip_chars().str.len_bytes() > 0).then(text).alias(column)
