"""Reading a large export in pieces with exactly the result of reading it whole.

Adapters decide some things from the whole file: whether a price column is written with decimal commas
(`column_uses_decimal_comma`), which products a variation refers to, how many rows a product has. A
file read in pieces is therefore surveyed first: one streaming pass over the few columns those
decisions need (`FileScan`) gives the file's `FileFacts`, and every piece is then converted with them
(`Context.facts`) instead of with what that piece alone would suggest. Exports whose rows belong
together (a Shopify product's variants, an eBay listing's variations) are cut only between groups
(`whole_groups`); the survey checks that each group's rows are consecutive, as those platforms write
them. See docs/adapters.md, "Large files", and docs/decisions.md §12.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from xborder_pipeline.ingest.reading import RowProblems, Table
from xborder_pipeline.ingest.text import column_uses_decimal_comma

_HASH_SEED = 0x5EED


@dataclass(frozen=True)
class GroupApart:
    """A group key whose rows are not consecutive: the key and the record where it comes back."""

    key: str | None
    row: int


@dataclass(frozen=True)
class FileFacts:
    """What the whole file says, found by a survey before its pieces are converted."""

    surveyed: frozenset[str] = frozenset()  # columns whose decimal commas were looked for
    decimal_comma: frozenset[str] = frozenset()  # of those, the ones written with a decimal comma somewhere
    apart: GroupApart | None = None  # the first group whose rows are not consecutive, if any
    extra: dict[str, object] = field(default_factory=dict)  # an adapter's own facts (WooCommerce's parents)


class FileScan:
    """One streaming pass over a file's pieces: decimal commas per column, and whether groups are together.

    `group` is the column whose equal values must be consecutive; with `free_nulls`, rows without a
    value belong to no group (they are looked past). Group keys already seen are kept as 64-bit hashes
    (8 bytes per group, not the keys' text).
    """

    def __init__(self, decimal_columns: list[str], group: str | None = None, free_nulls: bool = False) -> None:
        self.decimal_columns = list(dict.fromkeys(decimal_columns))
        self.group = group
        self.free_nulls = free_nulls
        self.commas: set[str] = set()
        self.apart: GroupApart | None = None
        self._seen = pl.Series("seen", [], dtype=pl.UInt64)
        self._last: tuple[bool, str | None] = (False, None)  # (any row yet, last key)

    @property
    def columns(self) -> list[str]:
        return [*self.decimal_columns, *([self.group] if self.group and self.group not in self.decimal_columns else [])]

    def add(self, frame: pl.DataFrame) -> None:
        for column in self.decimal_columns:
            if column not in self.commas and column_uses_decimal_comma(frame, column):
                self.commas.add(column)
        if self.group is not None and self.apart is None:
            self._check_groups(frame)

    def _check_groups(self, frame: pl.DataFrame) -> None:
        keyed = frame.select(pl.col(self.group).alias("key"), "_row")
        if self.free_nulls:
            keyed = keyed.filter(pl.col("key").is_not_null())
        if keyed.is_empty():
            return
        starts = keyed.filter(_run_starts("key"))
        started, last = self._last
        if started and starts.get_column("key")[0] == last:
            starts = starts.slice(1)  # the previous piece's last group goes on
        self._last = (True, keyed.get_column("key")[-1])
        if starts.is_empty():
            return
        hashes = starts.get_column("key").hash(_HASH_SEED)
        again = hashes.is_duplicated() | hashes.is_in(self._seen.implode())
        if again.any():
            first = starts.filter(again).row(0, named=True)
            self.apart = GroupApart(first["key"], first["_row"])
            return
        self._seen = pl.concat([self._seen, hashes.rename("seen")])

    def facts(self, extra: dict[str, object] | None = None) -> FileFacts:
        return FileFacts(
            surveyed=frozenset(self.decimal_columns),
            decimal_comma=frozenset(self.commas),
            apart=self.apart,
            extra=extra or {},
        )


def _run_starts(column: str) -> pl.Expr:
    """Whether each row starts a run of equal values (a missing value equals a missing value)."""
    return (pl.int_range(pl.len()) == 0) | pl.col(column).ne_missing(pl.col(column).shift(1))


def whole_groups(tables: Iterator[Table], column: str, free_nulls: bool = False) -> Iterator[Table]:
    """The same rows in pieces cut only where `column` changes: a group's rows stay in one piece.

    The rows of the last group of a piece are carried over to the next one, together with the blank
    and malformed records numbered after its first row, so that each piece still covers one range of
    record numbers. A group larger than a piece makes that piece larger.
    """
    carry: Table | None = None
    for table in tables:
        if carry is not None:
            table = _join(carry, table)
            carry = None
        cut = _last_group_start(table.frame, column, free_nulls)
        if cut == 0:
            carry = table  # one group so far: gather more
            continue
        if cut >= table.frame.height:
            yield table
            continue
        head, carry = _split(table, cut)
        yield head
    if carry is not None:
        yield carry


def _last_group_start(frame: pl.DataFrame, column: str, free_nulls: bool) -> int:
    """The index of the first row of the frame's last group (its height when nothing is to be carried)."""
    if frame.is_empty():
        return 0
    indexed = frame.select(pl.col(column).alias("key")).with_row_index("_i")
    if free_nulls:
        indexed = indexed.filter(pl.col("key").is_not_null())
        if indexed.is_empty():
            return frame.height
    starts = indexed.filter(_run_starts("key")).get_column("_i")
    return int(starts[-1])


def _split(table: Table, cut: int) -> tuple[Table, Table]:
    first_carried = int(table.frame.get_column("_row")[cut])
    head, tail = RowProblems(), RowProblems()
    for number in table.problems.blank:
        (head if number < first_carried else tail).blank.append(number)
    for problem in table.problems.malformed:
        (head if problem[0] < first_carried else tail).malformed.append(problem)
    return (
        Table(table.header, table.frame.slice(0, cut), head, table.expected_fields),
        Table(table.header, table.frame.slice(cut), tail, table.expected_fields),
    )


def _join(first: Table, second: Table) -> Table:
    problems = RowProblems(
        malformed=[*first.problems.malformed, *second.problems.malformed],
        blank=[*first.problems.blank, *second.problems.blank],
    )
    # One chunk: columns whose chunks do not line up made polars 2.1 panic in the eBay adapter's string functions.
    frame = pl.concat([first.frame, second.frame], how="vertical", rechunk=True)
    return Table(first.header, frame, problems, first.expected_fields)
