"""Spreadsheets: WooCommerce's XLSX export and canonical XLSX files read like their CSV counterparts."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

from tests.helpers import GOOD_ROW
from xborder_pipeline.ingest import IngestOptions, read_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>'
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A minimal XLSX workbook (inline strings, numbers as numbers) written with the standard library."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))
        ))
        book.writestr("_rels/.rels", _RELS)
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(sheets, start=1)
        )
        book.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships">{links}</Relationships>',
        )
        for n, rows in enumerate(sheets.values(), start=1):
            body = "".join(
                f'<row r="{r}">'
                + "".join(_cell(f"{_column(c)}{r}", value) for c, value in enumerate(row) if value not in ("", None))
                + "</row>"
                for r, row in enumerate(rows, start=1)
            )
            book.writestr(
                f"xl/worksheets/sheet{n}.xml",
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>',
            )
    return path


def _as_number(value: str) -> object:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def test_woocommerce_xlsx_reads_like_its_csv(tmp_path: Path) -> None:
    with (FIXTURES / "woocommerce_products.csv").open(encoding="utf-8", newline="") as handle:
        rows = [[_as_number(value) if n else value for value in row] for n, row in enumerate(csv.reader(handle))]
    book = write_xlsx(tmp_path / "products.xlsx", {"Notes": [["Exported by WooCommerce"]], "Products": rows})

    from_xlsx = read_listings([book]).records
    from_csv = read_listings([FIXTURES / "woocommerce_products.csv"]).records

    keep = ["listing_id", "sku", "title", "price", "weight_kg", "length_cm", "is_physical", "source_row"]
    assert from_xlsx.select(keep).equals(from_csv.select(keep))
    assert from_xlsx["source_format"].unique().to_list() == ["woocommerce"]


def test_canonical_xlsx_with_a_blank_row(tmp_path: Path) -> None:
    header = list(CANONICAL_COLUMNS)
    first = [_as_number(GOOD_ROW[name]) if name not in {"listing_id", "sku"} else GOOD_ROW[name] for name in header]
    second = [*first]
    second[0], second[1] = "L-2", "SKU-2"
    book = write_xlsx(tmp_path / "catalogue.xlsx", {"Sheet1": [header, first, [""] * len(header), second]})

    result = read_listings([book], IngestOptions(file_format="xlsx"))

    assert result.records["listing_id"].to_list() == ["L-1", "L-2"]
    assert result.records["source_row"].to_list() == [1, 3]
    assert result.records["weight_kg"].to_list() == ["0.05", "0.05"]
    assert result.records["source_format"].unique().to_list() == ["canonical_xlsx"]
    assert result.skipped["source_row"].to_list() == [2]
