"""Benchmark: end-to-end scoring against the I/O floor and a pandas baseline, on the same synthetic input.

    python benchmarks/run.py --rows 1000000 [--skip-pandas] [--format parquet|csv] [--keep] [--workdir DIR]

Steps, each in its own child process (multiprocessing, 'spawn'), one after the other, on the same input file:

- e2e: the `score_catalogue` Prefect flow, the code path of `xborder score`, in Prefect's ephemeral mode, into a fresh
  DuckDB file. A no-op flow runs first in the same process, so Prefect's fixed start-up (imports and the temporary
  API server) is measured apart from the scoring; e2e_s is the scoring flow alone. The flow's progress lines give
  the seconds per stage.
- floor: the least any implementation must do: read the same file (polars), give the values their types, and load the
  same columns of listings, listing_scores and listing_channel_costs (same tables from the project's DDL, same row
  counts, values copied from the input rather than computed) into a fresh DuckDB file, in one transaction.
- pandas: benchmarks/pandas_baseline.py, the same features and rules written in plain pandas, loading the same tables.

The parent samples each child's resident memory (with its children, e.g. Prefect's API server) every 0.1 s and stops
a step whose tree passes --max-rss-gb. It prints a table and, last, one line:

    RESULT rows=N e2e_s=... floor_s=... ratio_floor=... pandas_s=... ratio_pandas=... peak_rss_mb=...

`--steps nightly-delta` (issue 17) scores the catalogue into a fresh database, then the next night's re-export of it
(benchmarks/generate.py `reexport`: 1% of the listings changed: prices, weights, removed, new) into the same
database, in one child process, and prints

    RESULT rows=N full_s=... delta_s=... ratio_delta=... changed=... peak_rss_mb=...

where ratio_delta = delta_s / full_s, changed = the listings the second run scored again, peak_rss_mb that of the
process over both runs.

where ratio_floor = e2e_s / floor_s, ratio_pandas = pandas_s / e2e_s (how many times faster the pipeline is) and
peak_rss_mb is the peak resident memory of the e2e scoring process (ru_maxrss; the Prefect server process is listed
apart in the table).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import queue
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402 (benchmarks/ is not a package)

STEPS = ("e2e", "floor", "pandas")
DELTA_STEP = "nightly-delta"
DELTA_CHANGED_SHARE = 0.01


@dataclass
class StepResult:
    name: str
    seconds: float | None = None  # the measured work
    total_seconds: float | None = None  # child process start to end
    peak_rss_mb: float | None = None  # the step's own process (ru_maxrss)
    peak_tree_rss_mb: float | None = None  # sampled: the process and its children
    details: dict = field(default_factory=dict)
    error: str | None = None


# --------------------------------------------------------------------------------------------------- child steps


def _own_peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(step: str, arguments: dict, results: multiprocessing.Queue) -> None:
    began = time.perf_counter()
    try:
        steps = {"e2e": _e2e_step, "floor": _floor_step, "pandas": _pandas_step, DELTA_STEP: _delta_step}
        from xborder_pipeline.prefect_runs import heartbeats_only_with_a_server

        with heartbeats_only_with_a_server():  # as `xborder score` runs the flow on Prefect's temporary server
            details = steps[step](**arguments)
        results.put({"ok": True, "details": details, "peak_rss_mb": _own_peak_rss_mb(),
                     "total_seconds": time.perf_counter() - began})
    except BaseException:  # report any failure to the parent, which prints it
        results.put({"ok": False, "error": traceback.format_exc(), "peak_rss_mb": _own_peak_rss_mb(),
                     "total_seconds": time.perf_counter() - began})


class _StageClock:
    """Collects the flow's progress lines (logger xborder.progress) with the time each arrived."""

    def __init__(self) -> None:
        import logging

        self.lines: list[tuple[float, str]] = []
        clock = self

        began = time.perf_counter()

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                clock.lines.append((time.perf_counter(), record.getMessage()))
                rss = psutil.Process().memory_info().rss / 1e6
                print(f"  [e2e +{time.perf_counter() - began:6.1f} s, RSS {rss:,.0f} MB] {record.getMessage()}",
                      file=sys.stderr, flush=True)

        logger = logging.getLogger("xborder.progress")
        logger.addHandler(Handler())
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def stages(self, began: float, ended: float) -> dict[str, float]:
        """Seconds per stage. ingest, validate, features and score log when they end; load logs when it starts
        (so the gap before it is Prefect's task hand-off) and runs, with the summary and report, to the flow's end."""
        seconds: dict[str, float] = {}
        previous = began
        for at, message in self.lines:
            stage = message.split(":", 1)[0].strip()
            if stage == "load":
                seconds["hand-off to load"] = at - previous
                seconds["load + summary + report"] = ended - at
                return seconds
            seconds[stage] = at - previous
            previous = at
        seconds["rest"] = ended - previous
        return seconds


