"""Prefect flow: score listing exports on a Dask cluster, one input file (partition) per task.

The same run as `score_catalogue` (flows/score_catalogue.py), with its two per-piece steps spread over Dask
workers through Prefect's Dask task runner (prefect-dask):

    stage each file (read + validate, on workers) -> run-wide facts (here) -> score each part (on workers)
    -> load (here: one writer, one transaction) -> report

Workers exchange nothing but small counts with this process: they read the input files and write Parquet
parts into the run's spool folder, which this process then loads into DuckDB. So the workers must see the
same paths as this process: on one machine (a LocalCluster, `--dask-workers N`) that is given; on a real
cluster the input files, the database's folder (or `run.spool_dir`) and this code must be on storage and
installs every worker shares. The guarantees are the local flow's: the run lock is held for the whole run,
a failed run is recorded, the spool is removed either way, and the load is one transaction.

Use `score_on_dask(...)`, which picks the cluster; the `score_catalogue_on_dask` flow itself defaults to a
temporary local cluster of two workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from prefect import flow, unmapped
from prefect.futures import PrefectFuture, as_completed, wait
from prefect_dask import DaskTaskRunner
from xborder_pipeline.flows.score_catalogue import (
    finish,
    load,
    new_run,
    read_and_validate,
    read_sales,
    record_failure,
    run_wide_facts,
    score,
)

from xborder_pipeline.as_of import settings_for_run, with_as_of
from xborder_pipeline.batches import Spool, StagedCounts, partitions, remove_stale_spools, valid_parts
from xborder_pipeline.config import Settings, load_settings
from xborder_pipeline.inbox import InboxFile, describe_files
from xborder_pipeline.ingest import IngestOptions
from xborder_pipeline.progress import report_progress
from xborder_pipeline.run_summary import RunSummary
from xborder_pipeline.sales import Period, find_sales_adapter, parse_period
from xborder_pipeline.store.database import RunRecord
from xborder_pipeline.store.run_lock import exclusive_run

DEFAULT_LOCAL_WORKERS = 2


def local_cluster_kwargs(workers: int) -> dict:
    """A temporary LocalCluster on this machine: `workers` processes of one thread each, no dashboard.

    One thread per worker because each task is already a multi-threaded polars query; parallelism comes from
    processes, which also keeps each task's memory in its own process.
    """
    if workers < 1:
        raise ValueError(f"--dask-workers must be at least 1, got {workers}")
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}


def dask_task_runner(workers: int | None = None, address: str | None = None) -> DaskTaskRunner:
    """Prefect's Dask task runner for a running scheduler at `address`, else for a temporary LocalCluster."""
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs=local_cluster_kwargs(workers or DEFAULT_LOCAL_WORKERS),
    )


@flow(
    name="score_catalogue_on_dask",
    validate_parameters=False,
    task_runner=dask_task_runner(DEFAULT_LOCAL_WORKERS),
)
def score_catalogue_on_dask(
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
) -> RunSummary:
    """Score the listing exports at `paths` into the DuckDB file at `db_path`, each file a Dask task.

    The parameters are those of `score_catalogue`. Give several files (e.g. a catalogue split into Parquet
    files) for the workers to share: one file is one task.
    """
    settings = settings_for_run(with_as_of(load_settings(config_path), as_of))  # one date for every worker
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
        return score_files_on_dask(files, database, settings, options, new_run(settings, files),
                                   sales_period=parse_period(sales_period) if sales_period else None)


def score_files_on_dask(
    files: list[InboxFile],
    database: Path,
    settings: Settings,
    options: IngestOptions,
    run: RunRecord,
    archive_dir: Path | None = None,
    sales_period: Period | None = None,
) -> RunSummary:
    """`score_files` with the stage and score steps mapped over the flow's Dask task runner (sales files,
    small, are read here)."""
    began = time.perf_counter()
    settings = settings_for_run(settings)  # resolving settings already resolved changes nothing
    remove_stale_spools(database, settings)
    spool = Spool.create(database, run.run_id, settings)
    submitted: list[PrefectFuture] = []
    try:
        every = partitions([file.path for file in files])
        is_sales = [find_sales_adapter(partition.path) is not None for partition in every]
        pieces = [partition for partition, sales in zip(every, is_sales, strict=True) if not sales]
        counts = StagedCounts()
        for partition, sales in zip(every, is_sales, strict=True):
            if sales:
                counts += read_sales(partition, settings, spool, sales_period)
        staged = read_and_validate.map(
            pieces, options=unmapped(options), settings=unmapped(settings), spool=unmapped(spool)
        )
        submitted += staged
        for done, future in enumerate(as_completed(staged), start=1):
            counts += future.result()
            report_progress(f"read and validate on Dask: {done}/{len(pieces)} file(s), {counts.rows_read:,} records")
        counts = run_wide_facts(spool, counts, settings, database)  # here, not on a worker: the whole run
        parts = valid_parts(spool)
        scored = score.map(
            parts,
            spool=unmapped(spool),
            settings=unmapped(settings),
            position=[f"{number}/{len(parts)}" for number in range(1, len(parts) + 1)],
        )
        submitted += scored
        listings = 0
        for done, future in enumerate(as_completed(scored), start=1):
            listings += future.result()
            report_progress(f"features and scores on Dask: {done}/{len(parts)} part(s), {listings:,} listings")
        stored = load(database, run, spool, counts, settings, files, archive_dir)  # here: the one writer
    except Exception as error:
        wait(submitted)  # tasks still running on workers write into the spool: let them end before removing it
        record_failure(database, run, error, spool)
        raise
    finally:
        spool.remove()
    return finish(stored, counts, time.perf_counter() - began)


@contextmanager
def _prefect_api_for_local_workers() -> Iterator[None]:
    """Point worker processes on this machine at this process's Prefect API.

    Without PREFECT_API_URL, Prefect starts a temporary API server in each process that needs one: each Dask
    worker would start its own (about 10 s each, and the task runs would not be in this run's API). So start
    this process's temporary server first and hand its address to the task runs (Prefect passes its settings
    to each task it submits). The server listens on 127.0.0.1 only, so this is for a LocalCluster; workers on
    other machines need PREFECT_API_URL pointing at a Prefect server they can reach.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if PREFECT_API_URL.value() or not get_current_settings().server.ephemeral.enabled:
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own client would start in this process
    server.start()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def score_on_dask(
    paths: list[str],
    db_path: str,
    config_path: str | None = None,
    workers: int | None = None,
    address: str | None = None,
    **ingest_options: str | None,
) -> RunSummary:
    """Run `score_catalogue_on_dask` on the scheduler at `address` (else `dask.scheduler_address` from the
    configuration), or, when neither is set, on a temporary LocalCluster of `workers` processes (default 2)."""
    if workers is not None and address:
        raise ValueError("give either a number of local Dask workers or a scheduler address, not both")
    if workers is None and not address:
        address = load_settings(config_path).dask.scheduler_address or None
    if workers is not None and workers < 1:
        raise ValueError(f"--dask-workers must be at least 1, got {workers}")
    runner = dask_task_runner(workers=workers, address=address)
    on_cluster = score_catalogue_on_dask.with_options(task_runner=runner)
    with nullcontext() if address else _prefect_api_for_local_workers():
        return on_cluster(paths=paths, db_path=db_path, config_path=config_path, **ingest_options)
