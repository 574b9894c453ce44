"""What every adapter shares: header matching, the reading context, units and currency resolution.

An adapter says whether it recognises a header (`detect`), which columns it needs (`columns`, which
raises an InputFileError naming what is missing), and turns the rows it was given into canonical
text columns (`convert`). Each output frame keeps the reader's `_row` (the record number), so lineage
never depends on row order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.ingest.pieces import FileFacts, FileScan
from xborder_pipeline.ingest.text import blank_as_null, cell_currency, column_uses_decimal_comma, plain_text
from xborder_pipeline.ingest.units import header_unit, length_unit, weight_unit


def norm(name: str) -> str:
    """A header name as compared: case, accents, BOM, a leading `*` and repeated spaces ignored."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text.lstrip("*").strip())


class Header:
    """A header row with lookups by any of several names (first occurrence wins for repeated names)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.by_key: dict[str, str] = {}
        for name in names:
            self.by_key.setdefault(norm(name), name)

    def find(self, *aliases: str) -> str | None:
        """The first column named by one of the aliases, in the aliases' order."""
        for alias in aliases:
            name = self.by_key.get(norm(alias))
            if name is not None:
                return name
        return None

    def find_matching(self, pattern: str) -> str | None:
        """The first column whose compared name matches a regular expression from its start."""
        compiled = re.compile(pattern)
        for name in self.names:
            if compiled.match(norm(name)):
                return name
        return None

    def find_all_matching(self, pattern: str) -> list[str]:
        """Every column whose compared name matches a regular expression from its start, in header order."""
        compiled = re.compile(pattern)
        return [name for name in self.names if compiled.match(norm(name))]

    def has(self, *aliases: str) -> bool:
        return self.find(*aliases) is not None

    def keys(self) -> set[str]:
        return set(self.by_key)


@dataclass(frozen=True)
class Context:
    """What the user and the mapping file said about units and currency, and where the file is."""

    path: Path
    weight_unit: str | None = None  # unit code for weights whose header names none
    length_unit: str | None = None
    currency: str | None = None  # currency of prices when the export names none
    unit_source: str = "--weight-unit/--length-unit"
    # What the whole file says, when it is converted in pieces (None: the frame given is the whole file).
    facts: FileFacts | None = None


@dataclass
class Converted:
    """An adapter's output: canonical text columns with `_row`, and the rows it skipped with a reason."""

    records: pl.DataFrame
    skipped: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"_row": pl.Int64, "reason": pl.String}))


class Adapter:
    """One export format. Subclasses set `name` and `marketplace` and implement the three methods."""

    name: str = ""
    marketplace: str | None = None
    default_currency: str | None = "USD"
    # A listing with neither id nor SKU is identified by its title (platform exports such as Etsy's);
    # canonical and mapped files keep the contract: no id and no SKU is a reject.
    identify_by_title: bool = True
    # Whether a large file may be read and converted in pieces (docs/adapters.md, "Large files"): each
    # row converts on its own once the file's facts are known (`survey`), or, with `group_column`, each
    # group of consecutive rows does. False: the file is always read whole.
    reads_in_pieces: bool = False
    # What a group of rows is called in messages (`product`), and whether rows without a group key
    # convert on their own (True) or form a group of their own (False).
    group_label: str = "group"
    free_null_groups: bool = False

    def detect(self, header: Header) -> bool:
        raise NotImplementedError

    def columns(self, header: Header, context: Context) -> list[str]:
        raise NotImplementedError

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        raise NotImplementedError

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        """The columns whose decimal commas `convert` decides for the whole file (`decimal_comma`)."""
        return []

    def group_column(self, header: Header) -> str | None:
        """The column whose rows with one value convert together (a Shopify `Handle`), if any."""
        return None

    def survey(
        self, read: Callable[[list[str]], Iterator[pl.DataFrame]], header: Header, context: Context
    ) -> FileFacts:
        """What `convert` needs to know about the whole file, from passes over a few of its columns.

        `read(columns)` gives the file's rows again, in pieces, with only those columns and `_row`.
        Here: one pass for the decimal-comma columns and the group column (none when neither exists).
        """
        scan = FileScan(self.decimal_comma_columns(header, context), self.group_column(header),
                        self.free_null_groups)
        if scan.columns:
            for frame in read(scan.columns):
                scan.add(frame)
        return scan.facts()


# ------------------------------------------------------------------------------------------ helpers


def col(name: str | None) -> pl.Expr:
    """A source column, or a missing value when the export has no such column."""
    return pl.col(name) if name else pl.repeat(None, pl.len(), dtype=pl.String)


def decimal_comma(frame: pl.DataFrame, column: str | None, context: Context) -> bool:
    """Whether the column is written with decimal commas anywhere in the file (not only in this piece)."""
    if column is None:
        return False
    facts = context.facts
    if facts is None:
        return column_uses_decimal_comma(frame, column)
    if column not in facts.surveyed:
        raise RuntimeError(f"decimal commas of column {column!r} were not surveyed (decimal_comma_columns lacks it)")
    return column in facts.decimal_comma


def present(names: Iterable[str | None]) -> list[str]:
    """The names that were found, without repeats, in order."""
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen


def require(header: Header, path: Path, adapter: str, needs: dict[str, str | None]) -> None:
    """An InputFileError naming the columns (by role) that the header lacks."""
    missing = [role for role, name in needs.items() if name is None]
    if missing:
        shown = ", ".join(header.names[:12]) + (", ..." if len(header.names) > 12 else "")
        raise InputFileError(
            path,
            f"read as {adapter}, but the header lacks {', '.join(missing)} (it has: {shown}); "
            "use --format to choose another adapter or --mapping to name the columns",
        )


def flag_is(value: pl.Expr, *words: str) -> pl.Expr:
    """Whether a yes/no cell says yes (`1`, `yes`, `true`, `y`) or any of the given words."""
    return value.str.strip_chars().str.to_lowercase().is_in(list(words or ("1", "yes", "true", "y")))


def resolve_unit(
    header_name: str | None, kind: str, context: Context, default: str | None
) -> tuple[str | None, str | None]:
    """The unit code for a measure column, and what it was assumed from when the header did not say.

    A unit in the header (`Weight (lbs)`) wins; else --weight-unit/--length-unit or the mapping file;
    else the platform's documented default. The second value is None when the header named the unit.
    """
    parse = weight_unit if kind == "weight" else length_unit
    if header_name:
        written = header_unit(header_name)
        if written and parse(written):
            return parse(written), None
    given = context.weight_unit if kind == "weight" else context.length_unit
    if given:
        return given, context.unit_source
    if default:
        return default, "platform default"
    return None, None


def currency_expr(
    context: Context, adapter: Adapter, column: str | None = None, price: pl.Expr | None = None,
    header_currency: str | None = None,
) -> tuple[pl.Expr, pl.Expr]:
    """The listing's currency and, as a second expression, the currency assumed when nothing named one.

    Order: the export's currency column; a currency written in the price header or cell (`€`, `US $`,
    `元`); --currency or the mapping file; the adapter's default (recorded as assumed).
    """
    named = [blank_as_null(col(column)).str.to_uppercase()] if column else []
    if header_currency:
        named.append(pl.lit(header_currency, pl.String))
    if price is not None:
        named.append(cell_currency(price))
    if context.currency:
        named.append(pl.lit(context.currency, pl.String))
    stated = pl.coalesce(*named) if named else pl.lit(None, pl.String)
    default = pl.lit(adapter.default_currency, pl.String)
    has_price = price.is_not_null() if price is not None else pl.lit(True)
    currency = pl.when(has_price).then(pl.coalesce(stated, default))
    assumed = pl.when(has_price & stated.is_null()).then(default)
    return currency, assumed


def currency_assumed(assumed: pl.Expr) -> pl.Expr:
    """`true` where the currency is the adapter's default (the `assumed` expression of `currency_expr`)."""
    return pl.when(assumed.is_not_null()).then(pl.lit("true")).otherwise(pl.lit("false"))


ATTRIBUTE_SEPARATOR = " | "


def joined_values(values: Iterable[pl.Expr]) -> pl.Expr:
    """Attribute values as one plain text: blanks and repeats left out, joined with ` | `; missing when none.

    Each value is kept as the export wrote it (a cell `ceramica, argilla` stays one value): the text is
    evidence to read, not a list to parse.
    """
    cells = [plain_text(value.cast(pl.String), single_line=True) for value in values]
    if not cells:
        return pl.lit(None, pl.String)
    joined = (
        pl.concat_list([blank_as_null(cell) for cell in cells]).list.drop_nulls()
        .list.unique(maintain_order=True).list.join(ATTRIBUTE_SEPARATOR)
    )
    return blank_as_null(joined)


def key_values(text: pl.Expr) -> pl.Expr:
    """The values of `name=value,name=value` text (Magento's additional_attributes), joined with ` | `."""
    values = text.str.replace_all(r"(?:^|,)\s*[^=,]+=", "\u0000").str.split("\u0000").list.eval(
        blank_as_null(pl.element())
    ).list.drop_nulls().list.join(ATTRIBUTE_SEPARATOR)
    return blank_as_null(values)


def original_values(frame_columns: Iterable[str], extra: dict[str, pl.Expr] | None = None) -> pl.Expr:
    """The export's own values (keyed by its column names) and any assumptions, as a JSON object."""
    fields = [pl.col(name).alias(name) for name in present(frame_columns)]
    fields += [expr.cast(pl.String).alias(key) for key, expr in (extra or {}).items()]
    if not fields:
        return pl.lit(None, pl.String)
    return pl.struct(fields).struct.json_encode()


def skipped_where(frame: pl.DataFrame, condition: pl.Expr, reason: pl.Expr) -> pl.DataFrame:
    return frame.filter(condition).select(pl.col("_row"), reason.cast(pl.String).alias("reason"))


def title_key(values: pl.Series) -> pl.Series:
    """A short stable digest of each title (for exports that give a listing neither id nor SKU)."""
    return pl.Series(
        [None if value is None else hashlib.sha1(value.encode("utf-8")).hexdigest()[:12] for value in values.to_list()],
        dtype=pl.String,
    )