def _e2e_step(input_path: str, db_path: str) -> dict:
    began = time.perf_counter()
    from prefect import flow

    @flow(name="benchmark_warm_up")
    def warm_up() -> None:
        return None

    warm_up()
    started = time.perf_counter()
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    clock = _StageClock()
    me = psutil.Process()
    cpu_before = _cpu_seconds(me)
    imported = time.perf_counter()
    summary = score_catalogue(paths=[input_path], db_path=db_path)
    ended = time.perf_counter()
    cpu_after = _cpu_seconds(me)
    stages = clock.stages(imported, ended)
    rerun_s = _unchanged_rerun_seconds(input_path, db_path)
    return {
        "cpu_s": cpu_after[0] - cpu_before[0],
        "server_cpu_s": cpu_after[1] - cpu_before[1],
        "seconds": ended - imported,
        "prefect_startup_s": started - began,
        "pipeline_import_s": imported - started,
        "stages": stages,
        "rerun_s": rerun_s,
        "rows_read": summary.rows_read,
        "rows_scored": summary.rows_scored,
        "rows_rejected": summary.rows_rejected,
        "db_mb": Path(db_path).stat().st_size / 1e6,
    }


def _delta_step(input_path: str, db_path: str, next_path: str) -> dict:
    """The catalogue scored into a fresh database, then its re-export (1% changed) into the same one."""
    from prefect import flow

    @flow(name="benchmark_warm_up")
    def warm_up() -> None:
        return None

    warm_up()
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    from xborder_pipeline.store.database import query

    clock = _StageClock()
    began = time.perf_counter()
    full = score_catalogue(paths=[input_path], db_path=db_path)
    full_ended = time.perf_counter()
    full_stages = clock.stages(began, full_ended)
    clock.lines.clear()
    delta = score_catalogue(paths=[next_path], db_path=db_path)
    ended = time.perf_counter()
    rescored = query(Path(db_path), "select listings_rescored from pipeline_runs where run_id = $run",
                     {"run": delta.run_id}).item()
    return {
        "seconds": ended - full_ended,
        "full_s": full_ended - began,
        "stages": clock.stages(full_ended, ended),
        "full_stages": full_stages,
        "changed": rescored,
        "rows_scored": delta.rows_scored,
        "full_rows_scored": full.rows_scored,
        "rescore_reason": delta.rescore_reason,
        "db_mb": Path(db_path).stat().st_size / 1e6,
    }


def _unchanged_rerun_seconds(input_path: str, db_path: str) -> float:
    """The nightly flow over an inbox holding the same input file again: it finds nothing new."""
    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    inbox = Path(db_path).with_name(Path(db_path).stem + "-inbox")
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    os.link(input_path, inbox / Path(input_path).name)  # same content, no copy
    try:
        began = time.perf_counter()
        summary = nightly_catalogue_scoring(db_path=db_path, inbox=str(inbox), archive_dir="")
        seconds = time.perf_counter() - began
    finally:
        shutil.rmtree(inbox, ignore_errors=True)
    if summary is not None:
        raise RuntimeError("the unchanged rerun scored something: the input was not recognised as processed")
    return seconds


