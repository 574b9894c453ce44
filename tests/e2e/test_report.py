"""`xborder report` on a scored database: a self-contained page with every section, escaped listing text."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.e2e.conftest import SCRIPT_CATEGORY, SCRIPT_TITLE
from tests.unit.test_views import build_views_db
from xborder_pipeline.cli import EXIT_RUN_FAILED, EXIT_USAGE, app
from xborder_pipeline.export import open_views
from xborder_pipeline.report import RatioThresholds, build_report
from xborder_pipeline.report.data import category_breakdown, logistics_cost_ratio_histogram
from xborder_pipeline.report.html import script_safe_json
from xborder_pipeline.store.database import RunRecord, record_failed_run

pytestmark = pytest.mark.e2e
runner = CliRunner()

SECTIONS = (
    "Headline figures",
    "Suitability bands and warehouse flags",
    "Logistics cost ratio",
    "Overseas warehouse candidates",
    "Top reasons",
    "Sellers and platforms",
    "By category",
    "Changes since the previous run",
    "Records rejected by the latest run",
    "Run history",
)


@pytest.fixture(scope="module")
def html(report_html: Path) -> str:
    return report_html.read_text(encoding="utf-8")


def outside_scripts(html: str) -> str:
    """The page without the contents of its script elements (the Vega bundle holds HTML snippets of its own)."""
    return re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", html, flags=re.DOTALL)


def content_security_policy(html: str) -> str:
    return unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1))


def inline_scripts(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL)


def chart_specs(html: str) -> dict[str, dict]:
    (specs,) = [body for attributes, body in inline_scripts(html) if 'id="chart-specs"' in attributes]
    return json.loads(specs)


def test_the_report_has_every_section(html: str) -> None:
    headings = re.findall(r"<h2>(.*?)</h2>", outside_scripts(html))

    assert headings == list(SECTIONS)


def test_the_report_needs_no_network(html: str) -> None:
    page = outside_scripts(html)

    assert not re.search(r"<(script|img|iframe|source|video|audio)[^>]*\ssrc=", page)
    assert not re.search(r"<link\b", page)
    assert not re.search(r"url\(", page)
    assert content_security_policy(html).startswith("default-src 'none'")


def test_only_the_reports_own_scripts_may_run(html: str) -> None:
    policy = content_security_policy(html)
    runnable = [body for attributes, body in inline_scripts(html) if "application/json" not in attributes]
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in runnable
    }

    assert len(runnable) == 2
    assert hashes == set(re.findall(r"'sha256-[^']+'", policy))
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_listing_text_is_escaped_in_tables_and_chart_data(html: str) -> None:
    assert SCRIPT_TITLE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT_CATEGORY not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(2)" in html
    categories = {row["category"] for row in chart_specs(html)["chart-categories"]["datasets"].popitem()[1]}
    assert SCRIPT_CATEGORY in categories  # the chart still shows the text, as text


def test_the_charts_are_vega_lite_specs_with_their_data_inline(html: str) -> None:
    specs = chart_specs(html)

    assert list(specs) == [
        "chart-suitability-bands",
        "chart-warehouse-flags",
        "chart-logistics-cost-ratio",
        "chart-top-reasons",
        "chart-categories",
        "chart-run-history",
    ]
    for spec in specs.values():
        assert "vega-lite" in spec["$schema"]
        assert all(values for values in spec["datasets"].values())
        assert "url" not in spec.get("data", {})


def test_the_headline_matches_the_database(html: str, report_db: Path) -> None:
    with duckdb.connect(str(report_db), read_only=True) as connection:
        listings, recommended = connection.sql(
            "select count(*), count(*) filter (where warehouse_flag = 'recommended') from latest_scores"
        ).fetchall()[0]
    headline = html.split('id="headline"')[1].split("</section>")[0]
    values = re.findall(r'<div class="value[^"]*">([^<]*)</div>', headline)

    assert values[0] == f"{listings:,}"
    assert values[5] == f"{recommended:,}"  # after listings and the four bands


def test_the_changes_section_shows_the_second_run(html: str) -> None:
    changes = html.split('id="changes"')[1].split("</section>")[0]

    assert "added 2 new listings" in changes
    assert "SZG-PC-001" in changes and "&lt;script&gt;alert(1)&lt;/script&gt;" in changes


def test_the_run_history_lists_both_runs(html: str) -> None:
    history = html.split('id="run-history"')[1].split("</section>")[0]

    assert history.count("succeeded") == 2


def test_report_of_a_missing_database_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html")])

    assert result.exit_code == EXIT_RUN_FAILED
    assert "xborder score" in result.output
    assert not (tmp_path / "r.html").exists()


def test_report_into_a_missing_folder_is_a_usage_error(report_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(report_db), "--out", str(tmp_path / "no" / "r.html")])

    assert result.exit_code == EXIT_USAGE
    assert "folder not found" in result.output


THRESHOLDS = RatioThresholds(fine=0.20, poor=0.35, prohibitive=1.0)


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!-- x", "a & b", "\u2028\u2029", "é 中文"])
def test_chart_data_cannot_leave_its_script_element(text: str) -> None:
    encoded = script_safe_json({"category": text})

    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(encoded) == {"category": text}


def test_the_category_breakdown_sums_small_categories_into_one_row(tmp_path: Path) -> None:
    with open_views(build_views_db(tmp_path / "views.duckdb")) as connection:
        categories = category_breakdown(connection, top=1)

    assert categories.select("category", "listings", "suitable", "unsuitable").rows() == [
        ("Office", 3, 1, 2),
        ("other (2 categories)", 3, 1, 0),
    ]


def test_the_ratio_histogram_names_each_bin_for_its_zone(tmp_path: Path) -> None:
    with open_views(build_views_db(tmp_path / "views.duckdb")) as connection:
        histogram = logistics_cost_ratio_histogram(connection, THRESHOLDS)

    # five listings have landed cost ratios 0.1, 0.2, 0.3, 0.4 and 0.5; the sixth has no parcel cost
    assert histogram.select("bin_label", "zone", "listings").rows() == [
        ("10-15%", "fine", 1),
        ("20-25%", "elevated", 1),
        ("30-35%", "elevated", 1),
        ("40-45%", "high", 1),
        ("50-55%", "high", 1),
    ]


def test_a_database_with_only_a_failed_run_still_makes_a_report(tmp_path: Path) -> None:
    db = tmp_path / "failed.duckdb"
    now = datetime.now(UTC)
    record_failed_run(db, RunRecord("run-1", now, "hash", ["x.csv"], "0.1.0"), error="disk full", finished_at=now)

    html = build_report(db, THRESHOLDS)

    assert "No successful run yet." in html
    assert "disk full" in html
    assert len(chart_specs(html)) == 6
