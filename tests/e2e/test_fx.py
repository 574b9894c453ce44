"""Exchange rates as a user meets them: `xborder fx update`, `xborder config show`, and catalogues priced in
currencies the old 8-currency table refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import canonical_csv
from xborder_pipeline.cli import EXIT_OK, EXIT_USAGE, app
from xborder_pipeline.config import load_settings

runner = CliRunner()

ECB_DAILY = (
    "Date, USD, JPY, GBP, PLN, SEK, BRL, MXN, \n"
    "04 December 2026, 1.1000, 165.00, 0.8800, 4.2500, 11.000, 6.3000, 21.000, \n"
)


def test_fx_update_writes_a_config_that_scoring_accepts(tmp_path: Path) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY, encoding="utf-8")
    out = tmp_path / "rates.toml"

    result = runner.invoke(app, ["fx", "update", str(rates), "--out", str(out)])

    assert result.exit_code == EXIT_OK, result.output
    assert "read 8 rates dated 2026-12-04" in result.output
    assert "AED 0.272294 USD, dated 2026-10-30: peg of 3.6725 AED per USD" in result.output  # kept, and said so
    assert f"--config {out}" in result.output
    settings = load_settings(out)
    assert settings.fx.as_of == "2026-12-04"
    assert settings.fx.usd_per_unit["SEK"] == pytest.approx(0.1)


def test_fx_update_writes_to_the_config_named_by_the_environment(tmp_path: Path, monkeypatch) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY, encoding="utf-8")
    config = tmp_path / "env.toml"
    config.write_text("[run]\nmax_reject_share = 0.05\n", encoding="utf-8")
    monkeypatch.setenv("XBORDER_CONFIG", str(config))

    result = runner.invoke(app, ["fx", "update", str(rates)])

    assert result.exit_code == EXIT_OK, result.output
    settings = load_settings()
    assert settings.fx.usd_per_unit["GBP"] == 1.25
    assert settings.run.max_reject_share == 0.05


def test_fx_update_without_out_or_environment_writes_xborder_toml_here(tmp_path: Path, monkeypatch) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(app, ["fx", "update", str(rates)])

    assert result.exit_code == EXIT_OK, result.output
    assert load_settings(tmp_path / "xborder.toml").fx.as_of == "2026-12-04"


def test_an_older_file_than_the_kept_rates_is_pointed_out(tmp_path: Path) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY.replace("04 December 2026", "02 January 2020"), encoding="utf-8")

    result = runner.invoke(app, ["fx", "update", str(rates), "--out", str(tmp_path / "old.toml")])

    assert result.exit_code == EXIT_OK, result.output
    assert "note: the file's rates (2020-01-02) are older than some kept ones" in result.output


def test_a_malformed_rates_file_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY.replace("0.8800", "O.88"), encoding="utf-8")
    out = tmp_path / "rates.toml"

    result = runner.invoke(app, ["fx", "update", str(rates), "--out", str(out)])

    assert result.exit_code == EXIT_USAGE
    assert "eurofxref.csv, line 2, column 4 (GBP): 'O.88' is not a number" in result.output
    assert not out.exists()


def test_config_show_prints_the_fx_date_and_source(tmp_path: Path) -> None:
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB_DAILY, encoding="utf-8")
    out = tmp_path / "rates.toml"
    assert runner.invoke(app, ["fx", "update", str(rates), "--out", str(out)]).exit_code == EXIT_OK

    packaged = runner.invoke(app, ["config", "show"]).output
    updated = runner.invoke(app, ["config", "show", "--config", str(out)]).output

    assert "# fx.as_of = 2026-10-30 (47 currencies)" in packaged
    assert "# fx rates dated 2025-09-15: 10 (BDT CLP COP EGP KES NGN PEN PKR TWD VND)" in packaged
    assert "# fx.source = Three groups" in packaged
    assert "# fx.as_of = 2026-12-04" in updated
    assert "# fx rates dated 2026-12-04: 8 (BRL EUR GBP JPY MXN PLN SEK USD)" in updated
    assert "# fx.source = ECB euro reference rates of 2026-12-04" in updated


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_a_catalogue_priced_in_brl_sek_pln_and_mxn_scores_without_a_config(tmp_path: Path) -> None:
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    from xborder_pipeline.store.database import query

    prices = {"BRL": "89.90", "SEK": "299", "PLN": "59.99", "MXN": "549"}
    catalogue = canonical_csv(
        tmp_path / "catalogue.csv",
        [{"price": price, "currency": currency, "unit_cost": ""} for currency, price in prices.items()],
    )
    db = tmp_path / "fx.duckdb"

    summary = score_catalogue(paths=[str(catalogue)], db_path=str(db))

    assert (summary.rows_scored, summary.rows_rejected) == (4, 0)
    scored = query(db, "select currency, price, price_usd from latest_scores order by currency")
    fx = load_settings().fx.usd_per_unit
    for currency, price, price_usd in scored.rows():
        assert price_usd == pytest.approx(price * fx[currency])
    assert [row[0] for row in scored.rows()] == sorted(prices)