def _cpu_seconds(process: psutil.Process) -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its live children (Prefect's API server)."""
    own = process.cpu_times()
    children = 0.0
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
            children += times.user + times.system
        except psutil.Error:
            pass
    return own.user + own.system, children


def _input_batches(path: Path, batch_rows: int):
    """The input file as Arrow record batches of text columns, streamed (never the whole file in memory)."""
    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        yield from pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=batch_rows)  # see ingest/reading.py
        return
    reader = pv.open_csv(
        path,
        read_options=pv.ReadOptions(block_size=64 << 20),
        convert_options=pv.ConvertOptions(column_types={name: pa.string() for name in generate.COLUMNS},
                                          strings_can_be_null=True),
    )
    yield from reader


def _floor_step(input_path: str, db_path: str, batch_rows: int = 1_000_000) -> dict:
    """Read, type and load the same columns with no computation: the least any implementation pays.

    Streams the input in batches and commits each batch (autocommit), so the floor's memory stays flat in N: a
    single transaction over the whole load makes DuckDB's memory grow with the rows written (see
    docs/performance.md). Values are copied from input columns of the same type, never computed.
    """
    import duckdb
    import polars as pl

    from xborder_pipeline.config import load_settings
    from xborder_pipeline.store.database import (
        CHANNEL_COST_COLUMNS,
        LISTING_COLUMNS,
        SCORE_COLUMNS,
        ensure_schema,
    )

    channels = list(load_settings().channels)
    began, cpu_began = time.perf_counter(), time.process_time()
    seconds = {"read": 0.0, "type + copy columns": 0.0, "insert": 0.0}
    rows = channel_rows = 0
    run_id = "benchmark-floor"
    scored_at = datetime.now(UTC)
    with duckdb.connect(db_path) as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute("set preserve_insertion_order = false")
        ensure_schema(connection)
        seconds["create schema"] = time.perf_counter() - began
        # The columns' types, as the project's DDL declares them.
        types = {
            table: {
                name: (data_type, nullable == "YES")
                for name, data_type, nullable in connection.execute(
                    "select column_name, data_type, is_nullable from information_schema.columns where table_name = ?",
                    [table],
                ).fetchall()
            }
            for table in ("listings", "listing_scores", "listing_channel_costs")
        }
        decimals = ["price", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "monthly_units_sold"]
        batches = _input_batches(Path(input_path), batch_rows)
        while True:
            mark = time.perf_counter()
            batch = next(batches, None)
            if batch is None:
                break
            raw = pl.from_arrow(batch)
            seconds["read"] += time.perf_counter() - mark
            mark = time.perf_counter()
            typed = raw.with_columns(
                *(pl.col(name).cast(pl.Float64, strict=False) for name in decimals),
                *(pl.col(name).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
                  for name in ("stock_qty", "moq")),
                listing_id=pl.coalesce("listing_id", "sku"),
            ).with_row_index("_row", offset=rows + 1)
            tables = {
                "listings": typed.select(
                    _copied(name, types["listings"][name], typed, run_id, scored_at) for name in LISTING_COLUMNS
                ),
                "listing_scores": typed.select(
                    _copied(name, types["listing_scores"][name], typed, run_id, scored_at) for name in SCORE_COLUMNS
                ),
                "listing_channel_costs": pl.concat([
                    typed.select(
                        _copied(name, types["listing_channel_costs"][name], typed, run_id, scored_at, channel)
                        for name in CHANNEL_COST_COLUMNS
                    )
                    for channel in channels
                ]),
            }
            seconds["type + copy columns"] += time.perf_counter() - mark
            mark = time.perf_counter()
            for table, frame in tables.items():
                connection.register("incoming_rows", frame.to_arrow())
                connection.execute(f"insert into {table} by name select * from incoming_rows")  # noqa: S608
                connection.unregister("incoming_rows")
            seconds["insert"] += time.perf_counter() - mark
            rows += typed.height
            channel_rows += tables["listing_channel_costs"].height
            del raw, typed, tables
        closing = time.perf_counter()
    seconds["close (checkpoint)"] = time.perf_counter() - closing
    return {
        "seconds": time.perf_counter() - began,
        "cpu_s": time.process_time() - cpu_began,
        "stages": seconds,
        "rows_loaded": rows,
        "channel_rows_loaded": channel_rows,
        "db_mb": Path(db_path).stat().st_size / 1e6,
    }


