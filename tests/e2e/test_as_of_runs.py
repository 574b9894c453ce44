"""A run's as-of date end to end: --as-of on the command line, stored with the run, and the cards it priced with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE_CATALOGUE
from xborder_pipeline.cli import EXIT_OK, EXIT_USAGE, app
from xborder_pipeline.store.database import query

runner = CliRunner()


@pytest.mark.parametrize("command", ["score", "nightly"])
def test_a_bad_as_of_date_is_a_usage_error_before_anything_runs(tmp_path: Path, command: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "x.duckdb"
    where = [str(SAMPLE_CATALOGUE)] if command == "score" else ["--inbox", str(inbox)]

    result = runner.invoke(app, [command, *where, "--db", str(db), "--as-of", "2026-13-05"])

    assert result.exit_code == EXIT_USAGE, result.output
    assert "YYYY-MM-DD" in result.output
    assert not db.exists()


def test_config_show_lists_each_card_with_its_window_and_source() -> None:
    result = runner.invoke(app, ["config", "show", "--as-of", "2026-12-05"])

    assert result.exit_code == EXIT_OK, result.output
    shown = json.loads("\n".join(line for line in result.output.splitlines() if not line.startswith("#")))
    cards = {(row["card"], row["window"]): row for row in shown["cards"]}
    assert shown["as_of"] == "2026-12-05"
    assert cards[("fba_us_2026", "peak_2026")]["in_force"] is True
    assert cards[("fba_us_2026", "peak_2026")]["valid_from"] == "2026-10-15"
    assert cards[("fba_us_2026", "non_peak")]["in_force"] is False
    assert cards[("fba_us_2026", "overmax_handling")]["status"] == "priced"
    assert cards[("fba_us_2026", "bulky_packaging")]["status"] == "priced"
    assert cards[("markets.EU", "eu_flat_duty_2026")]["valid_to"] == "2028-06-30"
    assert cards[("channels.postal_small_packet", "rates")]["status"] == "proxy"
    assert all(row["source"] for row in shown["cards"])


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_a_december_run_prices_peak_fees_and_stores_its_date(tmp_path: Path) -> None:
    db = tmp_path / "december.duckdb"

    result = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), "--db", str(db), "--as-of", "2026-12-05"])

    assert result.exit_code == EXIT_OK, result.output
    assert "priced as of: 2026-12-05  (FBA: fba_us_2026:peak_2026 " in result.output
    runs = query(db, "select as_of_date::varchar as day from pipeline_runs")
    assert runs["day"].to_list() == ["2026-12-05"]
    cards = query(db, "select distinct fba_fee_card from latest_scores where fba_size_tier is not null")
    assert cards["fba_fee_card"].to_list() == ["fba_us_2026:peak_2026"]
    fees = query(
        db,
        "select count(*) filter (where fba_fulfilment_fee_with_fuel_usd is not null and fba_fees_total_usd is null)"
        " as unpriced, count(*) filter (where fba_bulky_packaging_fee_usd > 0) as packed,"
        " count(*) filter (where fba_size_tier in ('small_bulky', 'large_bulky')) as bulky from latest_scores",
    )
    assert fees["unpriced"].to_list() == [0]  # the fees on top are sourced: every priced unit has a total
    assert fees["packed"].to_list() == fees["bulky"].to_list() != [0]
    proxies = query(db, "select channel, bool_and(is_proxy) as proxy from channel_costs group by channel")
    assert dict(zip(proxies["channel"], proxies["proxy"], strict=True))["postal_small_packet"] is True
    assert not any(value for channel, value in zip(proxies["channel"], proxies["proxy"], strict=True)
                   if channel != "postal_small_packet")

    report = tmp_path / "report.html"
    assert runner.invoke(app, ["report", "--db", str(db), "--out", str(report)]).exit_code == EXIT_OK
    assert "Proxy figures: postal_small_packet" in report.read_text(encoding="utf-8")
