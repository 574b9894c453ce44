"""The DuckDB store: create tables and views from sql/, write a run in one transaction, read safely.

A run's writes (its pipeline_runs row, listings, scores, rejects, skipped rows) commit together or
not at all. A failed run is then recorded on its own, so every other table stays as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from xborder_pipeline.features.estimates import ESTIMATE_COLUMNS
from xborder_pipeline.schemas.listing import ADAPTER_COLUMNS, CANONICAL_COLUMNS, LINEAGE_COLUMNS
from xborder_pipeline.scoring.reasons import ALL_REASONS

T = TypeVar("T")  # what a caller reads back on the load's connection (write_spooled_run)

DB_ENV_VAR = "XBORDER_DB"
DEFAULT_DB_PATH = "xborder.duckdb"

LISTING_COLUMNS: tuple[str, ...] = (*CANONICAL_COLUMNS, *ADAPTER_COLUMNS, *LINEAGE_COLUMNS, "run_id")
SCORE_COLUMNS: tuple[str, ...] = (
    "listing_id",
    "run_id",
    "scored_at",
    "volumetric_weight_kg",
    "chargeable_weight_kg",
    "longest_side_cm",
    "sum_of_sides_cm",
    "length_plus_girth_cm",
    "volume_m3",
    "density_kg_per_m3",
    "listings_sharing_box",
    "fragility_score",
    "is_fragile",
    "has_battery",
    "is_loose_battery",
    "is_liquid",
    "is_powder",
    "has_magnet",
    "is_aerosol_or_flammable",
    "is_restricted",
    "restricted_kind",
    "trait_evidence",
    "price_usd",
    "unit_cost_usd",
    "months_of_cover",
    "fba_size_tier",
    "fba_dimensional_weight_lb",
    "fba_shipping_weight_lb",
    "fba_fulfilment_fee_usd",
    "fba_fulfilment_fee_with_fuel_usd",
    "fba_tier_headroom_pct",
    "destination_country",
    "destination_market",
    "direct_ship_channel",
    "recommended_channel",
    "recommended_transit_days_min",
    "recommended_transit_days_max",
    "est_direct_ship_cost_usd",
    "duty_usd",
    "vat_usd",
    "customs_fee_usd",
    "landed_cost_usd",
    "logistics_cost_ratio",
    "margin_after_logistics_usd",
    "margin_ratio",
    "warehouse_first_leg_usd",
    "warehouse_duty_usd",
    "warehouse_storage_usd",
    "warehouse_handling_usd",
    "warehouse_last_mile_usd",
    "warehouse_unsold_share",
    "warehouse_unsold_risk_usd",
    "warehouse_cost_per_unit_usd",
    "direct_cost_per_unit_usd",
    "warehouse_saving_per_unit_usd",
    "suitability_score",
    "suitability_band",
    "warehouse_flag",
    "data_confidence",
    "trade_model_hint",
    "trade_model_reasons",
    "reasons",
    "landed_cost_ratio",
    "fba_fee_card",
    "fba_overmax_fee_usd",
    "fba_bulky_packaging_fee_usd",
    "fba_fees_total_usd",
    *ESTIMATE_COLUMNS,
    "monthly_units_sold",
    "demand_source",
    "demand_evidence",
    "demand_reasons",
    "is_oversize",
    "input_fingerprint",
    "listing_fingerprint",
)
# What an incremental run reads of each stored listing (xborder_pipeline.known_listings).
KEY_COLUMNS: tuple[str, ...] = (
    "listing_id",
    "listing_fingerprint",
    "input_fingerprint",
    "box_key",
    "category_key",
    "group_key",
    "own_units_sold",
    "assumed_currency",
)
REJECT_TABLE_COLUMNS: tuple[str, ...] = (
    "run_id",
    "source_file",
    "source_row",
    "column_name",
    "check_name",
    "failure_value",
    "message",
)
SKIPPED_TABLE_COLUMNS: tuple[str, ...] = ("run_id", "source_file", "source_row", "reason")
PROCESSED_FILE_COLUMNS: tuple[str, ...] = (
    "content_sha256",
    "file_name",
    "file_path",
    "size_bytes",
    "run_id",
    "processed_at",
    "archived_to",
)
CHANNEL_COST_COLUMNS: tuple[str, ...] = (
    "listing_id",
    "channel",
    "eligible",
    "ineligible_reasons",
    "chargeable_weight_kg",
    "shipping_cost_usd",
    "landed_cost_usd",
    "transit_days_min",
    "transit_days_max",
    "is_recommended",
    "run_id",
    "scored_at",
    "is_proxy",
)


class StoreError(Exception):
    """The database cannot be opened or written; the message says why and what to do."""


class QueryError(StoreError):
    """DuckDB refused the user's query (bad SQL, unknown table, or an attempt to write)."""


