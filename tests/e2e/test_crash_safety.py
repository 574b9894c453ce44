"""A run killed with SIGKILL in the middle of its load leaves the previous state intact; a rerun completes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import SAMPLE_CATALOGUE
from xborder_pipeline.store.database import query

pytestmark = pytest.mark.e2e

TABLES = ("listings", "listing_scores", "listing_channel_costs", "score_changes", "rejected_rows", "processed_files")


def _big_catalogue(path: Path, copies: int) -> Path:
    """The sample's records repeated with fresh ids: enough rows that writing them takes a while."""
    sample = pl.read_csv(SAMPLE_CATALOGUE, infer_schema=False)
    frames = [
        sample.with_columns(
            listing_id=pl.format("K{}-{}", pl.lit(copy), pl.int_range(pl.len())),
            sku=pl.format("K{}-{}", pl.lit(copy), pl.col("sku").fill_null("")),
        )
        for copy in range(copies)
    ]
    pl.concat(frames).write_csv(path)
    return path


def _xborder(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    # a process group of its own: Prefect's temporary server, a child of the run, outlives a run killed with SIGKILL
    return subprocess.Popen([sys.executable, "-m", "xborder_pipeline", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _kill_what_is_left(run: subprocess.Popen[str]) -> None:
    """The killed run's orphans (its Prefect server), so that the test leaves no process behind."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(run.pid, signal.SIGKILL)


def _snapshot(db: Path) -> dict[str, pl.DataFrame]:
    return {table: query(db, f"select * from {table} order by all") for table in TABLES}  # noqa: S608


def test_sigkill_during_the_load_keeps_the_previous_state_and_the_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    db = tmp_path / "catalogue.duckdb"
    first = _xborder("score", str(SAMPLE_CATALOGUE), "--db", str(db), env=env)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    before = _snapshot(db)
    big = _big_catalogue(tmp_path / "big.csv", copies=600)  # ~125,000 records

    doomed = _xborder("score", str(big), "--db", str(db), env=env)
    for line in doomed.stderr:
        if "load: writing" in line:
            time.sleep(1.0)
            doomed.send_signal(signal.SIGKILL)
            break
    else:  # pragma: no cover - the run ended before reaching its load
        pytest.fail(f"the run never reached its load: exit {doomed.wait()}")
    assert doomed.wait(timeout=60) == -signal.SIGKILL
    _kill_what_is_left(doomed)

    after = _snapshot(db)  # the database opens, with exactly the state before the killed run
    for table in TABLES:
        assert after[table].equals(before[table]), table

    rerun = _xborder("score", str(big), "--db", str(db), env=env)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
    clean_db = tmp_path / "clean.duckdb"
    clean = _xborder("score", str(big), "--db", str(clean_db), env=env)
    assert clean.wait(timeout=600) == 0, clean.stderr.read()
    columns = "listing_id, suitability_score, suitability_band, warehouse_flag, reasons, landed_cost_usd"
    latest = f"select {columns} from latest_scores where listing_id like 'K%' order by listing_id"  # noqa: S608
    assert query(db, latest).height > 100_000
    assert query(db, latest).equals(query(clean_db, latest))