# Input columns whose values stand in for computed ones of the same type (copied, never computed).
_DOUBLE_SOURCES = ("price", "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "monthly_units_sold")
_TEXT_SOURCES = ("marketplace", "currency", "category")


def _copied(name: str, declared: tuple[str, bool], typed, run_id: str, scored_at: datetime,
            channel: str | None = None):
    """A column of the output, filled with an input column of the same type (or a constant): no computation."""
    sql_type, nullable = declared
    column = _source_of(name, sql_type, typed, run_id, scored_at, channel)
    if nullable:
        return column
    filler = {"DOUBLE": 0.0, "BOOLEAN": False, "VARCHAR": "", "BIGINT": 0, "INTEGER": 0}.get(sql_type)
    return column.fill_null(filler) if filler is not None else column


def _source_of(name: str, sql_type: str, typed, run_id: str, scored_at: datetime, channel: str | None):
    import polars as pl

    if name in typed.columns and name != "is_physical":
        column = pl.col(name)
        return column.cast(pl.Float64) if sql_type == "DOUBLE" else column
    if name == "run_id":
        return pl.lit(run_id).alias(name)
    if name == "scored_at":
        return pl.lit(scored_at).alias(name)
    if name == "channel":
        return pl.lit(channel).alias(name)
    if name == "source_file":
        return pl.lit("listings.parquet").alias(name)
    if name == "source_row":
        return pl.col("_row").cast(pl.Int64).alias(name)
    position = sum(map(ord, name))  # a fixed, spread choice of source column per output column
    if sql_type == "DOUBLE":
        return pl.col(_DOUBLE_SOURCES[position % len(_DOUBLE_SOURCES)]).alias(name)
    if sql_type in {"BIGINT", "INTEGER"}:
        dtype = pl.Int64 if sql_type == "BIGINT" else pl.Int32
        return pl.col("stock_qty" if position % 2 else "moq").cast(dtype).alias(name)
    if sql_type == "BOOLEAN":
        return pl.col("stock_qty").is_null().alias(name) if position % 2 else pl.col("moq").is_null().alias(name)
    if sql_type == "VARCHAR[]":
        return pl.lit(["NO_WAREHOUSE_ADVANTAGE", "NO_UNIT_COST"], pl.List(pl.String)).alias(name)
    if sql_type == "VARCHAR":
        return pl.col(_TEXT_SOURCES[position % len(_TEXT_SOURCES)]).alias(name)
    return pl.lit(None).alias(name)


def _pandas_step(input_path: str, db_path: str) -> dict:
    began = time.perf_counter()
    import pandas_baseline

    from xborder_pipeline.config import load_settings
    from xborder_pipeline.features.fba import load_fba_card

    settings, card = load_settings(), load_fba_card()
    imported, cpu_began = time.perf_counter(), time.process_time()
    counts = pandas_baseline.score_file(Path(input_path), Path(db_path), settings, card)
    ended = time.perf_counter()
    return {"seconds": ended - imported, "cpu_s": time.process_time() - cpu_began, "import_s": imported - began,
            **counts,
            "db_mb": Path(db_path).stat().st_size / 1e6}


# ---------------------------------------------------------------------------------------------------- the parent


def _tree_rss(process: psutil.Process) -> tuple[float, float]:
    """(own RSS, RSS of the process and all its descendants), in MB."""
    try:
        own = process.memory_info().rss
    except psutil.Error:
        return 0.0, 0.0
    total = own
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return own / 1e6, total / 1e6


def run_step(step: str, arguments: dict, max_rss_gb: float) -> StepResult:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_child, args=(step, arguments, results), name=f"benchmark-{step}")
    began = time.perf_counter()
    child.start()
    watched = psutil.Process(child.pid)
    result = StepResult(step)
    peak_tree = 0.0
    message = None
    while True:
        try:
            message = results.get(timeout=0.1)
            break
        except queue.Empty:
            pass
        _, tree = _tree_rss(watched)
        peak_tree = max(peak_tree, tree)
        if tree > max_rss_gb * 1e3:
            for process in [*watched.children(recursive=True), watched]:
                try:
                    process.kill()
                except psutil.Error:
                    pass
            result.error = f"stopped: memory passed {max_rss_gb} GB ({tree / 1e3:.1f} GB)"
            break
        if not child.is_alive() and results.empty():
            result.error = f"child exited with code {child.exitcode} and no result"
            break
    child.join(timeout=60)
    result.total_seconds = time.perf_counter() - began
    result.peak_tree_rss_mb = peak_tree
    if message is not None:
        result.peak_rss_mb = message["peak_rss_mb"]
        result.peak_tree_rss_mb = max(peak_tree, message["peak_rss_mb"])
        if message["ok"]:
            result.details = message["details"]
            result.seconds = result.details.pop("seconds")
        else:
            result.error = message["error"]
    return result


