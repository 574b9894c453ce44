"""A run in batches, so that memory follows the batch size and not the catalogue.

A run goes through four steps; the first and third work on one piece of the input at a time and may
run in parallel (flows/score_on_dask.py), the second and fourth are one cheap pass each:

1. `stage_partition`: read one input file (Parquet by record batch, large canonical CSV in chunks,
   anything else whole), validate it `run.batch_rows` records at a time, and spool the valid rows,
   rejects and skipped records as Parquet parts;
2. `find_run_wide_facts`: what needs the whole run, from a few columns of the spooled valid rows:
   listing_ids repeated across the run (the first is kept, the others rejected, as in one batch) and
   the boxes several listings share (a sign of placeholder dimensions);
3. `score_part`: features and scores of one spooled part, written as the parts of the tables;
4. `load_run`: one writer, one transaction, DuckDB reading the parts itself.

An incremental run (xborder_pipeline.incremental) stages only the records it has not scored before, and
`plan_rescoring` decides, from the keys stored with each known listing (xborder_pipeline.known_listings), which
listings to score again; only those are scored and loaded.

The spool is a folder per run next to the database (or `run.spool_dir`), removed when the run ends.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from xborder_pipeline.as_of import as_of_date
from xborder_pipeline.config import Settings
from xborder_pipeline.features import SHARED_BOX_COLUMNS, with_listing_features
from xborder_pipeline.features.dimensions import SIDES
from xborder_pipeline.features.fba import FbaCard, load_fba_card
from xborder_pipeline.features.shipping import channel_costs_long
from xborder_pipeline.incremental import (
    LISTING_FINGERPRINT,
    RescorePlan,
    full_plan,
    full_rescore_reason,
    has_column,
    incremental_reason,
    listing_fingerprint,
    scoring_context,
    stored_scoring_context,
    with_input_fingerprint,
)
from xborder_pipeline.ingest import IngestOptions, read_file_in_pieces
from xborder_pipeline.ingest.mapping import load_mapping
from xborder_pipeline.known_listings import (
    PART,
    PLANNED,
    POSITION,
    STORED_INPUT_FINGERPRINT,
    KnownInRun,
    KnownSet,
    box_key,
    hashed_demand,
    key_values,
    known_with_assumed_currency,
    listings_to_check,
    read_known_fingerprints,
    repeated_listing_ids,
    stored_keys,
    to_rescore,
    unnamed_demand,
    with_shared_box_counts,
)
from xborder_pipeline.run_summary import RunSummary, summary_of_run
from xborder_pipeline.sales.dates import Period, parse_period
from xborder_pipeline.sales.demand import empty_demand, sku_demand_lookups, with_sales_demand
from xborder_pipeline.sales.reading import SalesPeriodRule, read_sales_file
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.store.database import (
    CHANNEL_COST_COLUMNS,
    LISTING_COLUMNS,
    SCORE_COLUMNS,
    RunCounts,
    RunRecord,
    attach_store_read_only,
    sql_text,
    write_spooled_run,
)
from xborder_pipeline.validation import REJECT_COLUMNS, validate_listings

SPOOL_FOLDER = ".xborder-spool"
SPOOL_MARKER = "xborder-spool-of-run"  # a file in each run's spool: only such folders are ever removed
FILE_INDEX = "_file_index"
_STAMPS = ("run_id", "scored_at")
SHARED_BOXES_BY_PART = "facts/shared_boxes"  # one folder per valid part (part=<name>), boxes of that part
# Spooled parts are written once and read once, by the next step of the same run: zstd at level 1 writes a
# 250k-listing scores part in about a third of the time of polars' default level, for files 7% larger; LZ4 is no
# faster and 30% larger (docs/performance.md, "Judgement added"). They are read whole, never filtered, so they
# carry no column statistics: computing them cost 0.1 s of the 0.64 s that a part's three outputs take to write.
SPOOL_COMPRESSION = "zstd"
SPOOL_COMPRESSION_LEVEL = 1
SPOOL_STATISTICS = False


@dataclass(frozen=True)
class Spool:
    """A run-scoped folder of Parquet parts: valid/, rejects/, skipped/, facts/, listings/, scores/, channel_costs/."""

    root: Path

    @classmethod
    def create(cls, database: Path, run_id: str, settings: Settings) -> Spool:
        root = spool_base(database, settings) / run_id
        root.mkdir(parents=True, exist_ok=False)
        (root / SPOOL_MARKER).write_text(f"{run_id}\n", encoding="utf-8")
        return cls(root)

    def part(self, kind: str, name: str) -> Path:
        folder = self.root / kind
        folder.mkdir(exist_ok=True)
        return folder / f"{name}.parquet"

    def write(self, frame: pl.DataFrame, kind: str, name: str) -> Path:
        """Write one part of this kind; returns its path."""
        path = self.part(kind, name)
        frame.write_parquet(
            path, compression=SPOOL_COMPRESSION, compression_level=SPOOL_COMPRESSION_LEVEL, statistics=SPOOL_STATISTICS
        )
        return path

    def parts(self, kind: str) -> list[Path]:
        folder = self.root / kind
        return sorted(folder.glob("*.parquet")) if folder.is_dir() else []

    def remove(self) -> None:
        close_run_reader(self)
        shutil.rmtree(self.root, ignore_errors=True)
        _KNOWN_SETS.clear()  # the run's known set, held for its files: not past the run


@contextmanager
def run_reader(spool: Spool, settings: Settings, database: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the run's in-memory DuckDB (within `run.duckdb_memory_limit`, spilling into the spool), with
    the store attached read-only as `store` when the file exists.

    The run's steps before its scoring (its known listings, the run-wide facts, whether the store holds sales, the
    plan) share one DuckDB in a process: making one costs 12-16 ms, and a delta run made four. Each step has a
    connection of its own (its temporary tables and views end with it). `close_run_reader` lets the DuckDB go: the
    plan does when it is done, and the load before it writes the store."""
    reader = _RUN_READERS.get(spool.root)
    if reader is None:
        reader = _RUN_READERS[spool.root] = duckdb.connect(config=_duckdb_settings(spool, settings))
    if database is not None and database.is_file() and not _attaches_store(reader):
        attach_store_read_only(reader, database)
    connection = reader.cursor()
    try:
        connection.execute("set enable_progress_bar = false")
        yield connection
    finally:
        connection.close()


