"""The `xborder` command as a user meets it: exit codes, messages, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE_CATALOGUE
from tests.helpers import canonical_csv
from xborder_pipeline.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])

    assert result.exit_code == EXIT_OK
    for command in ("score", "query", "config"):
        assert command in result.output


@pytest.mark.parametrize("command", ["score", "query", "config"])
def test_each_command_has_help(command: str) -> None:
    assert runner.invoke(app, [command, "--help"]).exit_code == EXIT_OK


def test_scoring_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "x.duckdb")])

    assert result.exit_code == EXIT_USAGE
    assert "no such file" in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_an_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["score", "--bogus"]).exit_code == EXIT_USAGE


def test_a_bad_config_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[postal]\nmax_weight_kg = 'two'\n", encoding="utf-8")

    result = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), "--config", str(config)])

    assert result.exit_code == EXIT_USAGE
    assert "postal.max_weight_kg" in result.output


def test_config_show_prints_the_effective_values_and_hash() -> None:
    result = runner.invoke(app, ["config", "show"])

    assert result.exit_code == EXIT_OK
    assert "config_hash" in result.output
    assert '"max_weight_kg": 2.0' in result.output


def test_querying_a_missing_database_fails_with_advice(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "select 1", "--db", str(tmp_path / "none.duckdb")])

    assert result.exit_code == EXIT_RUN_FAILED
    assert "xborder score" in result.output


@pytest.fixture(scope="module")
def db(tmp_path_factory, prefect_harness) -> Path:
    db = tmp_path_factory.mktemp("cli") / "catalogue.duckdb"
    result = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), "--db", str(db)])
    assert result.exit_code == EXIT_OK, result.output
    assert "rows read" in result.output and "suitability:" in result.output
    return db


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
class TestScoreThenQuery:

    def test_query_prints_a_table(self, db: Path) -> None:
        result = runner.invoke(
            app, ["query", "select suitability_band, count(*) as n from latest_scores group by 1", "--db", str(db)]
        )

        assert result.exit_code == EXIT_OK
        assert "suitability_band" in result.output and "rows)" in result.output

    def test_query_as_json_and_csv(self, db: Path) -> None:
        as_json = runner.invoke(app, ["query", "select listing_id, reasons from latest_scores order by 1 limit 2",
                                      "--db", str(db), "--format", "json"])
        as_csv = runner.invoke(app, ["query", "select listing_id from latest_scores order by 1 limit 2",
                                     "--db", str(db), "--format", "csv"])

        rows = json.loads(as_json.output)
        assert len(rows) == 2 and isinstance(rows[0]["reasons"], list)
        assert as_csv.output.splitlines()[0] == "listing_id"
        assert len(as_csv.output.splitlines()) == 3

    def test_query_cannot_write(self, db: Path) -> None:
        result = runner.invoke(app, ["query", "delete from listings", "--db", str(db)])

        assert result.exit_code == EXIT_RUN_FAILED
        assert "read-only" in result.output

    def test_too_many_rejects_fails_the_run_and_writes_nothing(self, db: Path, tmp_path: Path) -> None:
        bad = canonical_csv(tmp_path / "mostly_bad.csv", [{"price": "x"}, {"price": "y"}, {}])
        before = runner.invoke(app, ["query", "select count(*) from listings", "--db", str(db)]).output

        result = runner.invoke(app, ["score", str(bad), "--db", str(db)])

        assert result.exit_code == EXIT_RUN_FAILED
        assert "2 of 3 records" in result.output and "mostly_bad.csv row 1, price" in result.output
        assert runner.invoke(app, ["query", "select count(*) from listings", "--db", str(db)]).output == before


@pytest.mark.parametrize(
    ("option", "value"), [("--weight-unit", "stone"), ("--length-unit", "furlong"), ("--format", "gopher")]
)
def test_unknown_units_and_formats_are_usage_errors(tmp_path: Path, option: str, value: str) -> None:
    result = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), option, value, "--db", str(tmp_path / "x.duckdb")])

    assert result.exit_code == EXIT_USAGE
    assert value in result.output and "known" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_a_database_file_that_is_not_duckdb_fails_the_run_by_name_and_is_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("not a database\n", encoding="utf-8")

    result = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), "--db", str(db)])

    assert result.exit_code == EXIT_RUN_FAILED
    assert f"cannot open {db} read-only" in " ".join(result.output.split())
    assert db.read_text(encoding="utf-8") == "not a database\n"