class AuditFailed(StoreError):
    """A post-load audit returned rows: the run's writes were rolled back."""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    started_at: datetime
    config_hash: str
    input_files: list[str]
    version: str
    as_of_date: date | None = None  # the date the run priced by (xborder_pipeline.as_of)
    scoring_context: str = ""  # xborder_pipeline.incremental.scoring_context; empty: not known
    rescore_reason: str = ""  # why the run scored what it did (incremental.RescorePlan.reason)


@dataclass(frozen=True)
class RunCounts:
    rows_read: int
    rows_scored: int
    rows_rejected: int
    rows_skipped: int
    sales_rows_loaded: int = 0  # sales records kept as sale lines; rows_read counts them too
    listings_rescored: int | None = None  # of rows_scored, those scored this run (None: all); the rest kept their rows


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def sql_text(relative_path: str) -> str:
    return (_sql_root() / relative_path).read_text(encoding="utf-8")


def _sql_root() -> Traversable:
    return files("xborder_pipeline.sql")


def _sql_files(folder: str) -> list[Traversable]:
    return sorted(
        (entry for entry in (_sql_root() / folder).iterdir() if entry.name.endswith(".sql")),
        key=lambda entry: entry.name,
    )


@contextmanager
def open_for_writing(
    db_path: Path, settings: dict[str, str] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database open for one writer; `settings` are DuckDB configuration options (memory_limit, ...)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(db_path), config=settings or {})
    except duckdb.IOException as error:
        raise StoreError(f"cannot open {db_path} for writing: {error}. Is another run using it?") from None
    try:
        connection.execute("set enable_progress_bar = false")
        connection.execute("set preserve_insertion_order = false")
        yield connection
    finally:
        connection.close()