def close_run_reader(spool: Spool) -> None:
    """Let go of the run's reading DuckDB in this process (run_reader), if it holds one: the store is then free."""
    reader = _RUN_READERS.pop(spool.root, None)
    if reader is not None:
        reader.close()


def _attaches_store(reader: duckdb.DuckDBPyConnection) -> bool:
    attached = reader.execute("select count(*) from duckdb_databases() where database_name = 'store'").fetchall()
    return bool(attached[0][0])


_RUN_READERS: dict[Path, duckdb.DuckDBPyConnection] = {}  # each run's reading DuckDB in this process, by its spool


def spool_base(database: Path, settings: Settings) -> Path:
    return Path(settings.run.spool_dir) if settings.run.spool_dir else database.parent / SPOOL_FOLDER


def remove_stale_spools(database: Path, settings: Settings) -> list[Path]:
    """Spools left by runs that were killed; call it holding the database's run lock."""
    base = spool_base(database, settings)
    stale = [folder for folder in base.glob("*") if (folder / SPOOL_MARKER).is_file()] if base.is_dir() else []
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


@dataclass(frozen=True)
class Partition:
    """One input file: the unit one task reads."""

    file_index: int
    path: Path


def partitions(paths: list[Path]) -> list[Partition]:
    return [Partition(file_index=index, path=Path(path)) for index, path in enumerate(paths)]


