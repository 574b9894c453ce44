"""Test-wide set-up: Prefect isolated in a temporary home, the sample catalogue, shared paths."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Before anything imports prefect: its home, database and logs go to a throwaway folder.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="xborder-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("XBORDER_DB", None)
os.environ.pop("XBORDER_CONFIG", None)

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CATALOGUE = REPO_ROOT / "data" / "sample" / "sample_catalogue.csv"
SHARED_EXPORTS = REPO_ROOT.parent / "shared" / "data" / "exports"


def pytest_unconfigure(config: pytest.Config) -> None:
    """The throwaway Prefect home goes with the session: each run of the tests left one in the temporary folder."""
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (starting it costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture(scope="session")
def settings():
    from xborder_pipeline.config import load_settings

    return load_settings()
