"""Validate canonical listings: parse numbers, run the pandera contract, split valid rows from rejects.

Every failure of every record is reported at once, as one reject row per (record, column, check),
with a message a person understands. A record with several failures counts once as rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandera.api.polars.container
import pandera.errors
import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.schemas.listing import (
    BOOLEAN_COLUMNS,
    DECIMAL_COLUMNS,
    TEXT_COLUMNS,
    WHOLE_NUMBER_COLUMNS,
    canonical_listing_schema,
)

ROW_INDEX = "_row_index"

REJECT_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "column_name": pl.String(),
    "check_name": pl.String(),
    "failure_value": pl.String(),
    "message": pl.String(),
}


@dataclass(frozen=True)
class ValidationResult:
    valid: pl.DataFrame
    rejects: pl.DataFrame  # one row per failure, columns REJECT_COLUMNS
    rows_rejected: int  # distinct records with at least one failure


TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")


def validate_listings(
    records: pl.DataFrame,
    settings: Settings,
    earlier_rejects: pl.DataFrame | None = None,
    check_duplicates: bool = True,
) -> ValidationResult:
    """Split text records (from ingest) into typed valid listings and explained rejects.

    `earlier_rejects` are records an adapter already refused (REJECT_COLUMNS); they are reported and
    counted with the rest. A run scored in batches finds repeated listing_ids across all its batches
    afterwards (`xborder_pipeline.batches`) and passes `check_duplicates=False` here.
    """
    indexed = records.with_row_index(ROW_INDEX)
    typed, parse_failures = parse_values(indexed)
    typed = typed.with_columns(listing_id=derived_listing_id())
    contract_failures = contract_violations(typed.drop(ROW_INDEX), settings)
    checks = [parse_failures, contract_failures]
    if check_duplicates:
        checks.append(duplicate_listing_ids(typed))
    failures = pl.concat(checks, how="vertical")
    # A value that failed to parse is null in `typed`; a "not nullable" complaint about it would repeat
    # the same failure, so keep only the first failure per record and column.
    failures = failures.unique(subset=[ROW_INDEX, "column_name"], keep="first", maintain_order=True)
    bad_rows = failures.get_column(ROW_INDEX).unique()
    valid = typed.filter(~pl.col(ROW_INDEX).is_in(bad_rows.implode())).drop(ROW_INDEX)
    rejects = (
        failures.join(typed.select(ROW_INDEX, "source_file", "source_row"), on=ROW_INDEX, how="left")
        .sort(ROW_INDEX, maintain_order=True)
        .select(list(REJECT_COLUMNS))
    )
    if earlier_rejects is not None and not earlier_rejects.is_empty():
        earlier = earlier_rejects.select(list(REJECT_COLUMNS))
        earlier_rows = earlier.select("source_file", "source_row").unique().height
        return ValidationResult(
            valid=valid,
            rejects=pl.concat([earlier, rejects], how="vertical"),
            rows_rejected=bad_rows.len() + earlier_rows,
        )
    return ValidationResult(valid=valid, rejects=rejects, rows_rejected=bad_rows.len())


def parse_values(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Text cleaned (trimmed, blanks as missing) and numbers parsed; unparseable numbers as failures.

    Numbers are first read as given, in one pass over all columns; a column where some value did not parse
    is read again trimmed (`" 12.5 "`), and the failures are spelled out only for the records where a value
    still did not parse (almost none in a healthy export).
    """
    typed = records.lazy().with_columns(
        *(_cleaned_text(column) for column in TEXT_COLUMNS),
        *(_parsed_decimal(pl.col(column)).alias(column) for column in DECIMAL_COLUMNS),
        *(_parsed_whole_number(pl.col(column)).alias(column) for column in WHOLE_NUMBER_COLUMNS),
        *(_parsed_boolean(column) for column in BOOLEAN_COLUMNS),
    ).collect()
    numeric = (*DECIMAL_COLUMNS, *WHOLE_NUMBER_COLUMNS)
    retry = [column for column in numeric if _unparsed(records, typed, column).any()]  # rarely any
    if retry:
        typed = typed.with_columns(
            records.lazy()
            .select(
                (_parsed_decimal if column in DECIMAL_COLUMNS else _parsed_whole_number)(
                    _given_text(pl.col(column))
                ).alias(column)
                for column in retry
            )
            .collect()
        )
    unparsed = pl.DataFrame([_unparsed(records, typed, column) for column in (*numeric, *BOOLEAN_COLUMNS)])
    suspects = records.filter(unparsed.select(pl.any_horizontal(pl.all())).to_series())
    return typed, _parse_failures(suspects)


def _unparsed(records: pl.DataFrame, typed: pl.DataFrame, column: str) -> pl.Series:
    # a superset of the failures: a blank given value is missing, not wrong, and _parse_failures says so
    return records.get_column(column).is_not_null() & typed.get_column(column).is_null()


def _given_text(value: pl.Expr) -> pl.Expr:
    return _blank_as_missing(value.str.strip_chars())