@dataclass(frozen=True)
class StagedCounts:
    """Records read and where they went. Every record read is valid, rejected or skipped."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    sales_rows: int = 0  # sales records kept as sale lines (the others are rejected or skipped)

    def __add__(self, other: StagedCounts) -> StagedCounts:
        return StagedCounts(
            self.rows_read + other.rows_read,
            self.rows_valid + other.rows_valid,
            self.rows_rejected + other.rows_rejected,
            self.rows_skipped + other.rows_skipped,
            self.sales_rows + other.sales_rows,
        )

    def with_repeats_rejected(self, repeats: int) -> StagedCounts:
        return StagedCounts(self.rows_read, self.rows_valid - repeats, self.rows_rejected + repeats, self.rows_skipped,
                            self.sales_rows)

    def run_counts(self) -> RunCounts:
        return RunCounts(
            rows_read=self.rows_read,
            rows_scored=self.rows_valid,
            rows_rejected=self.rows_rejected,
            rows_skipped=self.rows_skipped,
            sales_rows_loaded=self.sales_rows,
        )


# --- 1. read and validate -----------------------------------------------------------------------------


def stage_partition(partition: Partition, options: IngestOptions, settings: Settings, spool: Spool) -> StagedCounts:
    """Read one file and validate it batch by batch; valid rows, rejects and skips go to the spool.

    Each record's fingerprint is taken from its text as read (xborder_pipeline.incremental). In an incremental run
    (`find_known_records`), a record with a stored fingerprint is a stored listing, known valid: only where it was
    read is kept (spool kind `seen`; the run-wide facts read its stored keys, xborder_pipeline.known_listings), and
    the other records of several batches are validated together (up to `run.batch_rows`: validating costs about
    0.1 s however few the records)."""
    mapping = load_mapping(Path(options.mapping_path)) if options.mapping_path is not None else None
    batch_rows = settings.run.batch_rows
    context = _scoring_context_of_run(spool, settings)
    known = _known_set(spool)
    counts = StagedCounts()
    pl.DataFrame({FILE_INDEX: [partition.file_index], "source_file": [str(partition.path)]},
                 schema={FILE_INDEX: pl.Int32, "source_file": pl.String}).write_parquet(
        spool.part(SOURCE_FILES, f"{partition.file_index:05d}")
    )
    pieces = read_file_in_pieces(
        partition.path, options, mapping, piece_rows=batch_rows,
        stream_over_bytes=settings.run.stream_files_over_mb * 1_000_000,
        max_field_chars=int(settings.limits.max_field_mb * (1 << 20)),
        max_whole_file_bytes=settings.limits.max_whole_file_mb * 1_000_000,
        max_xlsx_bytes=settings.limits.max_xlsx_mb * 1_000_000,
    )
    unvalidated = _Unvalidated(partition, settings, spool)
    batch = 0
    for piece in pieces:
        adapter_rejected = piece.rejects.select("source_file", "source_row").unique().height
        counts += StagedCounts(
            rows_read=piece.records.height + piece.skipped.height + adapter_rejected,
            rows_skipped=piece.skipped.height,
        )
        if not piece.skipped.is_empty():
            spool.write(piece.skipped, "skipped", _name(partition, batch))
        slices = list(piece.records.iter_slices(batch_rows)) or [piece.records]
        for number, records in enumerate(slices):
            name = _name(partition, batch)
            records = records.with_columns(listing_fingerprint(records.columns, context))
            if known is not None:
                positions = known.positions(records.get_column(LISTING_FINGERPRINT).to_numpy())
                is_known = pl.Series(positions >= 0)
                seen = int(is_known.sum())
                if seen:
                    rows = records.get_column("source_row").filter(is_known)
                    _spool_seen(spool, name, positions[positions >= 0], rows)
                    counts += StagedCounts(rows_valid=seen)
                    records = records.filter(~is_known)
            unvalidated.add(name, records, piece.rejects if number == 0 else None)
            if known is None or unvalidated.rows >= batch_rows:
                counts += unvalidated.validate()
            batch += 1
    return counts + unvalidated.validate()


class _Unvalidated:
    """Records of one file waiting to be validated, with the batch each belongs to; validated together, each batch's
    valid rows are spooled as its part (every batch gets one, empty or not), their rejects as one part."""

    def __init__(self, partition: Partition, settings: Settings, spool: Spool) -> None:
        self.partition, self.settings, self.spool = partition, settings, spool
        self.batches: list[tuple[str, pl.DataFrame]] = []
        self.adapter_rejects: list[pl.DataFrame] = []
        self.rows = 0

    def add(self, name: str, records: pl.DataFrame, adapter_rejects: pl.DataFrame | None) -> None:
        self.batches.append((name, records))
        if adapter_rejects is not None and not adapter_rejects.is_empty():
            self.adapter_rejects.append(adapter_rejects)
        self.rows += records.height

    def validate(self) -> StagedCounts:
        if not self.batches:
            return StagedCounts()
        records = pl.concat([records for _, records in self.batches], how="vertical")
        earlier = pl.concat(self.adapter_rejects, how="vertical") if self.adapter_rejects else None
        checked = validate_listings(
            records.drop(LISTING_FINGERPRINT), self.settings, earlier_rejects=earlier, check_duplicates=False
        )
        valid = checked.valid.join(
            records.select("source_row", LISTING_FINGERPRINT), on="source_row", how="left", maintain_order="left"
        ).with_columns(pl.lit(self.partition.file_index, pl.Int32).alias(FILE_INDEX))
        if len(self.batches) == 1:
            self.spool.write(valid, "valid", self.batches[0][0])
        else:
            for name, batch in self.batches:
                rows = batch.select("source_row")
                self.spool.write(valid.join(rows, on="source_row", how="semi", maintain_order="left"), "valid", name)
        if not checked.rejects.is_empty():
            self.spool.write(checked.rejects, "rejects", self.batches[0][0])
        self.batches, self.adapter_rejects, self.rows = [], [], 0
        return StagedCounts(rows_valid=checked.valid.height, rows_rejected=checked.rows_rejected)


KNOWN_FINGERPRINTS = ("facts", "known_fingerprints")  # the store's listing fingerprints, sorted (incremental runs)
SEEN = "seen"  # spool kind, one part per batch: where the batch's known records are in the known set, and their rows
SOURCE_FILES = "source_files"  # spool kind, one part per file read: its _file_index and source_file


def find_known_records(
    spool: Spool, settings: Settings, database: Path, full_refresh: bool = False, context: str | None = None
) -> int:
    """The store's listing fingerprints, sorted (xborder_pipeline.known_listings), when the run may be incremental (the
    scoring context of the last successful run, no full refresh): records of the run with one of them are not
    validated again. Returns how many listings are known; nothing is written when the run scores every listing.
    `context` is the run's scoring context, when the caller has it."""
    context = write_scoring_context(spool, settings, context=context)
    if full_refresh or not database.is_file():
        return 0
    with run_reader(spool, settings, database) as connection:
        if full_rescore_reason(stored_scoring_context(connection, "store"), context, full_refresh) is not None:
            return 0
        if has_column(connection, "listing_keys", LISTING_FINGERPRINT, "store"):
            known = KnownSet.of(read_known_fingerprints(connection))
        else:  # a store of an earlier version: every record is validated, and the run stores their keys
            known = KnownSet.of(pl.Series(LISTING_FINGERPRINT, [], dtype=pl.UInt64))
    path = spool.part(*KNOWN_FINGERPRINTS)
    pl.DataFrame({LISTING_FINGERPRINT: known.fingerprints}, schema={LISTING_FINGERPRINT: pl.UInt64}).write_parquet(
        path, compression="uncompressed", statistics=SPOOL_STATISTICS
    )
    _KNOWN_SETS.clear()
    _KNOWN_SETS[str(path)] = known  # for the run's staging and plan, when in this process
    return known.fingerprints.size


def _is_incremental(spool: Spool) -> bool:
    return spool.part(*KNOWN_FINGERPRINTS).is_file()


