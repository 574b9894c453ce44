"""Benchmark: the Dask path (flows/score_on_dask.py) with 1 and 2 local workers, next to the local flow.

    python benchmarks/dask_workers.py --rows 1000000 [--workers 1,2] [--partitions 8] [--no-local]
                                      [--workdir DIR] [--repeat K] [--max-rss-gb 20] [--seed S]

The generated input (benchmarks/generate.py, Parquet) is split into --partitions Parquet files of equal rows: one
file is one stage task. Then, each in its own child process ('spawn'), one after the other, into a fresh DuckDB file:

- local: the `score_catalogue` flow (batched, one process) on the same files;
- dask-N: `score_on_dask(..., workers=N)`, a temporary LocalCluster of N worker processes of one thread each.

Each child first runs a no-op flow (Prefect's temporary API starts: reported apart, as in run.py). For dask-N it
then runs a no-op flow on an N-worker cluster, so the fixed cost of starting and stopping a cluster is measured
apart too; `seconds` is the scoring run alone, which starts its own cluster again (that cost is in it).

The parent samples the child's whole process tree (the driver, Prefect's API server, the Dask nanny and worker
processes) every 0.1 s: peak RSS of the tree and CPU seconds of every process seen. It prints a table and, last,
one line per step:

    DASK rows=N step=dask-2 partitions=P seconds=... rows_per_s=... startup_s=... cpu_s=... peak_tree_rss_mb=...
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import queue
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import psutil

BENCHMARKS = Path(__file__).resolve().parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402 (benchmarks/ is not a package)
import run as harness  # noqa: E402

# ------------------------------------------------------------------------------------------------------ the input


def split_input(source: Path, partitions: int, out_dir: Path) -> list[Path]:
    """`source` as `partitions` Parquet files of (nearly) equal rows, streamed; reused when already there."""
    import polars as pl
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(source).metadata.num_rows
    folder = out_dir / f"{source.stem}-in-{partitions}"
    paths = [folder / f"part-{number:03d}.parquet" for number in range(partitions)]
    if all(path.exists() for path in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    size = math.ceil(rows / partitions)
    for number, path in enumerate(paths):
        pl.scan_parquet(source).slice(number * size, size).sink_parquet(path.with_suffix(".tmp"), compression="zstd")
        path.with_suffix(".tmp").rename(path)
    return paths


# ------------------------------------------------------------------------------------------------- the child step


class _Clock:
    """The flow's progress lines (logger xborder.progress), with when each arrived."""

    def __init__(self) -> None:
        import logging

        self.lines: list[tuple[float, str]] = []
        clock = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                clock.lines.append((time.perf_counter(), record.getMessage()))

        logger = logging.getLogger("xborder.progress")
        logger.addHandler(Handler())
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def phases(self, began: float, ended: float) -> dict[str, float]:
        """Seconds from the start to the last file staged, to the facts, to the last part scored, and the rest."""
        marks: dict[str, float | None] = {"stage": None, "run-wide facts": None, "score": None}
        for at, message in self.lines:
            if message.startswith("read and validate"):
                marks["stage"] = at
            elif message.startswith("run-wide"):
                marks["run-wide facts"] = at
            elif message.startswith("features and scores"):
                marks["score"] = at
        seconds, previous = {}, began
        for name, at in marks.items():
            if at is not None:
                seconds[name] = at - previous
                previous = at
        seconds["load + summary"] = ended - previous
        return seconds


