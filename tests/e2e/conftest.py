"""End-to-end fixtures for the report tests: the `browser` marker and one scored database for the session.

The database holds two runs: the bundled sample, then a small file that changes one sample listing and adds
listings whose title and category are HTML and script text, and one that starts a spreadsheet formula.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE_CATALOGUE
from tests.helpers import canonical_csv
from xborder_pipeline.cli import EXIT_OK, app

SCRIPT_TITLE = "<script>alert(1)</script>"
SCRIPT_CATEGORY = "</script><script>alert(2)</script>"
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","click")'
# A sample listing scored again with a heavier, larger box: its band and score change in the second run.
CHANGED_LISTING = {
    "listing_id": "AMZ-US-100124",
    "sku": "SZG-PC-001",
    "marketplace": "amazon_us",
    "seller_id": "shenzhen-gadgets",
    "title": "Slim Phone Case for iPhone 15 - Matte Black",
    "category": "Phone Accessories",
    "price": "12.99",
    "unit_cost": "3.98",
    "weight_kg": "2.5",
    "length_cm": "70",
    "width_cm": "40",
    "height_cm": "30",
    "stock_qty": "2688",
    "monthly_units_sold": "1890",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: opens the HTML report in headless Chromium (skipped when no chromium binary is found)"
    )


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def report_db(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    """The sample scored, then a second run with a changed listing and hostile text; read-only from here."""
    folder = tmp_path_factory.mktemp("report")
    db = folder / "catalogue.duckdb"
    second = canonical_csv(
        folder / "second_run.csv",
        [
            CHANGED_LISTING,
            {"listing_id": "XSS-1", "sku": "XSS-1", "title": SCRIPT_TITLE, "category": SCRIPT_CATEGORY,
             "price": "89.00", "weight_kg": "3.2", "length_cm": "60", "width_cm": "40", "height_cm": "30",
             "monthly_units_sold": "400", "stock_qty": "800"},
            {"listing_id": "FORMULA-1", "sku": "-FORMULA-1", "title": FORMULA_TITLE, "category": "@risk"},
        ],
    )
    runner = CliRunner()
    for path in (SAMPLE_CATALOGUE, second):
        result = runner.invoke(app, ["score", str(path), "--db", str(db)])
        assert result.exit_code == EXIT_OK, result.output
    return db


@pytest.fixture(scope="session")
def report_html(report_db: Path) -> Path:
    """The report of report_db, written once by the `xborder report` command."""
    out = report_db.parent / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", str(report_db), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    return out
