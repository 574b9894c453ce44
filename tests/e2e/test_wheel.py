"""The built wheel carries the SQL, schemas and flows: `xborder` works installed, from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SAMPLE_CATALOGUE

pytestmark = pytest.mark.wheel


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_installed_wheel_scores_and_queries_from_an_unrelated_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    # Build from a copy of what git tracks, as a clean clone would: a local build/ folder can hold stale files.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, source / name)
    built = _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
                 cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("xborder_pipeline-*.whl"))

    # A fresh environment holding only the wheel; its dependencies are borrowed from this one through a
    # .pth line, so the test needs no network and still imports xborder_pipeline from the wheel alone.
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    target_python = target / "bin" / "python"
    site_packages = _run([str(target_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         cwd=tmp_path, env=env).stdout.strip()
    Path(site_packages, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run([str(target_python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
                     cwd=tmp_path, env=env)
    assert installed.returncode == 0, installed.stderr[-2000:]

    elsewhere = tmp_path / "somewhere_else"
    elsewhere.mkdir()
    xborder = str(target / "bin" / "xborder")
    where = _run([str(target_python), "-c", "import xborder_pipeline; print(xborder_pipeline.__file__)"],
                 cwd=elsewhere, env=env)
    assert where.stdout.startswith(site_packages), where.stdout

    scored = _run([xborder, "score", str(SAMPLE_CATALOGUE), "--db", "catalogue.duckdb"], cwd=elsewhere, env=env)
    assert scored.returncode == 0, scored.stderr[-2000:]
    assert "rows read" in scored.stdout

    queried = _run([xborder, "query", "select count(*) as n from latest_scores", "--db", "catalogue.duckdb",
                    "--format", "csv"], cwd=elsewhere, env=env)
    assert queried.returncode == 0, queried.stderr[-2000:]
    assert int(queried.stdout.splitlines()[1]) > 150
