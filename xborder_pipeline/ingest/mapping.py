"""A TOML mapping file: read any export no adapter knows, or give an adapter the units it lacks.

```toml
marketplace = "my-shop"       # used when no column gives it
seller_id = "shenzhen-gadgets"
currency = "EUR"              # currency of prices when no column or cell names one
weight_unit = "lb"            # unit of weights and sizes whose header names none
length_unit = "in"
delimiter = ";"               # optional: otherwise sniffed
encoding = "gb18030"          # optional: otherwise sniffed
header_row = 3                # optional: the header's line number (1-based), after a preamble

[columns]                     # canonical field = the export's column
sku = "Item code"
title = "Product name"
price = "Unit price"
weight_kg = { column = "Weight", unit = "oz" }
length_cm = { column = "L", unit = "mm" }

[not_physical]                # optional: which values of a column mean "nothing to ship"
column = "Kind"
values = ["download", "service", "fee"]
```

With a `[columns]` table the file is read by the mapping alone (whatever its header looks like);
without one, its units, currency and reading settings apply to the adapter that recognises the
export (for example a WooCommerce plugin export whose `Weight` column has no unit). A mapped
`weight_kg` without a `unit` is in kg, a mapped `length_cm` in cm: the canonical name says so, unless
the top-level `weight_unit`/`length_unit` says otherwise.
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.base import (
    Adapter,
    Context,
    Converted,
    Header,
    col,
    currency_assumed,
    currency_expr,
    decimal_comma,
    flag_is,
    original_values,
    present,
)
from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
)
from xborder_pipeline.ingest.units import (
    length_unit,
    require_currency,
    require_length_unit,
    require_weight_unit,
    weight_unit,
)

TEXT_FIELDS = ("listing_id", "sku", "marketplace", "seller_id")
PLAIN_FIELDS = ("title", "category")
PRICE_FIELDS = ("price", "unit_cost")
WEIGHT_FIELDS = ("weight_kg",)
LENGTH_FIELDS = ("length_cm", "width_cm", "height_cm")
COUNT_FIELDS = ("stock_qty", "monthly_units_sold", "moq")
# Adapter columns a mapping may name too: a materials/tags column, the column tying variants together.
GROUPING_FIELDS = ("attributes", "product_group")
FIELDS = (*TEXT_FIELDS, *PLAIN_FIELDS, "description", *PRICE_FIELDS, "currency", *WEIGHT_FIELDS, *LENGTH_FIELDS,
          *COUNT_FIELDS, "is_physical", *GROUPING_FIELDS)
ALIASES = {"weight": "weight_kg", "length": "length_cm", "width": "width_cm", "height": "height_cm",
           "stock": "stock_qty", "quantity": "stock_qty", "cost": "unit_cost", "name": "title", "id": "listing_id"}
TOP_LEVEL = ("format", "marketplace", "seller_id", "currency", "weight_unit", "length_unit", "delimiter", "encoding",
             "header_row", "columns", "not_physical")


@dataclass(frozen=True)
class ColumnSpec:
    column: str
    unit: str | None = None


@dataclass(frozen=True)
class MappingFile:
    path: Path
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    marketplace: str | None = None
    seller_id: str | None = None
    currency: str | None = None
    weight_unit: str | None = None
    length_unit: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    header_row: int | None = None
    not_physical_column: str | None = None
    not_physical_values: tuple[str, ...] = ()


def load_mapping(path: Path) -> MappingFile:
    """The mapping file, checked: unknown keys, fields and units are an InputFileError naming them."""
    if not path.is_file():
        raise InputFileError(path, "no such mapping file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputFileError(path, f"is not a valid TOML mapping file: {error}") from None
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        raise InputFileError(path, f"unknown key(s) {', '.join(unknown)}; a mapping file knows {', '.join(TOP_LEVEL)}")
    try:
        weight = require_weight_unit(_text(data, "weight_unit", path), "the mapping file")
        length = require_length_unit(_text(data, "length_unit", path), "the mapping file")
        currency = require_currency(_text(data, "currency", path), "the mapping file")
    except ValueError as error:
        raise InputFileError(path, str(error)) from None
    columns = _columns(data.get("columns", {}), path)
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise InputFileError(path, f"header_row must be a line number from 1, got {header_row!r}")
    delimiter = _text(data, "delimiter", path)
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise InputFileError(path, f"delimiter must be one character, got {delimiter!r}")
    encoding = _text(data, "encoding", path)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputFileError(path, f"unknown encoding {encoding!r} (e.g. utf-8, gb18030, cp1252)") from None
    not_physical = data.get("not_physical", {})
    if not isinstance(not_physical, dict) or set(not_physical) - {"column", "values"}:
        raise InputFileError(path, "[not_physical] takes column = \"...\" and values = [\"...\", ...]")
    values = not_physical.get("values", [])
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise InputFileError(path, "[not_physical] values must be a list of texts")
    return MappingFile(
        path=path,
        columns=columns,
        marketplace=_text(data, "marketplace", path),
        seller_id=_text(data, "seller_id", path),
        currency=currency,
        weight_unit=weight,
        length_unit=length,
        delimiter=delimiter,
        encoding=encoding,
        header_row=header_row,
        not_physical_column=not_physical.get("column"),
        not_physical_values=tuple(value.strip().lower() for value in values),
    )


def _text(data: dict, key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputFileError(path, f"{key} must be a non-empty text, got {value!r}")
    return value if key == "delimiter" else value.strip()


def _columns(table: object, path: Path) -> dict[str, ColumnSpec]:
    if not isinstance(table, dict):
        raise InputFileError(path, "[columns] must be a table of canonical field = \"export column\"")
    columns: dict[str, ColumnSpec] = {}
    for key, value in table.items():
        target = ALIASES.get(key, key)
        if target not in FIELDS:
            raise InputFileError(path, f"[columns] names an unknown field {key!r}; fields are {', '.join(FIELDS)}")
        if isinstance(value, str):
            spec = ColumnSpec(value)
        elif isinstance(value, dict) and isinstance(value.get("column"), str) and set(value) <= {"column", "unit"}:
            spec = ColumnSpec(value["column"], value.get("unit"))
        else:
            raise InputFileError(path, f"[columns] {key} must be \"column\" or {{ column = \"...\", unit = \"...\" }}")
        if spec.unit is not None:
            parse = weight_unit if target in WEIGHT_FIELDS else length_unit if target in LENGTH_FIELDS else None
            if parse is None:
                raise InputFileError(path, f"[columns] {key}: only weights and sizes take a unit")
            if parse(spec.unit) is None:
                raise InputFileError(path, f"[columns] {key}: unknown unit {spec.unit!r}")
            spec = ColumnSpec(spec.column, parse(spec.unit))
        columns[target] = spec
    return columns


class MappingAdapter(Adapter):
    """Reads a file by a mapping file's [columns]."""

    name = "mapping"
    identify_by_title = False
    reads_in_pieces = True  # each row on its own once the file's decimal commas are known

    def __init__(self, mapping: MappingFile) -> None:
        self.mapping = mapping
        self.marketplace = mapping.marketplace
        self.default_currency = None

    def detect(self, header: Header) -> bool:
        return all(header.has(spec.column) for spec in self.mapping.columns.values())

    def columns(self, header: Header, context: Context) -> list[str]:
        wanted = [spec.column for spec in self.mapping.columns.values()]
        if self.mapping.not_physical_column:
            wanted.append(self.mapping.not_physical_column)
        missing = [name for name in wanted if not header.has(name)]
        if missing:
            raise InputFileError(
                context.path,
                f"the mapping file {self.mapping.path.name} names column(s) the header lacks: {', '.join(missing)} "
                f"(the header has: {', '.join(header.names[:15])}{', ...' if len(header.names) > 15 else ''})",
            )
        if "price" in self.mapping.columns and "currency" not in self.mapping.columns and not context.currency:
            raise InputFileError(
                context.path,
                f"the mapping file {self.mapping.path.name} maps price but no currency: add currency = \"USD\" "
                "(or the export's currency) to it, map a currency column, or pass --currency",
            )
        return present(header.find(name) for name in wanted)

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        columns = self.mapping.columns
        return present(
            header.find(columns[target].column) for target in (*PRICE_FIELDS, *WEIGHT_FIELDS, *LENGTH_FIELDS)
            if target in columns
        )

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        mapping = self.mapping
        source = {target: header.find(spec.column) for target, spec in mapping.columns.items()}

        def raw(target: str) -> pl.Expr:
            return col(source.get(target))

        comma = any(
            decimal_comma(frame, source[target], context) for target in (*PRICE_FIELDS, *WEIGHT_FIELDS, *LENGTH_FIELDS)
            if source.get(target)
        )
        fields: dict[str, pl.Expr] = {}
        for target in TEXT_FIELDS:
            fields[target] = blank_as_null(raw(target))
        if "seller_id" not in source and mapping.seller_id:
            fields["seller_id"] = pl.lit(mapping.seller_id, pl.String)
        for target in PLAIN_FIELDS:
            fields[target] = plain_text(raw(target), single_line=True)
        fields["description"] = plain_text(raw("description"))
        for target in PRICE_FIELDS:
            fields[target] = price_text(raw(target), decimal_comma=comma)
        price_raw = raw("price") if "price" in source else None
        currency, assumed = currency_expr(context, self, column=source.get("currency"), price=price_raw)
        fields["currency"] = currency
        for target in (*WEIGHT_FIELDS, *LENGTH_FIELDS):
            kind = "weight" if target in WEIGHT_FIELDS else "length"
            spec = mapping.columns.get(target)
            given = context.weight_unit if kind == "weight" else context.length_unit
            unit = (spec.unit if spec else None) or given or ("kg" if kind == "weight" else "cm")
            fields[target] = measure_text(raw(target), pl.lit(unit, pl.String), kind, decimal_comma=comma)
        for target in COUNT_FIELDS:
            fields[target] = count_text(raw(target))
        physical = pl.lit(None, pl.String)
        if "is_physical" in source:
            value = raw("is_physical").str.strip_chars().str.to_lowercase()
            physical = pl.when(flag_is(value)).then(pl.lit("true")).when(
                flag_is(value, "0", "no", "false", "n")
            ).then(pl.lit("false")).otherwise(raw("is_physical"))
        if mapping.not_physical_column:
            marker = col(header.find(mapping.not_physical_column)).str.strip_chars().str.to_lowercase()
            physical = (
                pl.when(marker.is_in(list(mapping.not_physical_values))).then(pl.lit("false")).otherwise(physical)
            )
        fields["is_physical"] = physical
        fields["attributes"] = plain_text(raw("attributes"), single_line=True)
        fields["product_group"] = blank_as_null(raw("product_group"))
        if price_raw is not None:
            fields["currency_assumed"] = currency_assumed(assumed)
        originals = [source[target] for target in (*PRICE_FIELDS, "currency", *WEIGHT_FIELDS, *LENGTH_FIELDS,
                                                   *COUNT_FIELDS) if source.get(target)]
        records = frame.select(
            pl.col("_row"),
            *(expr.alias(name) for name, expr in fields.items()),
            original_values(present(originals), {"assumed_currency": assumed} if price_raw is not None else {})
            .alias("original_values"),
        )
        return Converted(records=records)