def _cleaned_text(column: str) -> pl.Expr:
    text = _given_text(pl.col(column))
    return (text.str.to_uppercase() if column == "currency" else text).alias(column)


def _parsed_decimal(text: pl.Expr) -> pl.Expr:
    return text.cast(pl.Float64, strict=False)


def _parsed_whole_number(text: pl.Expr) -> pl.Expr:
    number = text.cast(pl.Float64, strict=False)
    return pl.when(_is_whole_number(number)).then(number).cast(pl.Int64, strict=False)


def _parsed_boolean(column: str) -> pl.Expr:
    word = pl.col(column).str.strip_chars().str.to_lowercase()
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False).alias(column)


def _parse_failures(records: pl.DataFrame) -> pl.DataFrame:
    """One row per value given as text that is not a number, a whole number or a truth value."""
    numeric = [*DECIMAL_COLUMNS, *WHOLE_NUMBER_COLUMNS]
    failures = [
        _failures_where(
            _text_and_number(records, column),
            pl.col("_text").is_not_null() & pl.col("_number").is_null(),
            column,
            "is_number",
            f"{column} must be a number",
        )
        for column in numeric
    ]
    failures += [
        _failures_where(
            _text_and_number(records, column),
            pl.col("_number").is_not_null() & ~_is_whole_number(pl.col("_number")),
            column,
            "is_whole_number",
            f"{column} must be a whole number",
        )
        for column in WHOLE_NUMBER_COLUMNS
    ]
    failures += [
        _failures_where(
            records.with_columns(_text=_given_text(pl.col(column))),
            pl.col("_text").is_not_null() & ~pl.col("_text").str.to_lowercase().is_in([*TRUE_WORDS, *FALSE_WORDS]),
            column,
            "is_boolean",
            f"{column} must be true or false",
        )
        for column in BOOLEAN_COLUMNS
    ]
    return pl.concat(failures, how="vertical")


def _text_and_number(records: pl.DataFrame, column: str) -> pl.DataFrame:
    return records.with_columns(_text=_given_text(pl.col(column))).with_columns(
        _number=_parsed_decimal(pl.col("_text"))
    )


def derived_listing_id() -> pl.Expr:
    """The file's listing_id, else marketplace:seller_id:sku (missing parts read 'unknown')."""
    from_sku = pl.concat_str(
        pl.col("marketplace").fill_null("unknown"),
        pl.col("seller_id").fill_null("unknown"),
        pl.col("sku"),
        separator=":",
    )
    return pl.coalesce(pl.col("listing_id"), from_sku)


def contract_violations(typed: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Every failure of the pandera contract, one row per record, column and check."""
    schema = _contract(
        tuple(settings.fx.usd_per_unit),
        settings.limits.max_weight_kg,
        settings.limits.max_side_cm,
        settings.limits.max_text_chars,
    )
    try:
        schema.validate(typed, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return _empty_failures()
    unlocated = cases.filter(pl.col("index").is_null())
    if unlocated.height:
        # A failure with no row (a missing column or wrong dtype) is a defect in an adapter, not bad data.
        raise RuntimeError(f"canonical frame breaks the contract as a whole:\n{unlocated}")
    return cases.select(
        pl.col("index").cast(pl.UInt32).alias(ROW_INDEX),
        pl.when(pl.col("check") == "price_has_currency")
        .then(pl.lit("currency"))
        .otherwise(pl.col("column"))
        .alias("column_name"),
        pl.col("check").alias("check_name"),
        pl.when(pl.col("check") == "price_has_currency")
        .then(pl.lit(None, pl.String))
        .otherwise(_shortened(pl.col("failure_case")))
        .alias("failure_value"),
        _explained_checks(cases).alias("message"),
    )


def _explained_checks(cases: pl.DataFrame) -> pl.Series:
    """Each pandera failure told as a sentence (`_explain_check`), each distinct failure told once: a bad export
    repeats a few (the benchmark's re-export: 6,845 failures, 81 distinct)."""
    failure = ["column", "check", "failure_case"]
    distinct = cases.select(failure).unique()
    told = distinct.with_columns(
        pl.Series("message", [_explain_check(row) for row in distinct.to_dicts()], dtype=pl.String)
    )
    return cases.join(told, on=failure, how="left", nulls_equal=True, maintain_order="left").get_column("message")


@lru_cache(maxsize=8)
def _contract(
    known_currencies: tuple[str, ...], max_weight_kg: float, max_side_cm: float, max_text_chars: int
) -> pandera.api.polars.container.DataFrameSchema:
    """The contract for these settings, built once: building it copies the schema for each configured check
    (about 60 ms, as much as checking 4,000 records)."""
    return canonical_listing_schema(
        known_currencies=list(known_currencies),
        max_weight_kg=max_weight_kg,
        max_side_cm=max_side_cm,
        max_text_chars=max_text_chars,
    )


def duplicate_listing_ids(typed: pl.DataFrame) -> pl.DataFrame:
    """Records whose listing_id already appeared earlier in this run; the first one is kept."""
    first_row = typed.group_by("listing_id").agg(
        pl.col(ROW_INDEX).min().alias("_first_index"),
    )
    with_first = typed.select(ROW_INDEX, "listing_id", "source_file", "source_row").join(
        first_row, on="listing_id", how="inner"
    )
    first_lineage = typed.select(
        pl.col(ROW_INDEX).alias("_first_index"),
        pl.col("source_file").alias("_first_file"),
        pl.col("source_row").alias("_first_row"),
    )
    repeats = with_first.filter(pl.col(ROW_INDEX) != pl.col("_first_index")).join(
        first_lineage, on="_first_index", how="left"
    )
    return repeats.select(
        pl.col(ROW_INDEX),
        pl.lit("listing_id").alias("column_name"),
        pl.lit("is_unique").alias("check_name"),
        pl.col("listing_id").alias("failure_value"),
        pl.format(
            "listing_id repeats the one at {} row {}; each listing may appear once per run",
            pl.col("_first_file"),
            pl.col("_first_row"),
        ).alias("message"),
    )


def _is_whole_number(number: pl.Expr) -> pl.Expr:
    # Past 2**53 a float no longer holds every integer; no stock or MOQ is that large.
    return number.is_finite() & (number == number.round(0)) & (number.abs() <= 2**53)


def _blank_as_missing(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.len_chars() > 0).then(text)


def _failures_where(frame: pl.DataFrame, condition: pl.Expr, column: str, check: str, message: str) -> pl.DataFrame:
    return frame.filter(condition).select(
        pl.col(ROW_INDEX),
        pl.lit(column).alias("column_name"),
        pl.lit(check).alias("check_name"),
        pl.col("_text").alias("failure_value"),
        pl.format("{}, got '{}'", pl.lit(message), pl.col("_text")).alias("message"),
    )


def _empty_failures() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            ROW_INDEX: pl.UInt32,
            "column_name": pl.String,
            "check_name": pl.String,
            "failure_value": pl.String,
            "message": pl.String,
        }
    )


