"""Currency never assumed in silence: a Shopify export (no currency column) through the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import cli_rows
from xborder_pipeline.cli import EXIT_OK, app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
runner = CliRunner()
# SEK's rate for these runs (the FX table need not know it): the figure does not matter here.
SEK_RATE = "[fx.usd_per_unit]\nSEK = 0.095\n"


def _score(tmp_path: Path, export: Path, *options: str, config: str = SEK_RATE) -> tuple[str, Path]:
    db = tmp_path / "catalogue.duckdb"
    config_file = tmp_path / "config.toml"
    config_file.write_text(config, encoding="utf-8")
    result = runner.invoke(app, ["score", str(export), "--db", str(db), "--config", str(config_file), *options])
    assert result.exit_code == EXIT_OK, result.output
    return result.output, db


def _bikes_export(tmp_path: Path) -> Path:
    export = tmp_path / "cykel-products_export.csv"
    shutil.copyfile(FIXTURES / "shopify_products.csv", export)
    return export


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
class TestCurrencyAssumed:

    def test_an_export_without_currency_warns_carries_the_code_and_caps_confidence(self, tmp_path: Path) -> None:
        export = _bikes_export(tmp_path)

        output, db = _score(tmp_path, export)

        assert f"WARNING: {export}: no currency in the export or given; prices read as USD for 3 listing(s)" in output
        listings = cli_rows(db, "select listing_id, currency_assumed, data_confidence, reasons from latest_scores")
        assert len(listings) == 3
        for listing in listings:
            assert listing["currency_assumed"] is True
            assert "CURRENCY_ASSUMED" in listing["reasons"]
            assert listing["data_confidence"] in {"medium", "low"}
        gift_card = next(row for row in listings if row["listing_id"] == "gift-card")
        assert gift_card["data_confidence"] == "medium"  # nothing else in doubt: the cap alone lowers it
        runs = cli_rows(db, "select assumed_currencies from pipeline_runs")
        assert runs == [{"assumed_currencies": f"{export}: USD (3 listings)"}]

    def test_an_incremental_run_counts_every_listing_read_in_the_assumed_currency_kept_or_scored(
        self, tmp_path: Path
    ) -> None:
        export = _bikes_export(tmp_path)
        _score(tmp_path, export)
        # the next night's export: one mug's price changed, so it and its sibling are scored again; the third is kept
        dearer = export.read_text(encoding="utf-8").replace(",12.50,15.00,", ",13.50,15.00,")
        export.write_text(dearer, encoding="utf-8")

        output, db = _score(tmp_path, export)

        assert "incremental: 2 of 3 listings" in output
        assert "prices read as USD for 3 listing(s)" in output
        counted = cli_rows(db, "select r.listings from run_assumed_currencies as r "
                               "join pipeline_runs as p using (run_id) order by p.started_at")
        assert counted == [{"listings": 3}, {"listings": 3}]
        runs = cli_rows(db, "select assumed_currencies from pipeline_runs order by started_at")
        assert runs == [{"assumed_currencies": f"{export}: USD (3 listings)"}] * 2

    def test_a_currency_given_on_the_command_line_assumes_nothing(self, tmp_path: Path) -> None:
        output, db = _score(tmp_path, _bikes_export(tmp_path), "--currency", "SEK")

        assert "WARNING" not in output
        self._nothing_assumed(db)

    def test_a_matching_sources_entry_assumes_nothing(self, tmp_path: Path) -> None:
        config = SEK_RATE + '\n[[sources]]\npattern = "cykel-*.csv"\ncurrency = "SEK"\nseller_id = "cykel"\n'

        output, db = _score(tmp_path, _bikes_export(tmp_path), config=config)

        assert "WARNING" not in output
        self._nothing_assumed(db)
        assert cli_rows(db, "select distinct seller_id from latest_scores") == [{"seller_id": "cykel"}]

    @staticmethod
    def _nothing_assumed(db: Path) -> None:
        listings = cli_rows(db, "select listing_id, currency, currency_assumed, data_confidence, reasons "
                             "from latest_scores")
        assert {row["currency"] for row in listings} == {"SEK"}
        assert all(row["currency_assumed"] is False for row in listings)
        assert all("CURRENCY_ASSUMED" not in row["reasons"] for row in listings)
        assert next(row for row in listings if row["listing_id"] == "gift-card")["data_confidence"] == "high"
        assert cli_rows(db, "select assumed_currencies from pipeline_runs") == [{"assumed_currencies": None}]
