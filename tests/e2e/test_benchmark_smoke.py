"""The benchmark harness runs end to end at a tiny N (a smoke test: no timing is asserted)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import polars as pl
import pytest

from tests.conftest import REPO_ROOT

BENCHMARKS = REPO_ROOT / "benchmarks"
RESULT = re.compile(
    r"^RESULT rows=(\d+) e2e_s=([\d.]+) floor_s=([\d.]+) ratio_floor=([\d.]+) pandas_s=([\d.]+|na) "
    r"ratio_pandas=([\d.]+|na) peak_rss_mb=(\d+)$"
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def generate():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import generate as module
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_the_generator_is_deterministic_and_about_one_percent_invalid(tmp_path, generate) -> None:
    first = generate.generate(3_000, tmp_path / "a", seed=11, chunk_rows=1_000)
    second = generate.generate(3_000, tmp_path / "b", seed=11, chunk_rows=1_000)

    assert first["csv"].read_bytes() == second["csv"].read_bytes()
    from_csv = pl.read_csv(first["csv"], infer_schema=False)
    from_parquet = pl.read_parquet(first["parquet"])
    assert from_csv.columns == from_parquet.columns == list(generate.COLUMNS)
    assert from_csv.height == from_parquet.height == 3_000
    unknown_currency = from_csv.filter(pl.col("currency").is_in(generate.UNKNOWN_CURRENCIES).fill_null(False)).height
    assert 0 < unknown_currency < 60


def test_the_benchmark_prints_its_result_line(tmp_path) -> None:
    pytest.importorskip("psutil")
    command = [sys.executable, str(BENCHMARKS / "run.py"), "--rows", "2000", "--workdir", str(tmp_path / "work")]
    if importlib.util.find_spec("pandas") is None:
        command.append("--skip-pandas")
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment,
                              cwd=tmp_path, check=False)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    last_line = finished.stdout.strip().splitlines()[-1]
    match = RESULT.match(last_line)
    assert match, last_line
    assert match.group(1) == "2000"
    assert "e2e" in finished.stdout and "floor" in finished.stdout