def _known_set(spool: Spool) -> KnownSet | None:
    """The known set of an incremental run, or None when the run validates every record. Read once per run and
    process, not once per file: an inbox of many small exports stages each."""
    if not _is_incremental(spool):
        return None
    path = str(spool.part(*KNOWN_FINGERPRINTS))
    if path not in _KNOWN_SETS:
        _KNOWN_SETS.clear()  # one run at a time holds a process's known set
        _KNOWN_SETS[path] = KnownSet(pl.read_parquet(path).get_column(LISTING_FINGERPRINT).to_numpy())
    return _KNOWN_SETS[path]


_KNOWN_SETS: dict[str, KnownSet] = {}  # the known set of the run staging in this process, by its spool file


def _spool_seen(spool: Spool, name: str, positions: np.ndarray, rows: pl.Series) -> None:
    # Uncompressed: two numbers a record, written once and read once.
    pl.DataFrame({POSITION: positions, "source_row": rows}).write_parquet(
        spool.part(SEEN, name), compression="uncompressed", statistics=SPOOL_STATISTICS
    )


def _source_files(spool: Spool) -> pl.DataFrame:
    parts = spool.parts(SOURCE_FILES)
    if not parts:
        return pl.DataFrame(schema={FILE_INDEX: pl.Int32, "source_file": pl.String})
    return pl.concat([pl.read_parquet(part) for part in parts], how="vertical")


def _seen_records(spool: Spool, part_numbers: dict[str, int]) -> pl.DataFrame:
    """Every known record of the run: its position in the known set, its file, row and batch (PART)."""
    frames = [
        pl.read_parquet(part).with_columns(
            pl.lit(int(part.stem.split("-")[0]), pl.Int32).alias(FILE_INDEX),
            pl.lit(part_numbers.get(part.stem, -1), pl.Int32).alias(PART),
        )
        for part in spool.parts(SEEN)
    ]
    if not frames:
        return pl.DataFrame(schema={POSITION: pl.Int64, "source_row": pl.Int64, FILE_INDEX: pl.Int32, PART: pl.Int32})
    return pl.concat(frames, how="vertical")


def stage_sales_file(
    partition: Partition, settings: Settings, spool: Spool, period: Period | None = None
) -> StagedCounts:
    """Read one sales file: its sale lines, rejects and skips go to the spool (sales/, rejects/, skipped/)."""
    rules = [SalesPeriodRule(entry.pattern, parse_period(entry.period)) for entry in settings.sales_periods]
    result = read_sales_file(
        partition.path, period, rules, max_whole_file_bytes=settings.limits.max_whole_file_mb * 1_000_000
    )
    name = _name(partition, 0)
    result.lines.with_columns(pl.lit(partition.file_index, pl.Int32).alias(FILE_INDEX)).write_parquet(
        spool.part("sales", name)
    )
    if not result.rejects.is_empty():
        result.rejects.write_parquet(spool.part("rejects", name))
    if not result.skipped.is_empty():
        result.skipped.write_parquet(spool.part("skipped", name))
    return StagedCounts(
        rows_read=result.records,
        rows_rejected=result.rows_rejected,
        rows_skipped=result.skipped.height,
        sales_rows=result.rows_loaded,
    )


def _name(partition: Partition, batch: int) -> str:
    return f"{partition.file_index:05d}-{batch:06d}"


# --- 2. what needs the whole run ------------------------------------------------------------------


def find_run_wide_facts(spool: Spool, settings: Settings, database: Path | None = None) -> int:
    """Reject listing_ids repeated across the run (the first record is kept) and count shared boxes.

    DuckDB does both from the spooled valid rows (sql/run_wide/), within `run.duckdb_memory_limit`,
    spilling to the spool: the ids of a whole catalogue need not fit in memory. Returns how many records
    were rejected as repeats; they leave the valid rows in step 3.

    An incremental run finds the repeats from the stored keys of its known records and the ids of the others
    (xborder_pipeline.known_listings, with the store at `database`); its shared boxes are counted by the plan, over
    the same keys.
    """
    if _is_incremental(spool):
        if database is None:
            raise ValueError("an incremental run finds repeated ids with the store: give its database")
        repeats = _repeats_of_incremental_run(spool, settings, database)
        repeats.select(FILE_INDEX, "source_row").write_parquet(spool.part("facts", "repeats"))
    else:
        valid = spool.parts("valid")
        if not valid:
            _empty_facts(spool)
            return 0
        with run_reader(spool, settings, None) as connection:
            connection.read_parquet([str(path) for path in valid], filename=True, union_by_name=True).select(
                f"listing_id, {FILE_INDEX}, source_file, source_row, length_cm, width_cm, height_cm, category, "
                "parse_filename(filename, true) as part"
            ).create_view("spooled_valid")
            repeats = connection.sql(sql_text("run_wide/repeated_listing_ids.sql")).pl()
            repeats.select(FILE_INDEX, "source_row").write_parquet(spool.part("facts", "repeats"))
            connection.read_parquet(str(spool.part("facts", "repeats"))).create_view("repeats")
            connection.execute(f"create temp table shared_boxes as {sql_text('run_wide/shared_boxes.sql')}")
            connection.sql(sql_text("run_wide/shared_boxes_by_part.sql")).write_parquet(
                str(spool.root / SHARED_BOXES_BY_PART), partition_by=["part"], write_partition_columns=False
            )
    if not repeats.is_empty():
        repeats.select(
            "source_file",
            "source_row",
            pl.lit("listing_id").alias("column_name"),
            pl.lit("is_unique").alias("check_name"),
            pl.col("listing_id").alias("failure_value"),
            pl.format(
                "listing_id repeats the one at {} row {}; each listing may appear once per run",
                "first_file",
                "first_row",
            ).alias("message"),
        ).select(list(REJECT_COLUMNS)).write_parquet(spool.part("rejects", "repeats"))
    return repeats.height