_CHECK_PHRASES: dict[str, str] = {
    "greater_than": "must be greater than {}",
    "greater_than_or_equal_to": "must be at least {}",
    "less_than": "must be less than {}",
    "less_than_or_equal_to": "must be at most {}",
    "isin": "must be one of {}",
    "str_length": "must have a length in {}",
}


FAILURE_VALUE_MAX_CHARS = 200


def _shortened(text: pl.Expr) -> pl.Expr:
    """Failure values are kept for people to read: a huge one is cut, saying how long it was."""
    return (
        pl.when(text.str.len_chars() > FAILURE_VALUE_MAX_CHARS)
        .then(pl.format("{}… ({} characters)", text.str.slice(0, FAILURE_VALUE_MAX_CHARS), text.str.len_chars()))
        .otherwise(text)
    )


def _explain_check(failure: dict[str, str | None]) -> str:
    """A pandera failure told as a sentence about the column, with the value it found."""
    check, value = str(failure["check"]), failure["failure_case"]
    if check.startswith("str_length") and value is not None:
        return (
            f"{failure['column']} is {len(value):,} characters long, more than limits.max_text_chars allows: "
            "the export is likely broken (an unclosed quote swallows the rows after it)"
        )
    sentence = _check_sentence(str(failure["column"]), check)
    if value is None or check in {"not_nullable", "price_has_currency"}:
        return sentence
    if len(value) > FAILURE_VALUE_MAX_CHARS:
        value = value[:FAILURE_VALUE_MAX_CHARS] + "…"
    return f"{sentence}, got '{value}'"


def _check_sentence(column: str, check: str) -> str:
    """A pandera check name such as greater_than(0) told as a sentence about the column."""
    if check == "not_nullable":
        if column == "listing_id":
            return "listing_id is missing and there is no sku to derive it from: the listing cannot be identified"
        return f"{column} is required"
    if check == "is_finite":
        return f"{column} must be a finite number (not NaN or infinity)"
    if check == "price_has_currency":
        return "price is given without a currency"
    match = re.fullmatch(r"(\w+)\((.*)\)", check)
    if match and match.group(1) in _CHECK_PHRASES:
        phrase = _CHECK_PHRASES[match.group(1)].format(match.group(2))
        if match.group(1) == "less_than_or_equal_to" and column == "weight_kg":
            phrase += " kg (a heavier value is usually grams typed as kg; raise limits.max_weight_kg if real)"
        elif match.group(1) == "less_than_or_equal_to" and column.endswith("_cm"):
            phrase += " cm (raise limits.max_side_cm if real)"
        elif match.group(1) == "isin" and column == "currency":
            phrase = "must be a currency with a rate in the FX table (fx.usd_per_unit)"
        return f"{column} {phrase}"
    return f"{column} fails the check {check}"
