"""Incremental runs: a nightly re-export costs what changed, with exactly the result of a full run.

Two fingerprints decide what a run must score again:

- the **scoring context** of the run: everything outside the listings that a score rests on and that is the same
  for every listing (the effective configuration with its priors, trait rules and dated windows in force, the FBA
  card and which of its dated fees apply on the run's day, the code (its version and a hash of its sources) and the
  polars version that hashes).
  When it differs from the last successful run's, every listing is scored again, and the run says why.
- the **input fingerprint** of each listing (`listing_scores.input_fingerprint`, 64 bits): its own canonical values
  (`listing_fingerprint`, lineage aside), the run-wide facts its score reads (how many listings and categories of
  the run share its box, its SKU's sales demand as of the run's day), the fingerprints of the other listings of its
  `product_group` in its batch (sibling estimates read them), and the scoring context. A listing whose input
  fingerprint equals the stored one keeps its rows, with the run id, file and row of the run that scored it; the
  others are scored, in the batches a full run would score them in, so that sibling estimates see the same siblings.

A listing's own fingerprint is the hash of its record's text as read (under the scoring context), and
`listing_scores` and `listing_keys` keep it: a record of the run whose fingerprint is stored was validated and scored
before under the same rules, so the run only notes where it read it and validates the others (in a nightly re-export,
the few percent that are new or changed); its run-wide facts are computed from the keys stored with it
(xborder_pipeline.known_listings). A known record that must be scored again (its box or product changed around it)
is scored from its stored listing row, which is what validating its text again would give.

Because the run-wide facts are inside each listing's fingerprint, a change to one listing that changes another's
result (a box that becomes shared by enough listings to be a placeholder, a sibling's weight) changes the other's
fingerprint too, and both are scored again. Listings missing from a run keep their rows, as in a full run
(docs/decisions.md, 19).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

import xborder_pipeline
import xborder_pipeline.schemas
from xborder_pipeline.config import Settings
from xborder_pipeline.features.fba import FbaCard
from xborder_pipeline.schemas.listing import LINEAGE_COLUMNS

LISTING_FINGERPRINT = "listing_fingerprint"  # the listing's own values, lineage aside (spooled valid rows)
INPUT_FINGERPRINT = "input_fingerprint"  # everything its score rests on (listing_scores)
# What a listing's score reads from the run beyond its own values: shared-box counts and sales demand.
RUN_WIDE_INPUTS = (
    "listings_sharing_box",
    "categories_sharing_box",
    "monthly_units_sold",
    "demand_source",
    "demand_evidence",
    "demand_reasons",
)
_NOT_OWN_VALUES = (*LINEAGE_COLUMNS, "_file_index", LISTING_FINGERPRINT, INPUT_FINGERPRINT)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the run's scoring context ----------------------------------------------------------------------------------


def scoring_context(settings: Settings, card: FbaCard, day: date) -> str:
    """A hex fingerprint of what every listing's score rests on apart from the listings themselves.

    The day itself is left out, so that nightly runs can keep one context; what the day decides is in: the windows
    of the configuration in force (config_hash), and, for every date the configuration or the card names (window
    edges, a card's effective dates, a surcharge's start), whether the day is before, on or after it.
    """
    configuration = settings.model_dump(mode="json")
    configuration["run"].pop("as_of", None)  # the run's own date: not a date the configuration names
    dumped = [configuration, card.model_dump(mode="json")]
    dated = sorted({value for value in _strings(dumped) if _DATE.match(value)})
    parts = {
        "config_hash": settings.config_hash(card),
        "card_label": card.label_on(day),
        "day_against_dates": {value: _compare(day, date.fromisoformat(value)) for value in dated},
        "xborder": xborder_pipeline.__version__,
        "code": code_fingerprint(),
        "polars": version("polars"),
    }
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the code that reads, validates and scores listings (the package's and its schemas' Python sources and
    data files): an upgrade that changes any of them scores every listing again once, whether or not the version
    number moved."""
    return tree_fingerprint([Path(xborder_pipeline.__file__).parent, Path(xborder_pipeline.schemas.__file__).parent])