def _repeats_of_incremental_run(spool: Spool, settings: Settings, database: Path) -> pl.DataFrame:
    known = _known_set(spool)
    assert known is not None
    parts = spool.parts("valid")
    validated = (
        pl.scan_parquet(parts).select("listing_id", FILE_INDEX, "source_file", "source_row").collect()
        if parts else pl.DataFrame(schema={"listing_id": pl.String, FILE_INDEX: pl.Int32, "source_file": pl.String,
                                           "source_row": pl.Int64})
    )
    seen = _seen_records(spool, {}).drop(PART)
    with run_reader(spool, settings, database) as connection:
        return repeated_listing_ids(seen, validated, _source_files(spool), known, connection)


SKU_DEMAND = ("facts", "sku_demand_by_seller")
SKU_DEMAND_ANY_SELLER = ("facts", "sku_demand_any_seller")


def find_sales_demand(spool: Spool, settings: Settings, database: Path) -> int:
    """sku_demand as of the run's date over the stored sales history plus the run's sales, for score_part.

    Returns how many SKUs have sales history (per seller). Without any, nothing is written, and score_part
    joins nothing.
    """
    if not spool.parts("sales") and not _stores_sales(spool, settings, database):
        return 0
    by_seller, any_seller = sku_demand_lookups(
        database, spool.parts("sales"), settings, as_of_date(settings), _duckdb_settings(spool, settings)
    )
    if by_seller.is_empty() and any_seller.is_empty():
        return 0
    by_seller.write_parquet(spool.part(*SKU_DEMAND))
    any_seller.write_parquet(spool.part(*SKU_DEMAND_ANY_SELLER))
    return by_seller.height


def _stores_sales(spool: Spool, settings: Settings, database: Path) -> bool:
    """Whether the store holds any sales history (a catalogue scored without sales exports holds none)."""
    if not database.is_file():
        return False
    with run_reader(spool, settings, database) as connection:
        if not has_column(connection, "sales_history", "sku", "store"):
            return False
        return bool(connection.sql("select exists (select 1 from store.sales_history)").fetchall()[0][0])


def _sales_demand_of_run(spool: Spool) -> tuple[pl.LazyFrame | None, pl.LazyFrame | None]:
    """The run's demand lookups, or None for both when the run knows no sales (nothing to join)."""
    paths = [spool.root / kind / f"{name}.parquet" for kind, name in (SKU_DEMAND, SKU_DEMAND_ANY_SELLER)]
    if not any(path.is_file() for path in paths):
        return None, None
    frames = [pl.scan_parquet(path) if path.is_file() else empty_demand().lazy() for path in paths]
    return frames[0], frames[1]


def _duckdb_settings(spool: Spool, settings: Settings) -> dict[str, str]:
    return {"memory_limit": settings.run.duckdb_memory_limit, "temp_directory": str(spool.root / "duckdb_spill")}


def _empty_facts(spool: Spool) -> None:
    pl.DataFrame(schema={FILE_INDEX: pl.Int32, "source_row": pl.Int64}).write_parquet(spool.part("facts", "repeats"))


def _shared_boxes_of_part(spool: Spool, name: str) -> pl.LazyFrame:
    """The shared boxes that the part's listings have: a part's scoring never holds the whole run's boxes."""
    files = sorted((spool.root / SHARED_BOXES_BY_PART / f"part={name}").glob("*.parquet"))
    return pl.scan_parquet(files) if files else pl.LazyFrame(schema=SHARED_BOX_COLUMNS)


def _valid_without_repeats(spool: Spool, valid: pl.LazyFrame) -> pl.LazyFrame:
    repeats = pl.scan_parquet(spool.part("facts", "repeats"))
    return valid.join(repeats, on=[FILE_INDEX, "source_row"], how="anti")


def first_rejects(spool: Spool, limit: int = 5) -> pl.DataFrame:
    """The first failures of the run, in file and row order, for messages."""
    parts = spool.parts("rejects")
    if not parts:
        return pl.DataFrame(schema=REJECT_COLUMNS)
    return pl.scan_parquet(parts).sort("source_file", "source_row").head(limit).collect()


# --- 3. features and scores ---------------------------------------------------------------------------


def valid_parts(spool: Spool) -> list[Path]:
    return spool.parts("valid")