def _step(step: str, paths: list[str], db_path: str) -> dict:
    from prefect import flow

    began = time.perf_counter()

    @flow(name="benchmark_warm_up")
    def warm_up() -> None:
        return None

    warm_up()
    prefect_startup = time.perf_counter() - began
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    details: dict = {"prefect_startup_s": prefect_startup}
    workers = int(step.split("-")[1]) if step.startswith("dask-") else None
    if workers is not None:
        from xborder_pipeline.flows.score_on_dask import _prefect_api_for_local_workers, dask_task_runner

        @flow(name="benchmark_dask_warm_up")
        def dask_warm_up() -> None:
            from prefect import task

            @task
            def nothing(number: int) -> int:
                return number

            for future in nothing.map(range(workers)):
                future.result()

        mark = time.perf_counter()
        with _prefect_api_for_local_workers():
            dask_warm_up.with_options(task_runner=dask_task_runner(workers=workers))()
        details["cluster_startup_s"] = time.perf_counter() - mark
    clock = _Clock()
    mark = time.perf_counter()
    if workers is None:
        summary = score_catalogue(paths=paths, db_path=db_path)
    else:
        from xborder_pipeline.flows.score_on_dask import score_on_dask

        summary = score_on_dask(paths=paths, db_path=db_path, workers=workers)
    ended = time.perf_counter()
    details.update(seconds=ended - mark, phases=clock.phases(mark, ended), rows_read=summary.rows_read,
                   rows_scored=summary.rows_scored, rows_rejected=summary.rows_rejected,
                   db_mb=Path(db_path).stat().st_size / 1e6)
    return details


def _child(step: str, paths: list[str], db_path: str, results: multiprocessing.Queue) -> None:
    try:
        results.put({"ok": True, "details": _step(step, paths, db_path)})
    except BaseException:
        results.put({"ok": False, "error": traceback.format_exc()})


# ----------------------------------------------------------------------------------------------------- the parent


