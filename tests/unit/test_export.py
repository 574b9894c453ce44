"""`xborder export` and `xborder query --out`: files per view, spreadsheet-safe CSV, nothing outside the folder."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.unit.test_views import build_views_db
from xborder_pipeline.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, app
from xborder_pipeline.export import VIEWS, ExportFormat, csv_select_list, export_views, neutralise_formula

runner = CliRunner()

HOSTILE_TITLES = {
    "L-1": "=HYPERLINK(\"http://example.invalid\",\"x\")",
    "L-2": "+1+1",
    "L-3": "-2+3",
    "L-4": "@SUM(A1:A2)",
    "L-5": "\tpadded",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_views_db(tmp_path_factory.mktemp("export") / "views.duckdb", titles=HOSTILE_TITLES)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain = text", "plain = text"),
        ("'already", "'already"),
        ("", ""),
        (None, None),
    ],
)
def test_neutralise_formula(text: str | None, shown: str | None) -> None:
    assert neutralise_formula(text) == shown


def test_the_sql_neutralisation_matches_the_python_rule() -> None:
    values = ["=1", "+1", "-1", "@a", "\ta", "\ra", "a=1", "", None]
    with duckdb.connect() as connection:
        connection.execute("create table cells (text varchar, codes varchar[], amount double)")
        connection.executemany("insert into cells values (?, ?, ?)", [[value, [value, "B"], -1.5] for value in values])
        cells = connection.sql("select * from cells")
        columns = [(name, str(kind)) for name, kind in zip(cells.columns, cells.types, strict=True)]
        rows = connection.sql(f"select {csv_select_list(columns)} from cells").fetchall()  # noqa: S608

    assert [row[0] for row in rows] == [neutralise_formula(value) for value in values]
    joined = [f"{value};B" if value is not None else "B" for value in values]
    assert [row[1] for row in rows] == [neutralise_formula(text) for text in joined]
    assert {row[2] for row in rows} == {-1.5}  # numbers are not text: never prefixed


def test_csv_export_writes_every_view_and_neutralises_formulas(db: Path, tmp_path: Path) -> None:
    written = export_views(db, tmp_path, ExportFormat.csv)

    assert [item.view for item in written] == list(VIEWS)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{name}.csv" for name in VIEWS)
    latest = {row["listing_id"]: row for row in read_csv(tmp_path / "latest_scores.csv")}
    assert {listing: latest[listing]["title"] for listing in HOSTILE_TITLES} == {
        listing: "'" + title for listing, title in HOSTILE_TITLES.items()
    }
    assert latest["L-1"]["reasons"] == (
        "SHIPPING_EXCEEDS_PRICE;OVER_POSTAL_WEIGHT;WAREHOUSE_CHEAPER_PER_UNIT;WAREHOUSE_TRAITS_BULKY;NO_UNIT_COST"
    )
    assert latest["L-3"]["warehouse_saving_per_unit_usd"] == "-2.0"  # a number, not a formula
    assert [item.rows for item in written if item.view == "warehouse_candidates"] == [4]


def test_parquet_export_keeps_lists_and_types(db: Path, tmp_path: Path) -> None:
    export_views(db, tmp_path, ExportFormat.parquet)

    candidates = pl.read_parquet(tmp_path / "warehouse_candidates.parquet")
    assert candidates.schema["warehouse_reasons"] == pl.List(pl.String)
    assert candidates["title"].to_list()[1] == HOSTILE_TITLES["L-1"]  # Parquet is data, not a spreadsheet
    assert pl.read_parquet(tmp_path / "run_history.parquet").height == 3


def test_export_never_writes_outside_its_folder(db: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "latest_scores.csv").symlink_to(outside)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")

    export_views(db, folder, ExportFormat.csv)

    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not (folder / "latest_scores.csv").is_symlink()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(path.name for path in folder.iterdir()) == sorted([*(f"{name}.csv" for name in VIEWS), "notes.txt"])


def test_a_database_from_before_the_views_is_exported_without_being_changed(db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    old.write_bytes(db.read_bytes())
    with duckdb.connect(str(old)) as connection:
        for name in ("warehouse_candidates", "run_history"):
            connection.execute(f"drop view {name}")
    before = old.read_bytes()

    written = export_views(old, tmp_path / "out", ExportFormat.parquet)

    assert {item.view for item in written} == set(VIEWS)
    assert old.read_bytes() == before
    with duckdb.connect(str(old), read_only=True) as connection:
        views = {row[0] for row in connection.sql("select view_name from duckdb_views() where not internal").fetchall()}
    assert "warehouse_candidates" not in views


def test_export_command(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "new"), "--db", str(db)])

    assert result.exit_code == EXIT_OK, result.output
    assert "warehouse_candidates.csv  4 row(s)" in result.output
    assert (tmp_path / "new" / "run_history.csv").is_file()


def test_export_command_defaults_to_parquet(db: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", "--out", str(tmp_path), "--db", str(db)]).exit_code == EXIT_OK
    assert (tmp_path / "latest_scores.parquet").is_file()


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--out", "{file}"], EXIT_USAGE, "must be a folder"),
        (["--out", "{dir}", "--format", "xlsx"], EXIT_USAGE, "xlsx"),
        (["--out", "{dir}", "--db", "{missing}"], EXIT_RUN_FAILED, "xborder score"),
    ],
)
def test_export_command_errors(tmp_path: Path, arguments: list[str], code: int, message: str) -> None:
    (tmp_path / "file.txt").write_text("", encoding="utf-8")
    places = {"file": tmp_path / "file.txt", "dir": tmp_path / "out", "missing": tmp_path / "none.duckdb"}

    result = runner.invoke(app, ["export", *(argument.format(**places) for argument in arguments)])

    assert result.exit_code == code
    assert message in result.output


@pytest.mark.parametrize("output_format", ["table", "csv", "json"])
def test_query_out_writes_the_result_to_a_file(db: Path, tmp_path: Path, output_format: str) -> None:
    out = tmp_path / f"result.{output_format}"
    sql = "select listing_id, reasons from latest_scores order by listing_id limit 2"

    printed = runner.invoke(app, ["query", sql, "--db", str(db), "--format", output_format])
    result = runner.invoke(app, ["query", sql, "--db", str(db), "--format", output_format, "--out", str(out)])

    assert result.exit_code == EXIT_OK, result.output
    assert f"wrote 2 row(s) to {out}" in result.output
    assert out.read_text(encoding="utf-8") == printed.output
    if output_format == "json":
        assert [row["listing_id"] for row in json.loads(out.read_text(encoding="utf-8"))] == ["L-1", "L-2"]


def test_query_out_stays_read_only(db: Path, tmp_path: Path) -> None:
    before = db.read_bytes()

    result = runner.invoke(app, ["query", "drop view run_history", "--db", str(db), "--out", str(tmp_path / "x")])

    assert result.exit_code == EXIT_RUN_FAILED
    assert "read-only" in result.output
    assert not (tmp_path / "x").exists()
    assert db.read_bytes() == before


def test_query_out_into_a_missing_folder_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "select 1", "--db", str(db), "--out", str(tmp_path / "no" / "x.csv")])

    assert result.exit_code == EXIT_USAGE
    assert not os.path.exists(tmp_path / "no")