def score_part(part: Path, spool: Spool, settings: Settings, fba_card: FbaCard | None = None) -> int:
    """Features and scores of one spooled part, written as listings, scores and channel-cost parts."""
    card = fba_card or load_fba_card(settings.fba.card or None)
    valid = _valid_without_repeats(spool, pl.scan_parquet(part)).drop(FILE_INDEX)
    boxes = _shared_boxes_of_part(spool, part.stem)
    with_demand = with_sales_demand(valid, *_sales_demand_of_run(spool))
    # One part fits in memory by design (run.batch_rows); the in-memory engine computes its several hundred
    # column expressions about a quarter faster than the streaming one, at the same peak (docs/performance.md).
    scored = with_scores(with_listing_features(with_demand, settings, card, shared_boxes=boxes), settings).collect(
        engine="in-memory"
    )
    scored = with_input_fingerprint(scored, _scoring_context_of_run(spool, settings, card))
    name = part.stem
    spool.write(
        scored.with_columns(pl.col("listing_monthly_units_sold").alias("monthly_units_sold")).select(
            _unstamped(LISTING_COLUMNS)
        ),
        "listings",
        name,
    )
    spool.write(scored.select(_unstamped(SCORE_COLUMNS)), "scores", name)
    spool.write(channel_costs_long(scored, settings).select(_unstamped(CHANNEL_COST_COLUMNS)), "channel_costs", name)
    spool.write(stored_keys(scored), "keys", name)
    return scored.height


ABSENT = ("facts", "absent_listings")  # an incremental run's stored listings it did not read (absent_listings)
SCORING_CONTEXT = "scoring_context"  # a file in the spool: the run's scoring context (xborder_pipeline.incremental)
ASSUMED_CURRENCIES = "assumed_currencies"  # an incremental run's listings read in an assumed currency, kept or not
CHANGED = "changed"  # the valid parts' rows to score again, one part per valid part that has any


def write_scoring_context(
    spool: Spool, settings: Settings, card: FbaCard | None = None, context: str | None = None
) -> str:
    """The run's scoring context (`context`, the run record's, else computed), kept in the spool for every part's
    staging and scoring."""
    context = context or _run_scoring_context(settings, card)
    (spool.root / SCORING_CONTEXT).write_text(context, encoding="utf-8")
    return context


def _scoring_context_of_run(spool: Spool, settings: Settings, card: FbaCard | None = None) -> str:
    path = spool.root / SCORING_CONTEXT
    return path.read_text(encoding="utf-8") if path.is_file() else _run_scoring_context(settings, card)


def _run_scoring_context(settings: Settings, card: FbaCard | None) -> str:
    return scoring_context(settings, card or load_fba_card(settings.fba.card or None), as_of_date(settings))


def plan_rescoring(
    spool: Spool, settings: Settings, database: Path, context: str, listings: int, full_refresh: bool = False
) -> RescorePlan:
    """Which valid listings of the run to score: all of them, or (same context as the last successful run) those
    whose input fingerprint differs from the stored one, in their own batches (docs/decisions.md, 19 and 23)."""
    parts = valid_parts(spool)
    try:
        with run_reader(spool, settings, database) as connection:
            previous = stored_scoring_context(connection, "store") if database.is_file() else None
            reason = full_rescore_reason(previous, context, full_refresh)
            # find_known_records decides with the same rule: a disagreement is a defect, never bad data
            if reason is not None and _is_incremental(spool):
                raise RuntimeError(
                    f"records of the run were taken as scored before, yet it scores every listing: {reason}"
                )
            if reason is None and not _is_incremental(spool):
                raise RuntimeError(
                    "the run may be incremental, but its known listings were not read (find_known_records)"
                )
            if reason is not None or not parts:
                return full_plan(parts, listings, reason or "no listings in the run")
            return _incremental_plan(connection, spool, settings, context, listings, parts)
    finally:
        close_run_reader(spool)  # the plan is the last of the run's steps to read with it


# What the plan reads of a validated record, besides the values its keys are made of.
_VALIDATED_INPUTS = (
    "listing_id", "sku", "marketplace", "seller_id", LISTING_FINGERPRINT, FILE_INDEX, "source_row",
    *SIDES, "category", "product_group", "monthly_units_sold", "currency", "currency_assumed",
)


