"""Prefect flow: score listing exports into the DuckDB store.

Reads top to bottom as the run does: stage (read and validate each file, in batches) -> run-wide facts
(repeated ids, shared boxes) and the plan (which listings to score) -> score each batch -> load (one transaction)
-> report. Batches are spooled as Parquet (xborder_pipeline.batches), so memory follows `run.batch_rows`, not the
catalogue.
Each task wraps one plain function of xborder_pipeline; only IO retries (the load, on a briefly busy
database file). The nightly flow (flows/nightly_catalogue_scoring.py) runs the same stages, and
flows/score_on_dask.py runs the stage and score steps on a Dask cluster.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

import xborder_pipeline
from xborder_pipeline.as_of import as_of_date, settings_for_run, with_as_of
from xborder_pipeline.batches import (
    Partition,
    RescorePlan,
    Spool,
    StagedCounts,
    close_run_reader,
    find_known_records,
    find_run_wide_facts,
    find_sales_demand,
    first_rejects,
    load_run,
    partitions,
    plan_rescoring,
    remove_stale_spools,
    score_part,
    stage_partition,
    stage_sales_file,
)
from xborder_pipeline.config import Settings, load_settings
from xborder_pipeline.features.fba import load_fba_card
from xborder_pipeline.inbox import InboxFile, describe_files, processed_files_rows
from xborder_pipeline.incremental import scoring_context
from xborder_pipeline.ingest import IngestOptions
from xborder_pipeline.progress import report_progress
from xborder_pipeline.run_summary import RunSummary, check_reject_share, run_report_markdown
from xborder_pipeline.sales import Period, find_sales_adapter, parse_period
from xborder_pipeline.store.database import RunRecord, record_failed_run
from xborder_pipeline.store.run_lock import exclusive_run

# Parts pass between tasks as files in the run's spool: no result persistence, no input hashing for caches.
stage = task(cache_policy=NO_CACHE, persist_result=False)


def _retry_when_the_file_is_busy(task, task_run, state) -> bool:  # noqa: ANN001 (Prefect's hook signature)
    """Retry the load only for a database file briefly locked by a reader; never for bad data."""
    try:
        state.result()
    except duckdb.IOException:
        return True
    except Exception:
        return False
    return False


def known_records(spool: Spool, settings: Settings, database: Path, full_refresh: bool, context: str) -> int:
    """In an incremental run, the listings the store holds: their records are not validated again. Part of setting
    the run up, as its spool is, and no task: it reads the stored fingerprints (0.02 s at 1M listings), where a task
    costs a run about 35 ms of orchestration."""
    began = time.perf_counter()
    known = find_known_records(spool, settings, database, full_refresh, context)
    if known:
        report_progress(f"known listings: {known:,} stored; their records are found, not validated again "
                        f"({time.perf_counter() - began:.1f} s)")
    return known


@stage
def read_and_validate(partition: Partition, options: IngestOptions, settings: Settings, spool: Spool) -> StagedCounts:
    began = time.perf_counter()
    counts = stage_partition(partition, options, settings, spool)
    report_progress(
        f"read and validate {partition.path.name}: {counts.rows_read:,} records, {counts.rows_valid:,} valid, "
        f"{counts.rows_rejected:,} rejected, {counts.rows_skipped:,} skipped ({time.perf_counter() - began:.1f} s)"
    )
    return counts


@stage
def read_sales(partition: Partition, settings: Settings, spool: Spool, period: Period | None) -> StagedCounts:
    began = time.perf_counter()
    counts = stage_sales_file(partition, settings, spool, period)
    report_progress(
        f"read sales {partition.path.name}: {counts.rows_read:,} records, {counts.sales_rows:,} sale lines kept, "
        f"{counts.rows_rejected:,} rejected, {counts.rows_skipped:,} skipped ({time.perf_counter() - began:.1f} s)"
    )
    return counts


@stage
def run_wide_facts(spool: Spool, counts: StagedCounts, settings: Settings, database: Path) -> StagedCounts:
    """Repeated listing_ids across the run become rejects, and the run's reject share is checked; then the demand per
    SKU as of the run's date, from the stored sales history and the run's sales. (One task: a task costs a run
    about 35 ms of orchestration.)"""
    return _run_wide_facts(spool, counts, settings, database)


@stage
def facts_and_plan(spool: Spool, counts: StagedCounts, settings: Settings, database: Path, run: RunRecord,
                   full_refresh: bool) -> tuple[StagedCounts, RescorePlan]:
    """The run-wide facts (run_wide_facts), then which listings to score: all, or those whose inputs changed since
    they were scored (incremental). One task: both run once a run, one after the other, and a task costs a run about
    35 ms of orchestration."""
    counts = _run_wide_facts(spool, counts, settings, database)
    began = time.perf_counter()  # the run's scoring context is in the spool since known_records wrote it
    rescoring = plan_rescoring(spool, settings, database, run.scoring_context, counts.rows_valid, full_refresh)
    report_progress(f"rescoring: {rescoring.reason} ({time.perf_counter() - began:.1f} s)")
    return counts, rescoring


def _run_wide_facts(spool: Spool, counts: StagedCounts, settings: Settings, database: Path) -> StagedCounts:
    began = time.perf_counter()
    repeats = find_run_wide_facts(spool, settings, database)
    counts = counts.with_repeats_rejected(repeats)
    report_progress(
        f"run-wide checks: {repeats:,} repeated listing_id(s) rejected ({time.perf_counter() - began:.1f} s)"
    )
    check_reject_share(counts.rows_read, counts.rows_rejected, settings.run.max_reject_share, first_rejects(spool))
    began = time.perf_counter()
    skus = find_sales_demand(spool, settings, database)
    report_progress(
        f"sales demand as of {settings.run.as_of}: {skus:,} SKU(s) with sales history "
        f"({time.perf_counter() - began:.1f} s)"
    )
    return counts


@stage
def score(part: Path, spool: Spool, settings: Settings, position: str) -> int:
    began = time.perf_counter()
    scored = score_part(part, spool, settings, load_fba_card(settings.fba.card or None))
    report_progress(f"features and scores, batch {position}: {scored:,} listings ({time.perf_counter() - began:.1f} s)")
    return scored


@task(
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_retry_when_the_file_is_busy,
)
def load(
    db_path: Path,
    run: RunRecord,
    spool: Spool,
    counts: StagedCounts,
    settings: Settings,
    files: list[InboxFile],
    archive_dir: Path | None,
    rescoring: RescorePlan | None = None,
) -> RunSummary:
    """Write the run; returns its summary as stored, read on the load's connection (seconds: the flow's to fill)."""
    began = time.perf_counter()
    written = rescoring.rescored if rescoring is not None else counts.rows_valid
    report_progress(f"load: writing {written:,} listings to {db_path} in one transaction")
    finished_at = datetime.now(UTC)
    summary = load_run(
        db_path, run, spool, counts, settings, finished_at,
        processed_files=processed_files_rows(files, run.run_id, finished_at, archive_dir),
        plan=rescoring,
    )
    report_progress(f"load: done ({time.perf_counter() - began:.1f} s)")
    return summary


def report(summary: RunSummary) -> None:
    """The run's figures as a markdown artifact in the Prefect UI (made by the flow itself: a task around it cost a
    run about 35 ms)."""
    create_markdown_artifact(
        key="catalogue-run-report",
        markdown=run_report_markdown(summary),
        description=f"xborder run {summary.run_id}",
    )


def new_run(settings: Settings, files: list[InboxFile]) -> RunRecord:
    card = load_fba_card(settings.fba.card or None)
    return RunRecord(
        run_id=str(flow_run.id or uuid.uuid4()),
        started_at=datetime.now(UTC),
        config_hash=settings.config_hash(card),
        scoring_context=scoring_context(settings, card, as_of_date(settings)),
        input_files=[str(file.path) for file in files],
        version=xborder_pipeline.__version__,
        as_of_date=date.fromisoformat(settings.run.as_of) if settings.run.as_of else None,
    )


def score_files(
    files: list[InboxFile],
    database: Path,
    settings: Settings,
    options: IngestOptions,
    run: RunRecord,
    archive_dir: Path | None = None,
    sales_period: Period | None = None,
    full_refresh: bool = False,
) -> RunSummary:
    """The stages of one run, inside whichever flow calls them (holding the run lock); a failure is
    recorded, then raised. The run's spool is removed either way.

    Sales and order exports among the files (recognised from their headers, xborder_pipeline.sales) are
    read as sales history; `sales_period` is the period of those with no dates inside. The calling flow
    resolves the run's as-of date (as_of.settings_for_run) and every stage receives it in the settings.

    When the run's scoring context is the last successful run's, only listings whose inputs changed are scored
    (xborder_pipeline.incremental); `full_refresh` scores them all.
    """
    began = time.perf_counter()
    settings = settings_for_run(settings)  # resolving settings already resolved changes nothing
    remove_stale_spools(database, settings)
    spool = Spool.create(database, run.run_id, settings)
    # Prefect walks every task parameter looking for futures; the settings (priors, trait vocabularies, cards)
    # hold none, and walking them cost about 0.1 s per task call. quote() hands them over as they are.
    given = quote(settings)
    try:
        counts = StagedCounts()
        known_records(spool, settings, database, full_refresh, run.scoring_context)
        for partition in partitions([file.path for file in files]):
            if find_sales_adapter(partition.path) is not None:
                counts += read_sales(partition, given, spool, sales_period)
            else:
                counts += read_and_validate(partition, options, given, spool)
        counts, rescoring = facts_and_plan(spool, counts, given, database, run, full_refresh)
        for number, part in enumerate(rescoring.parts, start=1):
            score(part, spool, given, f"{number}/{len(rescoring.parts)}")
        stored = load(database, run, spool, counts, given, files, archive_dir, rescoring)
    except Exception as error:
        record_failure(database, run, error, spool)
        raise
    finally:
        spool.remove()
    return finish(stored, counts, time.perf_counter() - began, rescoring.reason)


def record_failure(database: Path, run: RunRecord, error: Exception, spool: Spool) -> None:
    """The failed run in pipeline_runs, once the run's reading DuckDB (which may hold the store) is let go."""
    close_run_reader(spool)
    try:
        record_failed_run(database, run, error=str(error), finished_at=datetime.now(UTC))
    except Exception as recording_error:  # the run's own error matters more; say both
        get_run_logger().warning("could not record the failed run in %s: %s", database, recording_error)


