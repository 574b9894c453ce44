"""Prefect flow: score listing exports into the DuckDB store.

Reads top to bottom as the run does: ingest -> validate -> features -> score -> load -> report.
Each task wraps one plain function of xborder_pipeline; only IO retries (the load, on a briefly
busy database file). The nightly flow (flows/nightly_catalogue_scoring.py) runs the same stages.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import xborder_pipeline
from xborder_pipeline.config import Settings, load_settings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.features.fba import FbaCard, load_fba_card
from xborder_pipeline.features.shipping import channel_costs_long
from xborder_pipeline.inbox import InboxFile, describe_files, processed_files_rows
from xborder_pipeline.ingest import IngestOptions, IngestResult, read_listings
from xborder_pipeline.progress import report_progress
from xborder_pipeline.run_summary import RunSummary, check_reject_share, run_report_markdown, summarise
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.store.database import RunCounts, RunRecord, query, record_failed_run, write_run
from xborder_pipeline.store.run_lock import exclusive_run
from xborder_pipeline.validation import ValidationResult, validate_listings

# Frames pass between tasks in memory: no result persistence, no input hashing for caches.
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


@stage
def ingest(paths: list[Path], options: IngestOptions) -> IngestResult:
    began = time.perf_counter()
    result = read_listings(paths, options)
    report_progress(
        f"ingest: {result.rows_read:,} records from {len(paths)} file(s) ({time.perf_counter() - began:.1f} s)"
    )
    return result


@stage
def validate(ingested: IngestResult, settings: Settings) -> ValidationResult:
    began = time.perf_counter()
    checked = validate_listings(ingested.records, settings, earlier_rejects=ingested.rejects)
    report_progress(
        f"validate: {checked.valid.height:,} valid, {checked.rows_rejected:,} rejected "
        f"({time.perf_counter() - began:.1f} s)"
    )
    check_reject_share(ingested.rows_read, checked.rows_rejected, settings.run.max_reject_share, checked.rejects)
    return checked


@stage
def features(valid: pl.DataFrame, settings: Settings, fba_card: FbaCard) -> pl.LazyFrame:
    """The feature plan; it runs together with the scores, so polars shares work between them."""
    return with_listing_features(valid.lazy(), settings, fba_card)


@stage
def score(featured: pl.LazyFrame, settings: Settings) -> pl.DataFrame:
    began = time.perf_counter()
    scored = with_scores(featured, settings).collect()
    report_progress(f"features and scores: {scored.height:,} listings ({time.perf_counter() - began:.1f} s)")
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
    ingested: IngestResult,
    checked: ValidationResult,
    scored: pl.DataFrame,
    settings: Settings,
    files: list[InboxFile],
    archive_dir: Path | None,
) -> int:
    """Write the run; returns how many listings' band, flag or score changed."""
    report_progress(f"load: writing {scored.height:,} listings to {db_path} in one transaction")
    finished_at = datetime.now(UTC)
    lineage = {"run_id": pl.lit(run.run_id)}
    stamped = {**lineage, "scored_at": pl.lit(finished_at)}
    return write_run(
        db_path,
        run,
        RunCounts(
            rows_read=ingested.rows_read,
            rows_scored=scored.height,
            rows_rejected=checked.rows_rejected,
            rows_skipped=ingested.skipped.height,
        ),
        listings=scored.with_columns(**lineage),
        scores=scored.with_columns(**stamped),
        channel_costs=channel_costs_long(scored, settings).with_columns(**stamped),
        rejects=checked.rejects.with_columns(**lineage),
        skipped=ingested.skipped.with_columns(**lineage),
        finished_at=finished_at,
        processed_files=processed_files_rows(files, run.run_id, finished_at, archive_dir),
        thresholds=settings.sql_thresholds(),
    )


@stage
def report(summary: RunSummary) -> None:
    """The run's figures as a markdown artifact in the Prefect UI."""
    create_markdown_artifact(
        key="catalogue-run-report",
        markdown=run_report_markdown(summary),
        description=f"xborder run {summary.run_id}",
    )


def new_run(settings: Settings, files: list[InboxFile]) -> RunRecord:
    return RunRecord(
        run_id=str(flow_run.id or uuid.uuid4()),
        started_at=datetime.now(UTC),
        config_hash=settings.config_hash(load_fba_card(settings.fba.card or None)),
        input_files=[str(file.path) for file in files],
        version=xborder_pipeline.__version__,
    )


def score_files(
    files: list[InboxFile],
    database: Path,
    settings: Settings,
    options: IngestOptions,
    run: RunRecord,
    archive_dir: Path | None = None,
) -> RunSummary:
    """The stages of one run, inside whichever flow calls them; a failure is recorded, then raised."""
    began = time.perf_counter()
    try:
        ingested = ingest([file.path for file in files], options)
        checked = validate(ingested, settings)
        featured = features(checked.valid, settings, load_fba_card(settings.fba.card or None))
        scored = score(featured, settings)
        changes = load(database, run, ingested, checked, scored, settings, files, archive_dir)
    except Exception as error:
        try:
            record_failed_run(database, run, error=str(error), finished_at=datetime.now(UTC))
        except Exception as recording_error:  # the run's own error matters more; say both
            get_run_logger().warning("could not record the failed run in %s: %s", database, recording_error)
        raise
    summary = summarise(
        run.run_id,
        database,
        rows_read=ingested.rows_read,
        scores=scored,
        rejects=checked.rejects,
        rows_rejected=checked.rows_rejected,
        rows_skipped=ingested.skipped.height,
        seconds=time.perf_counter() - began,
        changes=changes,
        top_changes=query(
            database,
            """
            select c.listing_id, l.title, c.previous_suitability_band, c.new_suitability_band,
                   c.previous_warehouse_flag, c.new_warehouse_flag, c.previous_suitability_score,
                   c.new_suitability_score
            from score_changes as c left join listings as l using (listing_id)
            where c.run_id = $run
            order by c.change_kind, abs(c.new_suitability_score - c.previous_suitability_score) desc nulls last,
                     c.listing_id
            limit 10
            """,
            {"run": run.run_id},
        ).to_dicts(),
    )
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
) -> RunSummary:
    """Score the listing exports at `paths` into the DuckDB file at `db_path`.

    `file_format` forces one adapter for every file; `mapping_path` names a TOML mapping for exports no
    adapter knows; the units and currency fill in what an export's headers do not say.
    """
    settings = load_settings(config_path)
    database = Path(db_path)
    options = IngestOptions(
        file_format=file_format,
        mapping_path=Path(mapping_path) if mapping_path else None,
        weight_unit=weight_unit,
        length_unit=length_unit,
        currency=currency,
    )
    with exclusive_run(database, settings.run.lock_timeout_seconds):
        files = describe_files([Path(path) for path in paths])
        return score_files(files, database, settings, options, new_run(settings, files))