def _incremental_plan(
    connection: duckdb.DuckDBPyConnection, spool: Spool, settings: Settings, context: str, listings: int,
    parts: list[Path],
) -> RescorePlan:
    """The facts of the run's validated records and of the known listings whose facts can have changed, from the
    records' values and those listings' stored keys (xborder_pipeline.known_listings), and the listings whose input
    fingerprint changed, in their batches; the stored listings the run did not read, for absent_listings."""
    numbers = {part.stem: number for number, part in enumerate(parts)}
    repeats = pl.read_parquet(spool.part("facts", "repeats"))
    demand = _sales_demand_of_run(spool)
    known_set = _known_set(spool)
    assert known_set is not None
    seen = _seen_records(spool, numbers)
    repeated = np.empty(0, dtype=np.int64)  # the known set's positions of known records rejected as repeats
    if not repeats.is_empty():
        marked = seen.join(repeats.with_columns(_repeat=pl.lit(True)), on=[FILE_INDEX, "source_row"], how="left")
        is_repeat = marked.get_column("_repeat").is_not_null()
        repeated = marked.get_column(POSITION).filter(is_repeat).to_numpy()
        seen = marked.filter(~is_repeat).drop("_repeat")
    in_run = KnownInRun.of(known_set, seen)
    del seen  # a run's known records: 24 bytes each, let go before the facts are computed
    validated = with_sales_demand(
        pl.concat([pl.scan_parquet(part).select(_VALIDATED_INPUTS).with_columns(pl.lit(number, pl.Int32).alias(PART))
                   for number, part in enumerate(parts)], how="vertical")
        .join(repeats.lazy(), on=[FILE_INDEX, "source_row"], how="anti")
        .with_columns(*key_values(), pl.lit(None, pl.UInt64).alias(STORED_INPUT_FINGERPRINT), known=pl.lit(False)),
        *demand,
    ).with_columns(**hashed_demand()).select(PLANNED).collect()
    named = _stored_listings_named_by_sales(connection, demand)
    absent = known_set.fingerprints[~in_run.present]  # stored listings the run did not read
    wanted = np.concatenate([
        absent, known_set.fingerprints[repeated], _returning(connection, known_set, in_run),
        named.get_column(LISTING_FINGERPRINT).to_numpy(),
    ])
    known = listings_to_check(connection, known_set, in_run, wanted, validated.get_column("box_key"))
    run = pl.concat([
        *_known_with_demand(known.rename({"own_units_sold": "monthly_units_sold"}), named, demand), validated,
    ], how="vertical")
    planned = to_rescore(with_shared_box_counts(run), context)
    pl.DataFrame({LISTING_FINGERPRINT: absent}, schema={LISTING_FINGERPRINT: pl.UInt64}).write_parquet(
        spool.part(*ABSENT), compression="uncompressed", statistics=SPOOL_STATISTICS
    )
    files = _source_files(spool)
    # what the load reads of every valid listing of the run: the files read in an assumed currency
    pl.concat([
        known_with_assumed_currency(connection, known_set, in_run),
        validated.filter(pl.col("assumed_currency").is_not_null()).select("assumed_currency", FILE_INDEX),
    ], how="vertical").join(files, on=FILE_INDEX, how="left").select(
        "source_file", pl.col("assumed_currency").alias("currency"), pl.lit(True).alias("currency_assumed")
    ).write_parquet(spool.part(ASSUMED_CURRENCIES, "run"))
    rescore = planned.filter("rescored").drop("rescored").with_columns(
        pl.col(PART).replace_strict(list(numbers.values()), list(numbers), return_dtype=pl.String).alias("part")
    )
    stored = _stored_rows_of_known(
        connection, rescore.filter(pl.col("known")).join(files, on=FILE_INDEX, how="left"),
        pl.read_parquet_schema(parts[0]),
    )
    by_part = []
    for part in parts:
        rows = rescore.filter((pl.col("part") == part.stem) & ~pl.col("known")).select(FILE_INDEX, "source_row")
        of_part = [pl.scan_parquet(part).join(rows.lazy(), on=[FILE_INDEX, "source_row"], how="semi")]
        again = stored.filter(pl.col("part") == part.stem).drop("part")
        if not again.is_empty():
            of_part.append(again.lazy())
        if not rows.is_empty() or not again.is_empty():  # in file order, as the full run's part has them
            by_part.append((part, pl.concat(of_part, how="vertical").sort(FILE_INDEX, "source_row")))
    if len(by_part) > 1 and rescore.height <= settings.run.batch_rows and _groups_within_parts(rescore):
        changed = [_one_changed_part(spool, by_part)]
    else:  # each part's changed rows scored as a part (a product split across parts is, as in a full run)
        changed = []
        for part, rows in by_part:
            rows.sink_parquet(spool.part(CHANGED, part.stem))
            changed.append(spool.part(CHANGED, part.stem))
    counts = rescore.filter(pl.col("box_key").is_not_null()).select(
        "box_key", "listings_sharing_box", "categories_sharing_box"
    ).unique()
    for part in changed:  # the shared boxes of the rows scored again, with the run's counts
        folder = spool.root / SHARED_BOXES_BY_PART / f"part={part.stem}"
        folder.mkdir(parents=True, exist_ok=True)
        pl.scan_parquet(part).select(*SIDES, box_key()).filter(pl.col("box_key").is_not_null()).unique().join(
            counts.lazy(), on="box_key", how="inner"
        ).drop("box_key").sink_parquet(folder / "boxes.parquet")
    return RescorePlan(
        parts=changed,
        reason=incremental_reason(rescore.height, listings),
        listings=listings,
        rescored=rescore.height,
        incremental=True,
        assumed_currency_parts=tuple(spool.parts(ASSUMED_CURRENCIES)),
        absent_part=spool.part(*ABSENT),
    )


def _stored_listings_named_by_sales(
    connection: duckdb.DuckDBPyConnection, demand: tuple[pl.LazyFrame | None, pl.LazyFrame | None]
) -> pl.DataFrame:
    """The stored listings whose SKU or id the run's sales demand names (their fingerprint and what with_sales_demand
    matches them by): only those few are read from the store and matched."""
    if all(lookup is None for lookup in demand):
        return pl.DataFrame(schema={LISTING_FINGERPRINT: pl.UInt64, "marketplace": pl.String,
                                    "seller_id": pl.String, "sku": pl.String, "listing_id": pl.String})
    skus = pl.concat([lookup.select("sku") for lookup in demand if lookup is not None]).unique().collect()
    connection.register("demand_keys", skus.to_arrow())
    try:
        return connection.sql(sql_text("run_wide/stored_listings_with_sales.sql")).pl()
    finally:
        connection.unregister("demand_keys")


