"""Prefect flow: score listing exports into the DuckDB store.

Reads top to bottom as the run does: ingest -> validate -> features -> score -> load -> summary.
Each task wraps one plain function of xborder_pipeline; only the load retries, as it is the IO step
that can meet a briefly busy database file.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

import xborder_pipeline
from xborder_pipeline.config import Settings, load_settings
from xborder_pipeline.features import with_listing_features
from xborder_pipeline.features.shipping import channel_costs_long
from xborder_pipeline.ingest import IngestOptions, IngestResult, read_listings
from xborder_pipeline.run_summary import RunSummary, check_reject_share, summarise
from xborder_pipeline.scoring import with_scores
from xborder_pipeline.store.database import RunCounts, RunRecord, record_failed_run, write_run
from xborder_pipeline.validation import ValidationResult, validate_listings

# Frames pass between tasks in memory: no result persistence, no input hashing for caches.
stage = task(cache_policy=NO_CACHE, persist_result=False)


@stage
def ingest(paths: list[Path], options: IngestOptions) -> IngestResult:
    result = read_listings(paths, options)
    get_run_logger().info("read %d records from %d file(s)", result.rows_read, len(paths))
    return result


@stage
def validate(ingested: IngestResult, settings: Settings) -> ValidationResult:
    checked = validate_listings(ingested.records, settings, earlier_rejects=ingested.rejects)
    check_reject_share(ingested.rows_read, checked.rows_rejected, settings.run.max_reject_share, checked.rejects)
    get_run_logger().info("%d valid, %d rejected", checked.valid.height, checked.rows_rejected)
    return checked


@stage
def features(valid: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    return with_listing_features(valid, settings)


@stage
def score(featured: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    return with_scores(featured, settings)


@task(cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=2)
def load(
    db_path: Path,
    run: RunRecord,
    ingested: IngestResult,
    checked: ValidationResult,
    scored: pl.DataFrame,
    settings: Settings,
) -> None:
    finished_at = datetime.now(UTC)
    lineage = {"run_id": pl.lit(run.run_id)}
    stamped = {**lineage, "scored_at": pl.lit(finished_at)}
    write_run(
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
    )


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
    began = time.perf_counter()
    settings = load_settings(config_path)
    run = RunRecord(
        run_id=str(flow_run.id or uuid.uuid4()),
        started_at=datetime.now(UTC),
        config_hash=settings.config_hash(),
        input_files=[str(path) for path in paths],
        version=xborder_pipeline.__version__,
    )
    database = Path(db_path)
    try:
        options = IngestOptions(
            file_format=file_format,
            mapping_path=Path(mapping_path) if mapping_path else None,
            weight_unit=weight_unit,
            length_unit=length_unit,
            currency=currency,
        )
        ingested = ingest([Path(path) for path in paths], options)
        checked = validate(ingested, settings)
        featured = features(checked.valid, settings)
        scored = score(featured, settings)
        load(database, run, ingested, checked, scored, settings)
    except Exception as error:
        record_failed_run(database, run, error=str(error), finished_at=datetime.now(UTC))
        raise
    return summarise(
        run.run_id,
        database,
        rows_read=ingested.rows_read,
        scores=scored,
        rejects=checked.rejects,
        rows_rejected=checked.rows_rejected,
        rows_skipped=ingested.skipped.height,
        seconds=time.perf_counter() - began,
    )