def run_step(step: str, paths: list[Path], db_path: Path, max_rss_gb: float) -> dict:
    """Run one step in a child process, sampling its process tree; returns its details, peak and CPU."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_child, args=(step, [str(path) for path in paths], str(db_path), results))
    load_before = os.getloadavg()[0]
    child.start()
    root = psutil.Process(child.pid)
    cpu_by_pid: dict[int, float] = {}
    peak_tree = 0.0
    message = None
    while True:
        try:
            message = results.get(timeout=0.1)
            break
        except queue.Empty:
            pass
        tree = 0.0
        for process in [root, *_descendants(root)]:
            try:
                tree += process.memory_info().rss
                times = process.cpu_times()
                cpu_by_pid[process.pid] = times.user + times.system  # last seen, per process
            except psutil.Error:
                pass
        peak_tree = max(peak_tree, tree / 1e6)
        if peak_tree > max_rss_gb * 1e3:
            for process in [*_descendants(root), root]:
                try:
                    process.kill()
                except psutil.Error:
                    pass
            return {"error": f"stopped: memory passed {max_rss_gb} GB", "peak_tree_rss_mb": peak_tree}
        if not child.is_alive() and results.empty():
            return {"error": f"child exited with code {child.exitcode} and no result", "peak_tree_rss_mb": peak_tree}
    child.join(timeout=120)
    outcome = {"peak_tree_rss_mb": peak_tree, "cpu_s": sum(cpu_by_pid.values()),
               "load_average": (load_before, os.getloadavg()[0])}
    if message["ok"]:
        outcome.update(message["details"])
    else:
        outcome["error"] = message["error"]
    return outcome


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The Dask path with 1, 2, ... local workers, next to the local flow.")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of local Dask workers")
    parser.add_argument("--partitions", type=int, default=8, help="input files the generated input is split into")
    parser.add_argument("--no-local", action="store_true", help="leave out the local (one process) flow")
    parser.add_argument("--workdir", type=Path, help="work folder; the input there is reused (default: temporary)")
    parser.add_argument("--repeat", type=int, default=1, help="run each step this many times, keep the fastest")
    parser.add_argument("--max-rss-gb", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    arguments = parser.parse_args(argv)

    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="xborder-dask-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    harness._prefect_environment(workdir / "prefect-home")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    input_dir = workdir / f"input-seed{arguments.seed}"
    source = generate.output_paths(input_dir, arguments.rows)["parquet"]
    if not source.exists():
        print(f"generating {arguments.rows:,} listings ...", file=sys.stderr, flush=True)
        generate.generate(arguments.rows, input_dir, seed=arguments.seed, formats=("parquet",))
    paths = split_input(source, arguments.partitions, input_dir)
    steps = ([] if arguments.no_local else ["local"]) + [f"dask-{int(n)}" for n in arguments.workers.split(",") if n]

    results: dict[str, dict] = {}
    for step in steps:
        db_path = workdir / f"{step}_{arguments.rows}.duckdb"
        attempts = []
        for attempt in range(arguments.repeat):
            for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
                stale.unlink(missing_ok=True)
            print(f"running {step} ({attempt + 1}/{arguments.repeat}) ...", file=sys.stderr, flush=True)
            outcome = run_step(step, paths, db_path, arguments.max_rss_gb)
            attempts.append(outcome)
            print(f"  {step}: {_brief(outcome)}", file=sys.stderr, flush=True)
            if "error" in outcome:
                break
        done = [outcome for outcome in attempts if "error" not in outcome]
        best = min(done, key=lambda outcome: outcome["seconds"]) if done else attempts[-1]
        best["attempts_s"] = [round(outcome["seconds"], 1) for outcome in done]
        results[step] = best
        for leftover in (db_path, *(db_path.with_name(db_path.name + end) for end in (".wal", ".lock"))):
            leftover.unlink(missing_ok=True)

    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    print(f"\n{arguments.rows:,} listings in {len(paths)} Parquet files ({megabytes:.0f} MB), {input_dir}")
    print(f"machine: {harness._machine()}")
    print(f"versions: {harness._versions()}, dask/distributed {_version('distributed')}, "
          f"prefect-dask {_version('prefect-dask')}")
    print(f"date: {datetime.now(UTC).isoformat(timespec='seconds')}\n")
    print(f"{'step':<8} {'seconds':>8} {'rows/s':>9} {'CPU s':>7} {'peak tree MB':>13} {'cluster s':>10} "
          f"{'load avg':>10}  phases (s)")
    for step, outcome in results.items():
        if "error" in outcome:
            print(f"{step:<8} failed: {outcome['error'].strip().splitlines()[-1][:150]}")
            continue
        phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in outcome["phases"].items())
        cluster = outcome.get("cluster_startup_s")
        print(f"{step:<8} {outcome['seconds']:>8.1f} {arguments.rows / outcome['seconds']:>9,.0f} "
              f"{outcome['cpu_s']:>7.0f} {outcome['peak_tree_rss_mb']:>13,.0f} "
              f"{'-' if cluster is None else f'{cluster:.1f}':>10} "
              f"{outcome['load_average'][0]:>4.1f}/{outcome['load_average'][1]:<4.1f}  {phases}"
              + (f"; fastest of {outcome['attempts_s']}" if len(outcome["attempts_s"]) > 1 else ""))
    print()
    for step, outcome in results.items():
        if "error" in outcome:
            print(f"DASK rows={arguments.rows} step={step} partitions={len(paths)} seconds=na")
            if "Traceback" in outcome["error"]:
                print(outcome["error"], file=sys.stderr)
            continue
        print(f"DASK rows={arguments.rows} step={step} partitions={len(paths)} seconds={outcome['seconds']:.2f} "
              f"rows_per_s={arguments.rows / outcome['seconds']:.0f} "
              f"startup_s={outcome.get('cluster_startup_s', 0.0):.2f} cpu_s={outcome['cpu_s']:.0f} "
              f"peak_tree_rss_mb={outcome['peak_tree_rss_mb']:.0f} rows_scored={outcome['rows_scored']} "
              f"db_mb={outcome['db_mb']:.0f}")
    return 0 if all("error" not in outcome for outcome in results.values()) else 1


def _brief(outcome: dict) -> str:
    if "error" in outcome:
        return outcome["error"].strip().splitlines()[-1][:200]
    return f"{outcome['seconds']:.1f} s, peak tree {outcome['peak_tree_rss_mb']:,.0f} MB, CPU {outcome['cpu_s']:.0f} s"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


if __name__ == "__main__":
    sys.exit(main())