def attach_store_read_only(connection: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Attach the database at `db_path` to `connection` as `store`, read-only."""
    try:
        connection.execute("attach $path as store (read_only)", {"path": str(db_path)})
    except duckdb.Error as error:
        raise StoreError(f"cannot open {db_path} read-only: {error}") from None


@contextmanager
def open_read_only(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not db_path.is_file():
        raise StoreError(
            f"no database at {db_path}; score a catalogue into it first (xborder score ... --db {db_path})"
        )
    try:
        connection = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise StoreError(f"cannot open {db_path} read-only: {error}") from None
    try:
        connection.execute("set enable_progress_bar = false")
        yield connection
    finally:
        connection.close()


# Columns an earlier version stored and this one no longer does, with where their values are now. They are
# dropped from a database an earlier version made, so that no column is left half filled.
RETIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    # the listing's destination, duty, VAT and customs fee, once repeated on each channel's row: listing_scores
    # holds them and the channel_costs view takes them from there (docs/decisions.md, 20)
    "listing_channel_costs": ("destination_country", "destination_market", "duty_usd", "vat_usd", "customs_fee_usd"),
    # a listing's own fingerprint, kept for a few commits beside the record rather than beside the input fingerprint
    # it goes into: listing_scores holds it (docs/decisions.md, 22)
    "listings": ("listing_fingerprint",),
}
_VIEW_READING = {"listing_channel_costs": "channel_costs"}  # dropped before the column, made again after


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, add columns a newer version defines, drop retired ones, and (re)create views.

    Existing rows are untouched; a column added to an existing table is null for them. The store's columns are
    read in one query and compared with the declared ones (read from the DDL once per process), and each view carries
    the hash of the text it was created from: a store that is up to date costs two queries. When any table changes,
    every view is created again (DuckDB checks a view's columns against those it was created with).
    """
    present = set(connection.sql(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = current_schema()"
    ).fetchall())
    tables = {table for table, _ in present}
    statements = []
    for table, (ddl, columns) in _declared_tables().items():
        if table not in tables:
            statements.append(ddl)
            continue
        statements += [f"alter table {table} add column {name} {column_type}" for name, column_type in columns
                       if (table, name) not in present]
    for statement in statements:
        connection.execute(statement)
    retired = _drop_retired_columns(connection, present)
    marks = {} if statements or retired else dict(connection.sql(
        "select view_name, comment from duckdb_views() where not internal "
        "and database_name = current_database() and schema_name = current_schema()"
    ).fetchall())
    for view in _sql_files("views"):
        text = view.read_text(encoding="utf-8")
        name, mark = view.name.removesuffix(".sql"), _view_mark(text)
        if marks.get(name) == mark:  # created from this very text: left as it is (each view created costs ~5 ms)
            continue
        connection.execute(text)
        # COMMENT takes no bound parameters; the mark is our own hex digest, checked so
        connection.execute(f"comment on view {name} is '{mark}'")


def _view_mark(text: str) -> str:
    """The comment a view of sql/views/ is created with: the hash of the text it was created from."""
    mark = "xborder sql/views sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    if not re.fullmatch(r"[a-z/ ]+sha256:[0-9a-f]{16}", mark):
        raise AssertionError(mark)
    return mark


@lru_cache(maxsize=1)
def _declared_tables() -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """Each table of sql/tables/ (named as its file) with its DDL and its columns (name, type), read from an
    in-memory database (about 30 ms, once per process)."""
    ddl = {table.name.removesuffix(".sql"): table.read_text(encoding="utf-8") for table in _sql_files("tables")}
    with duckdb.connect() as scratch:
        for text in ddl.values():
            scratch.execute(text)
        columns = scratch.sql(
            "select table_name, column_name, data_type from information_schema.columns order by ordinal_position"
        ).fetchall()
    missing = set(ddl) - {table for table, *_ in columns}
    if missing:
        raise RuntimeError(f"sql/tables/ files that do not create the table they are named after: {sorted(missing)}")
    return {
        name: (text, tuple((column, column_type) for table, column, column_type in columns if table == name))
        for name, text in ddl.items()
    }


def _drop_retired_columns(connection: duckdb.DuckDBPyConnection, present: set[tuple[str, str]]) -> bool:
    """Drop the retired columns the store still has; True when there were any."""
    dropped = False
    for table, retired in RETIRED_COLUMNS.items():
        for name in retired:
            if (table, name) in present:
                if table in _VIEW_READING:
                    connection.execute(f"drop view if exists {_VIEW_READING[table]}")
                connection.execute(f"alter table {table} drop column {name}")
                dropped = True
    return dropped


# The run's incoming rows, as the views the load statements read; run_id and scored_at are added there.
INCOMING: dict[str, tuple[str, tuple[str, ...]]] = {
    "listings": ("incoming_listings", LISTING_COLUMNS),
    "scores": ("incoming_scores", SCORE_COLUMNS),
    "channel_costs": ("incoming_channel_costs", CHANNEL_COST_COLUMNS),
    "keys": ("incoming_keys", KEY_COLUMNS),
    "rejects": ("incoming_rejects", REJECT_TABLE_COLUMNS),
    "skipped": ("incoming_skipped", SKIPPED_TABLE_COLUMNS),
}
_STAMPS = ("run_id", "scored_at")


def write_run(
    db_path: Path,
    run: RunRecord,
    counts: RunCounts,
    listings: pl.DataFrame,
    scores: pl.DataFrame,
    channel_costs: pl.DataFrame,
    rejects: pl.DataFrame,
    skipped: pl.DataFrame,
    finished_at: datetime,
    processed_files: pl.DataFrame | None = None,
    thresholds: list[tuple[str, float, str]] | None = None,
) -> int:
    """Replace the scored listings' rows and append the run, its changes, rejects and skips: all or nothing.

    The rows are given as frames (a run small enough to hold in memory). Returns how many listings are
    new or changed band, warehouse flag or score.
    """
    frames = {"listings": listings, "scores": scores, "channel_costs": channel_costs, "rejects": rejects,
              "skipped": skipped}
    with open_for_writing(db_path) as connection:
        ensure_schema(connection)
        for kind, (view, columns) in INCOMING.items():
            frame = frames.get(kind)
            if frame is None:  # keys: only a run's spooled scoring writes them
                wanted = ", ".join(column for column in columns if column not in _STAMPS)
                connection.sql(f"select {wanted} from {_TABLE_OF_KIND[kind]} limit 0").create_view(view)  # noqa: S608
                continue
            # a frame scored outside a run may lack its fingerprints: stored as null
            wanted = [c for c in columns if c not in _STAMPS and (c not in _FINGERPRINTS or c in frame.columns)]
            connection.register(view, frame.select(wanted).to_arrow())
        return _load_incoming(connection, run, counts, finished_at, processed_files, thresholds)


_FINGERPRINTS = ("input_fingerprint", "listing_fingerprint")


def write_spooled_run(
    db_path: Path,
    run: RunRecord,
    counts: RunCounts,
    parts: dict[str, list[Path]],
    finished_at: datetime,
    processed_files: pl.DataFrame | None = None,
    thresholds: list[tuple[str, float, str]] | None = None,
    duckdb_settings: dict[str, str] | None = None,
    sales_parts: list[Path] | None = None,
    assumed_currency_parts: list[Path] | None = None,
    absent_part: Path | None = None,
    *,
    read_back: Callable[[duckdb.DuckDBPyConnection, int], T],
) -> T:
    """`write_run` for rows spooled as Parquet files (`parts` by kind, as in INCOMING): DuckDB reads them
    itself, so memory is bounded by `duckdb_settings` (memory_limit, temp_directory), not by the run. Returns what
    `read_back` makes of the connection and of how many listings' band, flag or score changed, once the run is
    committed (before the connection closes).

    An incremental run (xborder_pipeline.incremental) gives `assumed_currency_parts` (every valid listing of the
    run read in an assumed currency, kept or scored again), since its incoming rows are only those it scored again,
    and `absent_part`, the fingerprints of the stored listings it did not read (absent_listings)."""
    with open_for_writing(db_path, duckdb_settings) as connection:
        ensure_schema(connection)
        for kind, (view, columns) in INCOMING.items():
            files = [str(path) for path in parts.get(kind, [])]
            wanted = ", ".join(column for column in columns if column not in _STAMPS)
            if files:
                connection.read_parquet(files).project(wanted).create_view(view, replace=True)
            else:  # nothing of this kind: the table's own columns, no rows
                table = _TABLE_OF_KIND[kind]
                connection.sql(f"select {wanted} from {table} limit 0").create_view(view, replace=True)  # noqa: S608
        if sales_parts:
            connection.read_parquet([str(path) for path in sales_parts]).create_view(
                "incoming_sales_lines", replace=True
            )
        if assumed_currency_parts:
            connection.read_parquet([str(path) for path in assumed_currency_parts]).create_view(
                "incoming_assumed_currencies"
            )
            # An incremental run deletes a few rows in every row group: DuckDB's vacuum would rewrite them all at the
            # commit (12 s at 1M listings for 15k rescored). The deleted rows stay as tombstones until a full run.
            connection.execute("set max_vacuum_tasks = 0")
        if absent_part is not None:
            connection.read_parquet(str(absent_part)).create_view("incoming_absent_listings", replace=True)
        of_run = "incoming_assumed_currencies" if assumed_currency_parts else "incoming_listings"
        changes = _load_incoming(connection, run, counts, finished_at, processed_files, thresholds,
                                 has_sales=bool(sales_parts), listings_of_run=of_run,
                                 absent_named=absent_part is not None)
        for view in ("incoming_assumed_currencies", "incoming_absent_listings"):  # views over the spool, gone with it
            connection.execute(f"drop view if exists {view}")
        return read_back(connection, changes)


_TABLE_OF_KIND = {
    "listings": "listings",
    "scores": "listing_scores",
    "channel_costs": "listing_channel_costs",
    "keys": "listing_keys",
    "rejects": "rejected_rows",
    "skipped": "skipped_rows",
}


def _load_incoming(
    connection: duckdb.DuckDBPyConnection,
    run: RunRecord,
    counts: RunCounts,
    finished_at: datetime,
    processed_files: pl.DataFrame | None,
    thresholds: list[tuple[str, float, str]] | None,
    has_sales: bool = False,
    listings_of_run: str = "incoming_listings",
    absent_named: bool = False,
) -> int:
    """One transaction: the run's row, its score changes, the current rows replaced, rejects and skips,
    and its sales periods (replacing stored rows of the same kind, seller, SKU and period).

    `absent_named`: the view incoming_absent_listings names the stored listings an incremental run did not read;
    else the run read every listing it scored (absent_listings)."""
    stamps = {"run_id": run.run_id, "scored_at": finished_at}
    connection.execute("begin transaction")
    try:
        _insert_run(connection, run, counts, status="succeeded", finished_at=finished_at, error=None)
        if has_sales:
            from xborder_pipeline.sales.demand import replace_sales_periods

            replace_sales_periods(connection, stamps={"run_id": run.run_id, "loaded_at": finished_at})
        changes = int(
            connection.execute(
                sql_text("writes/record_score_changes.sql"), {"changed_at": finished_at, "run_id": run.run_id}
            ).fetchall()[0][0]
        )
        _replace_current_rows(connection, "listings", "incoming_listings", {"run_id": run.run_id})
        _record_assumed_currencies(connection, run.run_id, listings_of_run)
        _replace_current_rows(connection, "listing_scores", "incoming_scores", stamps)
        # every channel row of each listing scored, found by the scores' ids (one per listing, not four)
        _replace_current_rows(connection, "listing_channel_costs", "incoming_channel_costs", stamps,
                              listings="incoming_scores")
        # a listing scored outside a run (write_run) has no keys: its old ones go, and a run validates it again
        _replace_current_rows(connection, "listing_keys", "incoming_keys", {}, listings="incoming_scores")
        _record_absent_listings(connection, run.run_id, absent_named)
        _append(connection, "rejected_rows", "incoming_rejects", {"run_id": run.run_id})
        _append(connection, "skipped_rows", "incoming_skipped", {"run_id": run.run_id})
        if processed_files is not None and not processed_files.is_empty():
            connection.register("incoming_processed_files", processed_files.select(PROCESSED_FILE_COLUMNS).to_arrow())
            connection.execute("insert into processed_files by name select * from incoming_processed_files")
        _refresh_reason_codes(connection)
        if thresholds is not None:
            _refresh_thresholds(connection, thresholds)
        _run_audits(connection, run.run_id)
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")
    return changes


def _record_absent_listings(connection: duckdb.DuckDBPyConnection, run_id: str, absent_named: bool) -> None:
    """absent_listings: the stored listings the run did not read. An incremental run names them (the view
    incoming_absent_listings, by fingerprint; those it wrote again under the same listing_id are gone from
    listing_keys); a run that scored every listing it read leaves out those it scored, found by their run_id (DuckDB
    skips the row groups of the run's own rows by their statistics: 2-3 ms at 1M, against 0.09-0.11 s for an anti
    join of the keys with the run's listing_ids)."""
    connection.execute("delete from absent_listings")
    if absent_named:
        connection.execute("insert into absent_listings select listing_fingerprint from listing_keys "
                           "semi join incoming_absent_listings using (listing_fingerprint)")
    else:
        connection.execute("insert into absent_listings select listing_fingerprint from listing_keys semi join "
                           "(select listing_id from listing_scores where run_id <> $run_id) using (listing_id)",
                           {"run_id": run_id})


def _record_assumed_currencies(
    connection: duckdb.DuckDBPyConnection, run_id: str, listings_of_run: str = "incoming_listings"
) -> None:
    """run_assumed_currencies and pipeline_runs.assumed_currencies: each file whose listings were read in an
    assumed currency, with how many.

    `listings_of_run` is a view of the run's valid listings, at least those read in an assumed currency (an
    incremental run writes only some listings, but counts them all)."""
    connection.execute(
        f"""
        insert into run_assumed_currencies (run_id, source_file, currency, listings)
        select $run_id, source_file, currency, count(*) from {listings_of_run}
        where currency_assumed group by source_file, currency
        """,  # noqa: S608 (a view name of this module)
        {"run_id": run_id},
    )
    connection.execute(
        """
        update pipeline_runs set assumed_currencies = (
            select string_agg(format('{}: {} ({} listings)', source_file, currency, listings), '; '
                              order by source_file, currency)
            from run_assumed_currencies where run_id = $run_id
        )
        where run_id = $run_id
        """,
        {"run_id": run_id},
    )


def record_failed_run(db_path: Path, run: RunRecord, error: str, finished_at: datetime) -> None:
    """Note a failed run in pipeline_runs; nothing else is written."""
    with open_for_writing(db_path) as connection:
        ensure_schema(connection)
        _insert_run(connection, run, None, status="failed", finished_at=finished_at, error=error)


def record_nothing_new(db_path: Path, run: RunRecord, finished_at: datetime) -> None:
    """Note a scheduled run that found no new input: status nothing_new, all counts zero."""
    with open_for_writing(db_path) as connection:
        ensure_schema(connection)
        _insert_run(connection, run, RunCounts(0, 0, 0, 0), status="nothing_new", finished_at=finished_at, error=None)


def already_processed(db_path: Path, content_hashes: list[str]) -> set[str]:
    """Which of these file contents a successful run has already scored into the database."""
    if not content_hashes or not db_path.is_file():
        return set()
    with open_read_only(db_path) as connection:
        tables = {row[0] for row in connection.sql("select table_name from information_schema.tables").fetchall()}
        if "processed_files" not in tables:
            return set()
        rows = connection.execute(
            "select distinct content_sha256 from processed_files where list_contains($hashes, content_sha256)",
            {"hashes": content_hashes},
        ).fetchall()
    return {row[0] for row in rows}


def _insert_run(
    connection: duckdb.DuckDBPyConnection,
    run: RunRecord,
    counts: RunCounts | None,
    *,
    status: str,
    finished_at: datetime,
    error: str | None,
) -> None:
    connection.execute(
        """
        insert into pipeline_runs (
            run_id, started_at, finished_at, status, rows_read, rows_scored, rows_rejected, rows_skipped,
            config_hash, input_files, error_message, xborder_version, as_of_date, sales_rows_loaded,
            scoring_context, rescore_reason, listings_rescored
        ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            run.run_id,
            run.started_at,
            finished_at,
            status,
            counts.rows_read if counts else None,
            counts.rows_scored if counts else None,
            counts.rows_rejected if counts else None,
            counts.rows_skipped if counts else None,
            run.config_hash,
            run.input_files,
            error,
            run.version,
            run.as_of_date,
            counts.sales_rows_loaded if counts else None,
            run.scoring_context or None,
            run.rescore_reason or None,
            counts.listings_rescored if counts and counts.listings_rescored is not None else (
                counts.rows_scored if counts else None
            ),
        ],
    )


# Table and view names below come from this module's own constants, never from input; values are bound.
def _stamped(incoming: str, stamps: dict[str, object]) -> str:
    added = "".join(f", ${name} as {name}" for name in stamps)
    return f"select *{added} from {incoming}"  # noqa: S608


def _replace_current_rows(
    connection: duckdb.DuckDBPyConnection, table: str, incoming: str, stamps: dict[str, object],
    listings: str | None = None,
) -> None:
    """The table's rows of the listings in `listings` (default: `incoming`) replaced by the incoming rows."""
    connection.execute(
        f"delete from {table} where listing_id in (select listing_id from {listings or incoming})"  # noqa: S608
    )
    connection.execute(f"insert into {table} by name {_stamped(incoming, stamps)}", stamps)  # noqa: S608


def _append(connection: duckdb.DuckDBPyConnection, table: str, incoming: str, stamps: dict[str, object]) -> None:
    connection.execute(f"insert into {table} by name {_stamped(incoming, stamps)}", stamps)  # noqa: S608


def _refresh_reason_codes(connection: duckdb.DuckDBPyConnection) -> None:
    rows = pl.DataFrame([(reason.code, reason.applies_to, reason.meaning) for reason in ALL_REASONS],
                        schema={"code": pl.String, "applies_to": pl.String, "meaning": pl.String}, orient="row")
    _replace_all(connection, "reason_codes", rows)


def _refresh_thresholds(connection: duckdb.DuckDBPyConnection, thresholds: list[tuple[str, float, str]]) -> None:
    rows = pl.DataFrame(thresholds, schema={"name": pl.String, "value": pl.Float64, "meaning": pl.String},
                        orient="row")
    _replace_all(connection, "thresholds", rows)


def _replace_all(connection: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    """Every row of a small table replaced by `rows` (inserted as one relation: executemany inserts row by row,
    0.02 s for a hundred reason codes)."""
    connection.execute(f"delete from {table}")  # noqa: S608 (our table names)
    connection.register("incoming_rows", rows.to_arrow())
    try:
        connection.execute(f"insert into {table} by name select * from incoming_rows")  # noqa: S608
    finally:
        connection.unregister("incoming_rows")


AUDIT_PART_LISTINGS = 1_000_000  # the run's listings an audit groups at a time (ten million at once ran out of 1 GB)


def _run_audits(connection: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The store's rules, checked on the rows this run wrote (the rest were checked by their own runs)."""
    scored = int(connection.execute(
        "select count(*) from listing_scores where run_id = $run_id", {"run_id": run_id}
    ).fetchall()[0][0])
    parts = max(1, -(-scored // AUDIT_PART_LISTINGS))
    for audit in _sql_files("audits"):
        text = audit.read_text(encoding="utf-8")
        parameters: dict[str, object] = {"run_id": run_id} if "$run_id" in text else {}  # a whole-store audit: none
        # an audit that groups the run's listings takes them in parts ($part of $parts), within DuckDB's memory
        for part in range(parts if "$part" in text else 1):
            if "$part" in text:
                parameters = {**parameters, "parts": parts, "part": part}
            offending = connection.sql(text, params=parameters or None).limit(5).fetchall()
            if offending:
                raise AuditFailed(f"audit {audit.name} found rows that break the store's rules, e.g. {offending}")


def query(db_path: Path, sql: str, parameters: dict[str, object] | None = None) -> pl.DataFrame:
    """Run a read-only query, with values bound as `$name` parameters; any attempt to write fails."""
    with open_read_only(db_path) as connection:
        try:
            relation = connection.sql(sql, params=parameters)
        except duckdb.Error as error:
            raise QueryError(str(error)) from None
        return relation.pl() if relation is not None else pl.DataFrame()