def _returning(connection: duckdb.DuckDBPyConnection, known: KnownSet, in_run: KnownInRun) -> np.ndarray:
    """The fingerprints of the known listings of the run that the last run did not read (absent_listings): their
    stored input fingerprint is older than the last run's facts. A store without the table: every known listing."""
    if not known.fingerprints.size:
        return known.fingerprints
    if has_column(connection, "absent_listings", LISTING_FINGERPRINT, "store"):
        absent = connection.sql("select listing_fingerprint from store.absent_listings").pl()
        return in_run.located(known, absent).get_column(LISTING_FINGERPRINT).to_numpy()
    return known.fingerprints[in_run.present]


def _known_with_demand(
    known: pl.DataFrame, named: pl.DataFrame, demand: tuple[pl.LazyFrame | None, pl.LazyFrame | None],
) -> list[pl.DataFrame]:
    """The known listings looked at (PLANNED) with the hashes of their demand columns. A listing's demand is its own
    figure unless the run's sales history names its SKU or id (`named`: matched by with_sales_demand); the others'
    demand hashes are those of a listing no sales name."""
    known = known.with_columns(pl.lit(True).alias("known"))
    if named.is_empty() or known.is_empty():
        return [known.with_columns(**unnamed_demand()).select(PLANNED)]
    return [
        known.join(named, on=LISTING_FINGERPRINT, how="anti").with_columns(**unnamed_demand()).select(PLANNED),
        with_sales_demand(known.join(named, on=LISTING_FINGERPRINT, how="inner").lazy(), *demand)
        .with_columns(**hashed_demand()).select(PLANNED).collect(),
    ]


def _stored_rows_of_known(
    connection: duckdb.DuckDBPyConnection, wanted: pl.DataFrame, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """The stored listing rows of known records to score again, with this run's lineage, as validated rows
    (`schema`, a valid part's) with their `part`: the store holds what validating their text again would give."""
    columns = [*schema, "part"]
    if wanted.is_empty():
        return pl.DataFrame(schema={**schema, "part": pl.String})
    lineage = wanted.select("part", FILE_INDEX, "source_file", "source_row", LISTING_FINGERPRINT)
    connection.register("known_to_rescore", lineage.to_arrow())
    stored = connection.sql(sql_text("run_wide/stored_rows_of_known.sql")).pl()
    connection.unregister("known_to_rescore")
    if stored.height != wanted.height:
        raise RuntimeError(
            f"{wanted.height:,} records of the run were known from the store, but {stored.height:,} stored "
            "listing rows match them: run again with --full-refresh"
        )
    return stored.select(pl.col(column).cast(schema[column]) if column in schema else pl.col(column)
                         for column in columns)


CHANGED_TOGETHER = "changed-together"  # the changed rows of several parts, scored as one part


def _groups_within_parts(rescore: pl.DataFrame) -> bool:
    """No product group among the rows to score has rows in two parts: scored together, siblings stay the same."""
    grouped = rescore.filter(pl.col("group_key").is_not_null())
    return grouped.group_by("group_key").agg(pl.col(PART).n_unique().alias("parts"))["parts"].max() in (None, 1)


def _one_changed_part(spool: Spool, by_part: list[tuple[Path, pl.LazyFrame]]) -> Path:
    """The changed rows of several parts as one part (a part costs ~0.5 s of fixed work however few its rows)."""
    # One part read at a time: the rows together are at most a part (run.batch_rows), but a lazy concat of every
    # part's scan read them all at once (4.1 GB at 10M listings).
    return spool.write(pl.concat([rows.collect() for _, rows in by_part], how="vertical"), CHANGED, CHANGED_TOGETHER)


def _unstamped(columns: tuple[str, ...]) -> list[str]:
    return [column for column in columns if column not in _STAMPS]


# --- 4. load ------------------------------------------------------------------------------------------


INCOMING_KINDS = ("listings", "scores", "channel_costs", "keys", "rejects", "skipped")  # the spooled kinds loaded


def load_run(
    database: Path,
    run: RunRecord,
    spool: Spool,
    counts: StagedCounts,
    settings: Settings,
    finished_at: datetime,
    processed_files: pl.DataFrame | None = None,
    plan: RescorePlan | None = None,
) -> RunSummary:
    """The run into the database in one transaction; returns its summary as stored, read back on the load's
    connection (its `seconds` are the caller's to fill in).

    With an incremental `plan`, the listings it did not score keep their rows, lineage and run id."""
    close_run_reader(spool)  # the store is written here: no reading DuckDB of the run holds it
    run_counts = counts.run_counts()
    if plan is not None and plan.incremental:
        run_counts = replace(run_counts, listings_rescored=plan.rescored)

    def summary(connection: duckdb.DuckDBPyConnection, changes: int) -> RunSummary:
        return summary_of_run(connection, run.run_id, database, rows_read=counts.rows_read,
                              rows_rejected=counts.rows_rejected, rows_skipped=counts.rows_skipped, seconds=0.0,
                              changes=changes, sales_rows_loaded=counts.sales_rows)

    return write_spooled_run(
        database,
        replace(run, rescore_reason=plan.reason) if plan is not None else run,
        run_counts,
        parts={kind: spool.parts(kind) for kind in INCOMING_KINDS},
        sales_parts=spool.parts("sales"),
        finished_at=finished_at,
        processed_files=processed_files,
        thresholds=settings.sql_thresholds(),
        duckdb_settings=_duckdb_settings(spool, settings),
        assumed_currency_parts=list(plan.assumed_currency_parts) if plan is not None else None,
        absent_part=plan.absent_part if plan is not None else None,
        read_back=summary,
    )
