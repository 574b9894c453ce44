"""Reading files robustly: encodings, line endings, delimiters, preambles, malformed and blank records."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

from tests.helpers import GOOD_ROW, canonical_csv
from xborder_pipeline.ingest import IngestOptions, InputFileError, read_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _canonical_text(
    rows: list[dict[str, str]], delimiter: str = ",", newline: str = "\n", quoting: int = csv.QUOTE_MINIMAL
) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(CANONICAL_COLUMNS), delimiter=delimiter, lineterminator=newline, quoting=quoting
    )
    writer.writeheader()
    for index, overrides in enumerate(rows, start=1):
        writer.writerow({**GOOD_ROW, "listing_id": f"L-{index}", "sku": f"SKU-{index}", **overrides})
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030", "cp1252"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    title = "保温杯 thermos" if encoding == "gb18030" else "Café crème thermos"
    path = tmp_path / "export.csv"
    path.write_bytes(_canonical_text([{"title": title}, {}]).encode(encoding))

    records = read_listings([path]).records

    assert records["listing_id"].to_list() == ["L-1", "L-2"]
    assert records["title"][0] == title


def test_gbk_file_with_chinese_headers(tmp_path: Path) -> None:
    result = read_listings([FIXTURES / "alibaba_products_gbk.csv"])

    assert result.records["title"].to_list() == ["不锈钢保温杯 500ml", "玻璃花瓶"]
    assert result.records["source_format"].unique().to_list() == ["alibaba"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_and_quoted_line_breaks(tmp_path: Path, newline: str) -> None:
    rows = [{"description": "line one\nline two"}, {"description": "a\r\nb"}, {}]
    text = _canonical_text(rows, newline=newline, quoting=csv.QUOTE_ALL)
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))

    records = read_listings([path]).records

    assert records["source_row"].to_list() == [1, 2, 3]
    assert records["listing_id"].to_list() == ["L-1", "L-2", "L-3"]
    assert "line one" in records["description"][0] and "line two" in records["description"][0]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "export.txt"
    path.write_text(_canonical_text([{"title": "Mug, blue; large"}, {}], delimiter=delimiter), encoding="utf-8")

    records = read_listings([path]).records

    assert records["title"].to_list() == ["Mug, blue; large", GOOD_ROW["title"]]
    assert records["weight_kg"].to_list() == [GOOD_ROW["weight_kg"]] * 2


def test_malformed_records_are_rejected_blank_ones_skipped_and_nothing_shifts(tmp_path: Path) -> None:
    header = ",".join(CANONICAL_COLUMNS)
    good = _canonical_text([{}]).splitlines()[1]
    lines = [
        header,
        good,  # 1
        good.replace("Silicone phone case", "Silicone, phone case"),  # 2: an unquoted comma: one field too many
        ",".join(good.split(",")[:5]),  # 3: a record cut short
        "",  # 4: blank line
        "," * (len(CANONICAL_COLUMNS) - 1),  # 5: only delimiters
        good.replace("L-1", "L-6").replace("SKU-1", "SKU-6"),  # 6
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = read_listings([path])

    assert result.records["source_row"].to_list() == [1, 6]
    assert result.records["title"].to_list() == [GOOD_ROW["title"]] * 2
    assert result.rejects.select("source_row", "check_name").rows() == [(2, "field_count"), (3, "field_count")]
    assert "18 fields but the header has 17" in result.rejects["message"][0]
    assert result.skipped["source_row"].to_list() == [4, 5]
    assert result.rows_read == 6


def test_duplicate_header_names_use_the_first(tmp_path: Path) -> None:
    text = _canonical_text([{}]).splitlines()
    path = tmp_path / "export.csv"
    path.write_text(f"{text[0]},title\n{text[1]},Second title\n", encoding="utf-8")

    records = read_listings([path]).records

    assert records["title"].to_list() == [GOOD_ROW["title"]]


def test_a_report_preamble_before_the_header_is_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('"Catalogue report","2026-01-05"\n\n' + _canonical_text([{}, {}]), encoding="utf-8")

    records = read_listings([path]).records

    assert records["source_row"].to_list() == [1, 2]


def test_unreadable_files_are_file_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("colour,size\nred,XL\n", encoding="utf-8")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not really parquet")

    with pytest.raises(InputFileError, match="empty"):
        read_listings([empty])
    with pytest.raises(InputFileError, match="cannot tell which export.*colour, size.*--format"):
        read_listings([unknown])
    with pytest.raises(InputFileError, match="broken.parquet"):
        read_listings([broken])
    with pytest.raises(InputFileError, match="no such file"):
        read_listings([tmp_path / "missing.csv"])


def test_header_only_file_has_no_records(tmp_path: Path) -> None:
    path = canonical_csv(tmp_path / "export.csv", [])

    result = read_listings([path])

    assert result.rows_read == 0
    assert list(result.records.columns)[: len(CANONICAL_COLUMNS)] == list(CANONICAL_COLUMNS)


def test_forcing_a_format_that_does_not_fit_names_what_is_missing(tmp_path: Path) -> None:
    path = canonical_csv(tmp_path / "export.csv", [{}])

    with pytest.raises(InputFileError, match="read as shopify, but the header lacks Handle"):
        read_listings([path], IngestOptions(file_format="shopify"))


def test_unknown_options_are_refused(tmp_path: Path) -> None:
    path = canonical_csv(tmp_path / "export.csv", [{}])

    with pytest.raises(ValueError, match="unknown weight unit 'stone'"):
        read_listings([path], IngestOptions(weight_unit="stone"))
    with pytest.raises(ValueError, match="unknown format"):
        read_listings([path], IngestOptions(file_format="sears"))
    with pytest.raises(ValueError, match="three-letter"):
        read_listings([path], IngestOptions(currency="dollars"))


def test_an_unclosed_quote_is_reported_as_such(tmp_path: Path) -> None:
    lines = _canonical_text([{} for _ in range(30)]).splitlines()
    lines[2] = lines[2].replace("Silicone phone case", '"Silicone phone case')
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = read_listings([path])

    assert result.records["source_row"].to_list() == [1]
    assert "an unclosed quote may have joined the records after it" in result.rejects["message"][0]


def test_the_fast_reader_and_the_csv_module_reader_agree(tmp_path: Path) -> None:
    from xborder_pipeline.ingest import reading

    path = tmp_path / "messy.csv"
    text = 'a,b,c\r\n1,"two\r\nlines",3\r\n\r\n4,5\r\n,,\r\n6,"q""uote",x\r\n7,8,9,10\r\n11,ab"c,"q"x\r\n'
    path.write_text(text, encoding="utf-8")
    source = reading.TextSource(path)
    header = reading.unique_names(source.head()[0])

    fast = reading._collect_arrow(path, ",", header, header)
    with source._open() as handle:
        records = source._records(handle)
        next(records)
        exact = reading._collect(records, header, header)

    assert fast is not None
    assert fast.frame.equals(exact.frame)
    assert fast.problems.blank == exact.problems.blank == [2, 4]
    assert [bad[:2] for bad in fast.problems.malformed] == [bad[:2] for bad in exact.problems.malformed] == [
        (3, 2), (6, 4)
    ]
    assert fast.frame["b"].to_list() == ["two\r\nlines", 'q"uote', 'ab"c']