def _fastest(attempts: list[StepResult]) -> StepResult:
    """The fastest successful attempt, with every attempt's seconds and the highest peak memory noted."""
    done = [attempt for attempt in attempts if attempt.error is None]
    if not done:
        return attempts[-1]
    best = min(done, key=lambda attempt: attempt.seconds)
    best.details["attempts_s"] = [round(attempt.seconds, 2) for attempt in done]
    best.peak_rss_mb = max(attempt.peak_rss_mb or 0.0 for attempt in done)
    best.peak_tree_rss_mb = max(attempt.peak_tree_rss_mb or 0.0 for attempt in done)
    return best


def _prefect_environment(prefect_home: Path) -> None:
    """Prefect's ephemeral mode, quiet, with its files in a folder of ours (inherited by the children)."""
    os.environ["PREFECT_HOME"] = str(prefect_home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.pop("XBORDER_CONFIG", None)


def _number(value: float | None, digits: int = 2) -> str:
    return "na" if value is None else f"{value:.{digits}f}"


def _machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (f"{platform.node()} | {platform.system()} {platform.release()} | {psutil.cpu_count(logical=True)} CPUs "
            f"({platform.processor() or platform.machine()}) | {memory:.0f} GiB | Python {platform.python_version()}")


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for package in ("polars", "duckdb", "prefect", "pandera", "pyarrow", "pandas"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} -")
    return ", ".join(parts)


def print_table(rows: int, results: dict[str, StepResult], generated: dict) -> None:
    print(f"\nbenchmark: {rows:,} rows, input {generated['path']} ({generated['mb']:,.0f} MB), "
          f"generated in {generated['seconds']:.1f} s{' (reused)' if generated['reused'] else ''}")
    print(f"machine: {_machine()}")
    print(f"versions: {_versions()}")
    print(f"date: {datetime.now(UTC).isoformat(timespec='seconds')}\n")
    print(f"{'step':<8} {'seconds':>9} {'CPU s':>7} {'rows/s':>11} {'peak RSS MB':>12} {'tree MB':>9} "
          f"{'process s':>10}  notes")
    for name, result in results.items():
        rate = f"{rows / result.seconds:,.0f}" if result.seconds else "-"
        notes = ""
        if result.error:
            notes = result.error.strip().splitlines()[-1][:120]
        elif name == "e2e":
            notes = (f"+ Prefect start-up {result.details['prefect_startup_s']:.1f} s (fixed, apart); "
                     f"scored {result.details['rows_scored']:,}, rejected {result.details['rows_rejected']:,}; "
                     f"Prefect server CPU {result.details['server_cpu_s']:.1f} s; unchanged nightly rerun "
                     f"{result.details['rerun_s']:.1f} s ({result.details['rerun_s'] / result.seconds:.1%} of e2e)")
        elif name == "floor":
            notes = (f"loaded {result.details['rows_loaded']:,} listings + "
                     f"{result.details['channel_rows_loaded']:,} channel rows")
        elif name == "pandas":
            notes = f"scored {result.details['rows_scored']:,}, rejected {result.details['rows_rejected']:,}"
        elif name == DELTA_STEP:
            notes = (f"full run {result.details['full_s']:.1f} s, then the re-export: "
                     f"{result.details['rescore_reason']}")
        print(f"{name:<8} {_number(result.seconds, 1):>9} {_number(result.details.get('cpu_s'), 0):>7} {rate:>11} "
              f"{_number(result.peak_rss_mb, 0):>12} "
              f"{_number(result.peak_tree_rss_mb, 0):>9} {_number(result.total_seconds, 1):>10}  {notes}")
    for name, result in results.items():
        if len(result.details.get("attempts_s", [])) > 1:
            print(f"{name}: fastest of {result.details['attempts_s']} s")
    print("\nmachine load average (1 min) before / after each step, 2 cores: " + ", ".join(
        f"{name} {result.details['load_average'][0]:.1f} / {result.details['load_average'][1]:.1f}"
        for name, result in results.items() if "load_average" in result.details))
    for name, result in results.items():
        for key, label in (("full_stages", f"{name} (full run)"), ("stages", name)):
            stages = result.details.get(key)
            if stages:
                print(f"\n{label} stages (s): " + ", ".join(f"{stage} {seconds:.1f}"
                                                             for stage, seconds in stages.items()))
    for name, result in results.items():
        if result.error and "Traceback" in result.error:
            print(f"\n{name} failed:\n{result.error}")


def result_line(rows: int, results: dict[str, StepResult]) -> str:
    e2e, floor, pandas = (results.get(name) for name in STEPS)
    e2e_s = e2e.seconds if e2e else None
    floor_s = floor.seconds if floor else None
    pandas_s = pandas.seconds if pandas else None
    ratio_floor = e2e_s / floor_s if e2e_s and floor_s else None
    ratio_pandas = pandas_s / e2e_s if e2e_s and pandas_s else None
    peak = e2e.peak_rss_mb if e2e and e2e.seconds else None
    return (f"RESULT rows={rows} e2e_s={_number(e2e_s)} floor_s={_number(floor_s)} ratio_floor={_number(ratio_floor)} "
            f"pandas_s={_number(pandas_s)} ratio_pandas={_number(ratio_pandas)} peak_rss_mb={_number(peak, 0)}")


def delta_result_line(rows: int, result: StepResult) -> str:
    full_s = result.details.get("full_s")
    delta_s = result.seconds
    ratio = delta_s / full_s if delta_s and full_s else None
    changed = result.details.get("changed")
    return (f"RESULT rows={rows} full_s={_number(full_s)} delta_s={_number(delta_s)} ratio_delta={_number(ratio, 3)} "
            f"changed={changed if changed is not None else 'na'} "
            f"peak_rss_mb={_number(result.peak_rss_mb if result.seconds else None, 0)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark xborder scoring against the I/O floor and pandas.")
    parser.add_argument("--rows", type=int, required=True, help="synthetic listings to generate and score")
    parser.add_argument("--skip-pandas", action="store_true", help="leave out the pandas baseline (large N)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="input file format")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (input and databases)")
    parser.add_argument("--workdir", type=Path, help="work folder; an input of the same N and seed there is reused")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"comma-separated subset of e2e,floor,pandas, or {DELTA_STEP}")
    parser.add_argument("--max-rss-gb", type=float, default=20.0, help="stop a step whose memory passes this")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run e2e and floor this many times each and keep the fastest (the machine is shared)")
    arguments = parser.parse_args(argv)

    steps = [step for step in arguments.steps.split(",") if step]
    unknown = set(steps) - {*STEPS, DELTA_STEP}
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if arguments.skip_pandas:
        steps = [step for step in steps if step != "pandas"]

    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="xborder-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    _prefect_environment(workdir / "prefect-home")
    try:
        input_dir = workdir / f"input-seed{arguments.seed}"
        input_path = generate.output_paths(input_dir, arguments.rows)[arguments.format]
        began = time.perf_counter()
        reused = input_path.exists()
        if not reused:
            generate.generate(arguments.rows, input_dir, seed=arguments.seed, formats=(arguments.format,))
        generated = {"path": input_path, "mb": input_path.stat().st_size / 1e6,
                     "seconds": time.perf_counter() - began, "reused": reused}
        results: dict[str, StepResult] = {}
        if DELTA_STEP in steps:
            results[DELTA_STEP] = _run_delta(arguments, input_path, workdir)
        for step in STEPS:
            if step not in steps:
                continue
            db_path = workdir / f"{step}_{arguments.rows}.duckdb"
            print(f"running {step} ...", file=sys.stderr, flush=True)
            attempts = []
            for _ in range(arguments.repeat if step != "pandas" else 1):
                for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
                    stale.unlink(missing_ok=True)
                load_before = os.getloadavg()[0]
                attempt = run_step(step, {"input_path": str(input_path), "db_path": str(db_path)},
                                   arguments.max_rss_gb)
                attempt.details["load_average"] = (load_before, os.getloadavg()[0])
                attempts.append(attempt)
                if attempt.error:
                    break
            results[step] = _fastest(attempts)
            if not arguments.keep:
                for leftover in (db_path, *(db_path.with_name(db_path.name + end) for end in (".wal", ".lock"))):
                    leftover.unlink(missing_ok=True)
        print_table(arguments.rows, results, generated)
        if any(step in steps for step in STEPS):
            print(result_line(arguments.rows, results))
        if DELTA_STEP in results:
            print(delta_result_line(arguments.rows, results[DELTA_STEP]))
        return 0 if all(result.error is None for result in results.values()) else 1
    finally:
        if not arguments.keep and arguments.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not arguments.keep:
            shutil.rmtree(workdir / "prefect-home", ignore_errors=True)


def _run_delta(arguments: argparse.Namespace, input_path: Path, workdir: Path) -> StepResult:
    """The nightly-delta step: the re-export is made (once per N and seed) before the child starts, untimed."""
    next_path = input_path.parent / "next-night" / input_path.name
    if not next_path.exists():
        generate.reexport(input_path, next_path, changed_share=DELTA_CHANGED_SHARE, seed=arguments.seed)
    db_path = workdir / f"{DELTA_STEP}_{arguments.rows}.duckdb"
    leftovers = (db_path, *(db_path.with_name(db_path.name + end) for end in (".wal", ".lock")))
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    print(f"running {DELTA_STEP} ...", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    result = run_step(DELTA_STEP, {"input_path": str(input_path), "db_path": str(db_path),
                                   "next_path": str(next_path)}, arguments.max_rss_gb)
    result.details["load_average"] = (load_before, os.getloadavg()[0])
    if not arguments.keep:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    return result


if __name__ == "__main__":
    sys.exit(main())
