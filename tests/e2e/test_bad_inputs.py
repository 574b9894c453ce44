"""The bad-input corpus: every kind of broken export, through the CLI as a user would meet it.

Each case says what the user must see: the exit code (0 ok, 1 run failed, 2 usage error), no traceback,
a message naming the file (and row and column for a bad record), exact row accounting, and on a fatal
error a database whose data is as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

from tests.helpers import GOOD_ROW
from xborder_pipeline.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, app
from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

runner = CliRunner()
DATA_TABLES = ("listings", "listing_scores", "listing_channel_costs", "rejected_rows", "score_changes")


def rows_text(rows: list[dict[str, str]], delimiter: str = ",", line_end: str = "\n",
              columns: tuple[str, ...] = CANONICAL_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter=delimiter, lineterminator=line_end,
                            extrasaction="ignore")
    writer.writeheader()
    for index, overrides in enumerate(rows, start=1):
        writer.writerow({**GOOD_ROW, "listing_id": f"L-{index}", "sku": f"SKU-{index}", **overrides})
    return buffer.getvalue()


def good(count: int = 5) -> list[dict[str, str]]:
    return [{} for _ in range(count)]


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], list[Path]]  # writes the input into a folder, returns the files to score
    exit_code: int
    says: tuple[str, ...] = ()  # text the output must contain
    rejected: int | None = None  # records rejected, when the run succeeds
    scored: int | None = None


def text_file(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return [path]

    return write


def bytes_file(name: str, content: bytes) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        path = folder / name
        path.write_bytes(content)
        return [path]

    return write


def two_files(first: str, second: str) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        (folder / "a.csv").write_text(first, encoding="utf-8")
        (folder / "b.csv").write_text(second, encoding="utf-8")
        return [folder / "a.csv", folder / "b.csv"]

    return write


HEADER = ",".join(CANONICAL_COLUMNS)
GOOD_TEXT = rows_text(good())
CHINESE_ROWS = [{"title": "陶瓷咖啡杯 350ml", "category": "厨房"}, {"title": "玻璃花瓶"}, {}]

CASES = [
    Case("empty file", text_file("empty.csv", ""), EXIT_RUN_FAILED, ("empty.csv",)),
    Case("header only", text_file("header.csv", HEADER + "\n"), EXIT_OK, ("rows read 0",), rejected=0, scored=0),
    Case("truncated last line", text_file("cut.csv", GOOD_TEXT + "L-9,SKU-9,amazon_us,s1,Mug,Kitchen"),
         EXIT_OK, ("cut.csv",), rejected=1, scored=5),
    Case("binary garbage", bytes_file("garbage.csv", bytes(range(256)) * 40), EXIT_RUN_FAILED, ("garbage.csv",)),
    Case("GBK file", text_file("gbk.csv", rows_text(CHINESE_ROWS), encoding="gbk"), EXIT_OK, scored=3, rejected=0),
    Case("UTF-8 read as GBK would be", text_file("utf8_cn.csv", rows_text(CHINESE_ROWS)), EXIT_OK, scored=3,
         rejected=0),
    Case("UTF-8 BOM", text_file("bom.csv", "\ufeff" + GOOD_TEXT), EXIT_OK, scored=5, rejected=0),
    Case("CR-only line endings", text_file("cr.csv", rows_text(good(), line_end="\r")), EXIT_OK, scored=5,
         rejected=0),
    Case("semicolon delimiter", text_file("semi.csv", rows_text(good(), delimiter=";")), EXIT_OK, scored=5,
         rejected=0),
    Case("tab delimiter", text_file("tab.tsv", rows_text(good(), delimiter="\t")), EXIT_OK, scored=5,
         rejected=0),
    Case("duplicate header", text_file("dup_header.csv", HEADER + ",price\n" + "\n".join(
        line + ",9.99" for line in GOOD_TEXT.splitlines()[1:]) + "\n"), EXIT_OK, scored=5, rejected=0),
    Case("missing required header", text_file("no_price.csv", rows_text(
        good(), columns=tuple(column for column in CANONICAL_COLUMNS if column != "price"))),
        EXIT_RUN_FAILED, ("no_price.csv", "price")),
    Case("extra fields in a row", text_file("extra.csv", GOOD_TEXT + "L-9,SKU-9" + ",x" * 20 + "\n"), EXIT_OK,
         ("extra.csv",), rejected=1, scored=5),
    Case("unterminated quote", text_file("quote.csv", GOOD_TEXT + 'L-9,SKU-9,amazon_us,s1,"Mug never closed\n'),
         EXIT_OK, rejected=1, scored=5),
    Case("10 MB single field", text_file("huge.csv", rows_text([{"description": "x" * 10_000_000}, *good(5)])),
         EXIT_OK, ("huge.csv",), rejected=1, scored=5),
    Case("HTML and script in titles", text_file("html.csv", rows_text(
        [{"title": "<script>alert(1)</script> Mug"}, {"title": "<b>Bold</b> &amp; vase"}])), EXIT_OK, scored=2,
        rejected=0),
    Case("negative, zero, NaN, inf and 1e308", text_file("numbers.csv", rows_text(
        [{"price": "-1"}, {"price": "0"}, {"weight_kg": "NaN"}, {"length_cm": "inf"}, {"weight_kg": "1e308"},
         *good(20)])), EXIT_OK, ("numbers.csv",), rejected=5, scored=20),
    Case("text in numeric fields", text_file("text_numbers.csv", rows_text(
        [{"weight_kg": "about one kilo"}, {"stock_qty": "lots"}, *good(10)])), EXIT_OK, rejected=2, scored=10),
    Case("placeholder dimensions", text_file("placeholder.csv", rows_text(
        [{"length_cm": "10", "width_cm": "10", "height_cm": "10", "category": f"Cat {index % 4}"}
         for index in range(6)])), EXIT_OK, scored=6, rejected=0),
    Case("duplicate ids in a file", text_file("dup_ids.csv", rows_text(
        [{"listing_id": "SAME"}, {"listing_id": "SAME"}, *good(8)])), EXIT_OK, rejected=1, scored=9),
    Case("duplicate ids across files", two_files(rows_text(good(10)), rows_text(
        [{}, *({"listing_id": f"B-{index}"} for index in range(9))])), EXIT_OK, ("b.csv row 1", "a.csv row 1"),
        rejected=1, scored=19),
    Case("unknown currency", text_file("currency.csv", rows_text([{"currency": "ZZZ"}, *good(9)])), EXIT_OK,
         rejected=1, scored=9),
    Case("absurd weight", text_file("heavy.csv", rows_text([{"weight_kg": "2000"}, *good(9)])), EXIT_OK,
         rejected=1, scored=9),
    Case("formula injection strings", text_file("formula.csv", rows_text(
        [{"title": '=HYPERLINK("http://evil.example","click")'}, {"sku": "+SUM(A1:A9)"}, {"sku": "@cmd"}])),
        EXIT_OK, scored=3, rejected=0),
    Case("SQL injection strings", text_file("sql.csv", rows_text(
        [{"sku": "x'); drop table listings; --"}, {"title": "Robert'); delete from listing_scores; --"}])),
        EXIT_OK, scored=2, rejected=0),
    Case("file name with spaces and unicode", text_file("my shop 导出 ü.csv", GOOD_TEXT), EXIT_OK, scored=5,
         rejected=0),
    Case("file name with ..", text_file("..weird..name...csv", GOOD_TEXT), EXIT_OK, scored=5, rejected=0),
    Case("mostly rejected", text_file("bad_mostly.csv", rows_text([{"price": "x"}] * 4 + good(1))),
         EXIT_RUN_FAILED, ("bad_mostly.csv", "max_reject_share")),
]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    """A database with an earlier successful run, to show fatal errors leave it as it was."""
    folder = tmp_path_factory.mktemp("seed")
    seed = folder / "seed.csv"
    seed.write_text(rows_text([{"listing_id": f"SEED-{index}"} for index in range(3)]), encoding="utf-8")
    db = folder / "seed.duckdb"
    assert runner.invoke(app, ["score", str(seed), "--db", str(db)]).exit_code == EXIT_OK
    return db


def _snapshot(db: Path) -> dict[str, object]:
    return {table: query(db, f"select * from {table} order by all") for table in DATA_TABLES}  # noqa: S608


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, seeded_db: Path) -> None:
    db = tmp_path / "catalogue.duckdb"
    db.write_bytes(seeded_db.read_bytes())
    before = _snapshot(db)
    files = case.write(tmp_path)

    result = runner.invoke(app, ["score", *map(str, files), "--db", str(db)])

    assert result.exit_code == case.exit_code, result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(result.exception)
    assert "Traceback" not in result.output
    for text in case.says:
        assert text in result.output, (text, result.output)
    last = query(db, "select * from pipeline_runs order by started_at desc limit 1").row(0, named=True)
    if case.exit_code == EXIT_OK:
        assert last["status"] == "succeeded"
        assert last["rows_read"] == last["rows_scored"] + last["rows_rejected"] + last["rows_skipped"]
        if case.rejected is not None:
            assert last["rows_rejected"] == case.rejected, result.output
        if case.scored is not None:
            assert last["rows_scored"] == case.scored, result.output
        located = query(db, "select * from rejected_rows where run_id = $run", {"run": last["run_id"]})
        lineage = located.select("source_file", "source_row", "column_name", "message")
        assert lineage.null_count().sum_horizontal()[0] == 0
        assert set(located["source_file"]) <= {str(path) for path in files}
    else:
        after = _snapshot(db)
        for table in DATA_TABLES:
            assert after[table].equals(before[table]), table
        assert last["status"] == "failed"
        assert last["error_message"]


def test_an_unknown_unit_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(GOOD_TEXT, encoding="utf-8")

    result = runner.invoke(app, ["score", str(path), "--weight-unit", "stone", "--db", str(tmp_path / "x.duckdb")])

    assert result.exit_code == EXIT_USAGE
