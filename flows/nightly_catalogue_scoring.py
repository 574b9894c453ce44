"""Prefect flow for the nightly schedule: score what is new in the inbox, then archive it.

New means content not scored before (processed_files holds the SHA-256 of every file a successful run
scored), so an unchanged inbox costs a directory listing and a hash per file. `full_refresh` scores
every inbox file again. The deployment that runs this every night is made by `xborder serve` (or
prefect.yaml for a Prefect server or Prefect Cloud); the schedule lives there, not here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from xborder_pipeline.flows.score_catalogue import new_run, score_files

from xborder_pipeline.as_of import settings_for_run, with_as_of
from xborder_pipeline.config import load_settings
from xborder_pipeline.inbox import archive, inbox_files
from xborder_pipeline.ingest import IngestOptions
from xborder_pipeline.run_summary import RunSummary
from xborder_pipeline.store.database import already_processed, record_nothing_new
from xborder_pipeline.store.run_lock import exclusive_run


@flow(name="nightly_catalogue_scoring", validate_parameters=False)
def nightly_catalogue_scoring(
    db_path: str,
    inbox: str | None = None,
    archive_dir: str | None = None,
    config_path: str | None = None,
    full_refresh: bool = False,
    as_of: str | None = None,
) -> RunSummary | None:
    """Score the inbox's new files into `db_path`; returns None when nothing was new.

    Sales and order exports in the inbox load the sales history with the listings (reports without dates
    take their period from `[[sales_periods]]`). `as_of` (YYYY-MM-DD) is the date the run prices by and
    judges demand by; default run.as_of, else today in schedule.timezone.
    """
    settings = settings_for_run(with_as_of(load_settings(config_path), as_of))
    database = Path(db_path)
    inbox_folder = Path(inbox or settings.schedule.inbox)
    archive_folder = archive_dir if archive_dir is not None else settings.schedule.archive_dir
    archive_to = Path(archive_folder) if archive_folder else None
    logger = get_run_logger()
    with exclusive_run(database, settings.run.lock_timeout_seconds):
        candidates = inbox_files(inbox_folder)
        done = set() if full_refresh else already_processed(database, [file.content_sha256 for file in candidates])
        new_files = [file for file in candidates if file.content_sha256 not in done]
        run = new_run(settings, new_files)
        if not new_files:
            logger.info("nothing new in %s (%d file(s) already scored)", inbox_folder, len(candidates))
            record_nothing_new(database, run, finished_at=datetime.now(UTC))
            return None
        logger.info("scoring %d new file(s) of %d in %s", len(new_files), len(candidates), inbox_folder)
        summary = score_files(
            new_files, database, settings, IngestOptions(sources=tuple(settings.sources)), run, archive_to,
            full_refresh=full_refresh,
        )
        if archive_to is not None:
            archive(new_files, archive_to, run.run_id)
        return summary