def tree_fingerprint(roots: list[Path]) -> str:
    """A hex hash of the .py and .toml files under `roots`, by path (relative to each root's parent) and content."""
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(path for path in root.rglob("*") if path.suffix in {".py", ".toml"} and path.is_file()
                       and "__pycache__" not in path.parts)
        for path in files:
            digest.update(path.relative_to(root.parent).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def _compare(day: date, other: date) -> int:
    return (day > other) - (day < other)


def context_seed(context: str) -> int:
    """The scoring context as a 64-bit number that goes into every listing's input fingerprint."""
    return int(context[:16], 16) if context else 0


# --- fingerprints -------------------------------------------------------------------------------------------------


_MIX = 0x100000001B3  # FNV-1's 64-bit prime: each column's hash is multiplied in, so order and position count


def combined_hash(expressions: list[pl.Expr]) -> pl.Expr:
    """One 64-bit hash of several values: each hashed alone, then mixed (wrapping multiply, xor) in order.

    Hashing each column alone is about 6x faster than hashing a struct of them (0.04 s against 0.25 s for 250k
    listings with their texts)."""
    return mixed([expression.hash(seed=0) for expression in expressions])


def mixed(hashes: list[pl.Expr]) -> pl.Expr:
    """The hashes of several values (each `.hash(seed=0)` of one) mixed in order, as combined_hash mixes them."""
    result = hashes[0]
    for value in hashes[1:]:
        result = (result * pl.lit(_MIX, pl.UInt64)) ^ value
    return result


def listing_fingerprint(columns: list[str], context: str = "") -> pl.Expr:
    """A 64-bit hash of a listing's own values (the columns given, lineage and spool columns left out) under the
    scoring context: a run hashes each record's text as read, before validation, so that a record it scored
    before under the same context is known without validating it again (xborder_pipeline.known_listings)."""
    own = sorted(column for column in columns if column not in _NOT_OWN_VALUES)
    return combined_hash(
        [*(pl.col(column) for column in own), pl.lit(context_seed(context), pl.UInt64)]
    ).alias(LISTING_FINGERPRINT)


LOCAL_INPUTS = (LISTING_FINGERPRINT, *RUN_WIDE_INPUTS)  # what a listing's own part of its input fingerprint hashes


def local_fingerprint(hashes: dict[str, pl.Expr] | None = None) -> pl.Expr:
    """The hash of a listing's own fingerprint and run-wide facts (LOCAL_INPUTS); `hashes` may give some of those
    columns' hashes already made (an incremental run knows the hash of a value most listings share)."""
    given = hashes or {}
    return mixed([given.get(column, pl.col(column).hash(seed=0)) for column in LOCAL_INPUTS])


def input_fingerprint(
    context: str, group: str | None = "product_group", within: tuple[str, ...] = (), local: pl.Expr | None = None,
) -> pl.Expr:
    """Everything a listing's score rests on, from a frame with its listing_fingerprint and RUN_WIDE_INPUTS (or with
    their hash, `local`: local_fingerprint).

    Sibling estimates read every listing of the same `group` (product_group, or a key of it) in one batch: the
    group's members, each with its own values and run-wide facts, are summed into every member's fingerprint. A frame
    holding several batches names the column that tells them apart (`within`); None: the frame has no groups.
    """
    local = local_fingerprint() if local is None else local
    if group is not None:
        grouped = pl.col(group).is_not_null()
        siblings = pl.when(grouped).then(local.sum().over(group, *within)).otherwise(pl.lit(0, pl.UInt64))
    else:
        siblings = pl.lit(0, pl.UInt64)
    return fingerprint_of(local, siblings, context)


def fingerprint_of(local: pl.Expr, siblings: pl.Expr, context: str) -> pl.Expr:
    """The input fingerprint of a listing from its local fingerprint and the sum of its product's (0 without one)."""
    return combined_hash([local, siblings, pl.lit(context_seed(context), pl.UInt64)]).alias(INPUT_FINGERPRINT)


def with_input_fingerprint(scored: pl.DataFrame | pl.LazyFrame, context: str) -> pl.DataFrame | pl.LazyFrame:
    """The frame (one batch) with input_fingerprint added; null where the frame has no listing_fingerprint (not
    spooled)."""
    names = scored.collect_schema().names()
    if LISTING_FINGERPRINT not in names:
        return scored.with_columns(pl.lit(None, pl.UInt64).alias(INPUT_FINGERPRINT))
    return scored.with_columns(input_fingerprint(context, "product_group" if "product_group" in names else None))


# --- what to score again ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RescorePlan:
    """Which of the run's valid listings are scored, and why (pipeline_runs.rescore_reason)."""

    parts: list[Path]  # the spooled parts to score: the valid parts, or their changed rows
    reason: str
    listings: int  # valid listings of the run
    rescored: int
    incremental: bool = False
    assumed_currency_parts: tuple[Path, ...] = ()  # the run's valid listings read in an assumed currency, for the load
    absent_part: Path | None = None  # an incremental run's stored listings it did not read, for the load


def full_plan(parts: list[Path], listings: int, reason: str) -> RescorePlan:
    return RescorePlan(parts=parts, reason=reason, listings=listings, rescored=listings)


def full_rescore_reason(previous_context: str | None, context: str, full_refresh: bool) -> str | None:
    """Why every listing must be scored, or None when an incremental run may decide listing by listing."""
    if full_refresh:
        return "full refresh asked for: every listing scored"
    if previous_context is None:
        return "no earlier run to compare with: every listing scored"
    if previous_context != context:
        return ("scoring context changed since the last successful run (configuration, cards, dated windows in "
                "force or code version): full rescore")
    return None


def stored_scoring_context(connection: duckdb.DuckDBPyConnection, catalog: str = "") -> str | None:
    """The scoring context of the last successful run that recorded one, in the database open in `connection` (or
    attached there as `catalog`), or None."""
    if not has_column(connection, "pipeline_runs", "scoring_context", catalog):
        return None
    found = connection.sql(
        f"select scoring_context from {catalog}{'.' if catalog else ''}pipeline_runs "  # noqa: S608 (our names)
        "where status = 'succeeded' order by finished_at desc limit 1"
    ).fetchall()
    return found[0][0] if found and found[0][0] else None


def has_column(connection: duckdb.DuckDBPyConnection, table: str, column: str, catalog: str = "") -> bool:
    return bool(connection.execute(
        "select count(*) from information_schema.columns where table_name = $table and column_name = $column "
        "and ($catalog = '' or table_catalog = $catalog)",
        {"table": table, "column": column, "catalog": catalog},
    ).fetchall()[0][0])


def incremental_reason(rescored: int, listings: int) -> str:
    kept = listings - rescored
    return (f"incremental: {rescored:,} of {listings:,} listings new or changed (their own values, shared boxes, "
            f"siblings or demand) and scored; {kept:,} unchanged kept their rows")