def finish(stored: RunSummary, counts: StagedCounts, seconds: float, rescore_reason: str = "") -> RunSummary:
    """The run's summary as the load read it back, with the run's time, and its report artifact."""
    summary = replace(stored, seconds=seconds)
    if rescore_reason:  # the run's valid listings, kept or scored again (its bands count those scored)
        summary = replace(summary, rescore_reason=rescore_reason, rows_scored=counts.rows_valid)
    report(summary)
    return summary


@flow(name="score_catalogue", validate_parameters=False)
def score_catalogue(
    paths: list[str],
    db_path: str,
    config_path: str | None = None,
    file_format: str | None = None,
    mapping_path: str | None = None,
    weight_unit: str | None = None,
    length_unit: str | None = None,
    currency: str | None = None,
    sales_period: str | None = None,
    as_of: str | None = None,
    full_refresh: bool = False,
) -> RunSummary:
    """Score the listing exports at `paths` into the DuckDB file at `db_path`.

    `file_format` forces one adapter for every file; `mapping_path` names a TOML mapping for exports no
    adapter knows; the units and currency fill in what an export's headers do not say. Sales and order
    exports among `paths` load the sales history; `sales_period` (`FIRST..LAST`) dates those without
    dates. `as_of` (YYYY-MM-DD) is the date the run prices by (rate-card windows, peak season, duty rules)
    and judges demand by; default run.as_of, else today. Listings whose inputs are unchanged since they were
    scored keep their rows (xborder_pipeline.incremental); `full_refresh` scores every listing.
    """
    settings = settings_for_run(with_as_of(load_settings(config_path), as_of))
    database = Path(db_path)
    options = IngestOptions(
        file_format=file_format,
        mapping_path=Path(mapping_path) if mapping_path else None,
        weight_unit=weight_unit,
        length_unit=length_unit,
        currency=currency,
        sources=tuple(settings.sources),
    )
    with exclusive_run(database, settings.run.lock_timeout_seconds):
        files = describe_files([Path(path) for path in paths])
        return score_files(files, database, settings, options, new_run(settings, files),
                           sales_period=parse_period(sales_period) if sales_period else None,
                           full_refresh=full_refresh)
