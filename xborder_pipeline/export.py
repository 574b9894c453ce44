"""Export the dashboard views to Parquet or CSV files for BI tools and data lakes.

Only the views in VIEWS are exported, each to DIR/<view>.<ext>; nothing is written outside DIR. CSV files are
made safe to open in a spreadsheet: a text cell that starts with =, +, -, @, a tab or a carriage return gets a
leading single quote, so Excel, LibreOffice and Google Sheets show it as text instead of running it as a formula.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

from xborder_pipeline.store.database import StoreError, open_read_only, sql_text

# The views a dashboard reads, in the order `xborder export` writes them. File names come from here only.
VIEWS: tuple[str, ...] = (
    "latest_scores",
    "suitability_summary",
    "warehouse_candidates",
    "channel_costs",
    "rejected_summary",
    "score_changes_latest",
    "run_history",
    "seller_portfolio",
    "sku_channels",
    "sku_demand",
)

# OWASP's list of characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


class ExportError(StoreError):
    """The views cannot be read or the files cannot be written; the message says why."""


@dataclass(frozen=True)
class ExportedView:
    view: str
    path: Path
    rows: int


def neutralise_formula(text: str | None) -> str | None:
    """The text as a spreadsheet should show it: prefixed with ' when it would otherwise start a formula."""
    if text is not None and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


@contextmanager
def open_views(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection on which every view in VIEWS exists.

    A database last written by an older version may lack a newer view: it is defined for this connection
    only, as a temporary view from the same SQL file, so the file itself is never changed.
    """
    with open_read_only(db_path) as connection:
        present = {
            row[0] for row in connection.sql("select view_name from duckdb_views() where not internal").fetchall()
        }
        for view in VIEWS:
            if view not in present:
                _define_temporary_view(connection, view)
        yield connection


def _define_temporary_view(connection: duckdb.DuckDBPyConnection, view: str) -> None:
    ddl, replaced = re.subn(
        r"^create or replace view\b", "create or replace temporary view", sql_text(f"views/{view}.sql"), count=1,
        flags=re.MULTILINE,
    )
    try:
        if not replaced:
            raise duckdb.Error(f"views/{view}.sql does not start with 'create or replace view'")
        connection.execute(ddl)
    except duckdb.Error as error:
        raise ExportError(
            f"the database has no view {view} and it cannot be defined on it ({error}); "
            "score a catalogue into it with this version of xborder first"
        ) from None


def csv_select_list(columns: list[tuple[str, str]]) -> str:
    """The select list that makes a relation with these (name, DuckDB type) columns safe to write as CSV.

    Lists become `;`-joined text; every text cell (lists, structs and maps as text too) is neutralised.
    Names are quoted identifiers; no value is pasted into the SQL.
    """
    expressions = []
    for name, column_type in columns:
        identifier = _quote_identifier(name)
        if column_type.endswith("[]"):
            text = f"array_to_string(list_transform({identifier}, lambda item: cast(item as varchar)), ';')"
        elif column_type == "VARCHAR":
            text = identifier
        elif column_type.startswith(("STRUCT", "MAP", "UNION")) or column_type.endswith("]"):
            text = f"cast({identifier} as varchar)"
        else:
            expressions.append(identifier)
            continue
        expressions.append(f"{_neutralised(text)} as {identifier}")
    return ", ".join(expressions)


def _neutralised(text_expression: str) -> str:
    triggers = ", ".join(f"chr({ord(character)})" for character in FORMULA_TRIGGERS)
    return (
        f"case when left({text_expression}, 1) in ({triggers}) "
        f"then chr(39) || {text_expression} else {text_expression} end"
    )


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_views(db_path: Path, out_dir: Path, export_format: ExportFormat) -> list[ExportedView]:
    """Write every view in VIEWS to out_dir/<view>.<format>; returns what was written.

    Each file is written under a temporary name in out_dir and renamed into place, so a failed export leaves
    no half-written file, and an existing symbolic link at the target name is replaced, never followed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with open_views(db_path) as connection:
        for view in VIEWS:
            target = out_dir / f"{view}.{export_format.value}"
            relation = connection.sql(f"select * from {view}")  # noqa: S608 (view names come from VIEWS)
            rows = int(connection.sql(f"select count(*) from {view}").fetchall()[0][0])  # noqa: S608
            if export_format is ExportFormat.csv:
                columns = list(zip(relation.columns, map(str, relation.types), strict=True))
                relation = connection.sql(f"select {csv_select_list(columns)} from {view}")  # noqa: S608
            _write_atomically(relation, target, export_format)
            written.append(ExportedView(view, target, rows))
    return written


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(relation: duckdb.DuckDBPyRelation, target: Path, export_format: ExportFormat) -> None:
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if export_format is ExportFormat.csv:
            relation.write_csv(str(temporary), header=True)
        else:
            relation.write_parquet(str(temporary))
        temporary.chmod(0o666 & ~_current_umask())
        os.replace(temporary, target)
    except (duckdb.Error, OSError) as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
