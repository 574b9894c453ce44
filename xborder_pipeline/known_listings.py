"""The stored listings an incremental run knows, and which of them it must score again (issue 17).

A full run validates every record, computes the run-wide facts over the whole run (repeated listing_ids, shared
boxes: batches.find_run_wide_facts) and scores every listing. An incremental run (the scoring context of the last
successful run, xborder_pipeline.incremental) stores the same result while it pays, for a record it scored before,
only for reading it, hashing it and finding the hash among the stored ones:

- `listing_keys` (sql/tables/listing_keys.sql) keeps, for each listing a run scored, what the run-wide facts read of
  it (its declared box, its category and product group as 64-bit keys, its own sales figure, an assumed currency)
  with its two fingerprints. The run reads its fingerprints first and sorts them (`KnownSet`).
- Staging looks every record's fingerprint up in it (`KnownSet.positions`): a record found is a stored listing,
  validated and scored before under the same rules, and only where the run read it is kept (batches, spool kind
  `seen`). The others, the few new or changed, are validated.
- The run-wide facts are then computed for the validated records and for the known listings whose facts can have
  changed (`listings_to_check`, docs/decisions.md 25): those sharing a box with a validated record, with a stored
  listing the run did not read, with a known record rejected as a repeat or with a listing the last run did not read
  (`absent_listings`), those its sales name or whose stored demand came from sales, and every grouped listing.
  Repeated listing_ids first (`repeated_listing_ids`), then shared boxes over every listing of the run that has one of
  their boxes (`with_shared_box_counts`), and their input fingerprints, compared with the stored ones (`to_rescore`).
  Every other known listing keeps its rows without its keys being read: where the run read each known listing is
  kept in arrays by its place in the known set (`KnownInRun`, 17 bytes a stored listing).

A box, category or product group compared by its 64-bit key rather than by its values gives what the full run's
comparisons of the values give, but for a hash collision (about one in 2^64 per pair); listing_ids are compared as
text, in the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from xborder_pipeline.features.dimensions import SIDES, all_sides_known
from xborder_pipeline.incremental import (
    INPUT_FINGERPRINT,
    LISTING_FINGERPRINT,
    combined_hash,
    fingerprint_of,
    local_fingerprint,
)
from xborder_pipeline.sales.demand import DEMAND_COLUMNS

KEY_COLUMNS: tuple[str, ...] = (
    "listing_id", LISTING_FINGERPRINT, INPUT_FINGERPRINT, *SIDES, "category_key", "group_key", "own_units_sold",
    "assumed_currency",
)
STORED_INPUT_FINGERPRINT = "stored_input_fingerprint"  # the known listing's input fingerprint, as stored
POSITION = "known"  # a seen record's position in the known set (KnownSet: the sorted stored fingerprints)
PART = "_part"  # the batch a listing was read in (its valid part's number, in name order)
FILE_INDEX = "_file_index"


# --- what is stored of each listing ----------------------------------------------------------------------------


def _key(column: str) -> pl.Expr:
    """A 64-bit key of a text column; null stays null."""
    return pl.when(pl.col(column).is_not_null()).then(pl.col(column).hash(seed=0))


def key_values(own_units: str = "monthly_units_sold") -> list[pl.Expr]:
    """What the run-wide facts read of a listing, from its validated values (`own_units`: the column holding its own
    monthly sales figure, before any sales history fills it in)."""
    return [
        box_key(),
        _key("category").alias("category_key"),
        _key("product_group").alias("group_key"),
        pl.col(own_units).alias("own_units_sold"),
        pl.when(pl.col("currency_assumed")).then(pl.col("currency")).alias("assumed_currency"),
    ]


def stored_keys(scored: pl.DataFrame) -> pl.DataFrame:
    """The listing_keys rows of scored listings (one batch of score_part)."""
    return scored.select(
        "listing_id", LISTING_FINGERPRINT, INPUT_FINGERPRINT, *key_values(own_units="listing_monthly_units_sold")
    )


# --- the known set ----------------------------------------------------------------------------------------------


def read_known_fingerprints(connection: duckdb.DuckDBPyConnection) -> pl.Series:
    """The stored listings' fingerprints (listing_keys), in the store's order. The store is attached as `store`."""
    return connection.sql("select listing_fingerprint from store.listing_keys").pl().get_column(LISTING_FINGERPRINT)


@dataclass(frozen=True)
class KnownSet:
    """The stored listing fingerprints, sorted: a seen record is known by its position among them."""

    fingerprints: np.ndarray

    @classmethod
    def of(cls, fingerprints: pl.Series) -> KnownSet:
        """The set of the known listings' fingerprints; an error when two share one (a 64-bit collision, or a defect:
        a full refresh rewrites them). Sorting a million takes 0.02 s; the listings' other keys are read by the plan,
        which finds them by fingerprint."""
        ordered = fingerprints.sort().to_numpy()
        if np.any(ordered[1:] == ordered[:-1]):
            raise RuntimeError("stored listing fingerprints repeat: run again with --full-refresh")
        return cls(ordered)

    def positions(self, fingerprints: np.ndarray) -> np.ndarray:
        """Each fingerprint's position in the known set, -1 where it is not there. A binary search of the sorted set:
        a hash join would hash the whole set again for every batch (at 10M listings, 40 batches hashing 10M each:
        25 s of a 46 s run, and a 6.3 GB peak)."""
        found = np.full(fingerprints.size, -1, dtype=np.int64)
        if self.fingerprints.size and fingerprints.size:
            # searching in sorted order keeps the set's pages in cache; polars sorts on every core, numpy on one
            order = pl.Series(fingerprints, dtype=pl.UInt64).arg_sort().to_numpy()
            wanted = fingerprints[order]
            at = np.minimum(np.searchsorted(self.fingerprints, wanted), self.fingerprints.size - 1)
            found[order] = np.where(self.fingerprints[at] == wanted, at, -1)
        return found


# --- run-wide facts -----------------------------------------------------------------------------------------------


def repeated_listing_ids(
    seen: pl.DataFrame, validated: pl.DataFrame, source_files: pl.DataFrame, known: KnownSet,
    store: duckdb.DuckDBPyConnection | None,
) -> pl.DataFrame:
    """The records of the run whose listing_id an earlier record of the run has (in file, then row order), with
    where that first record is: what sql/run_wide/repeated_listing_ids.sql finds over every valid record.

    `seen` holds the known records (POSITION, _file_index, source_row), `validated` the others (listing_id,
    _file_index, source_file, source_row), `source_files` the name of each file (_file_index, source_file); the store
    is attached to `store` as `store` (None: nothing is known). A stored listing has one listing_id, so a known
    listing's id repeats only where it was seen twice or where a validated record has it: the store names those few.
    """
    times_seen = np.bincount(seen.get_column(POSITION).to_numpy(), minlength=known.fingerprints.size)
    if known.fingerprints.size and store is not None:
        stored = _stored_ids(store, validated.select("listing_id").unique(), known.fingerprints[times_seen > 1])
    else:  # a store without keys (an earlier version's): nothing of it is known
        stored = pl.DataFrame(schema={"listing_id": pl.String, LISTING_FINGERPRINT: pl.UInt64})
    positions = known.positions(stored.get_column(LISTING_FINGERPRINT).to_numpy())
    in_run = positions >= 0  # a stored listing the run saw (a validated record's id may name one it did not)
    in_run[in_run] = times_seen[positions[in_run]] > 0
    stored_in_run = stored.with_columns(pl.Series(POSITION, positions)).filter(pl.Series(in_run))
    known_records = seen.join(stored_in_run.select(POSITION, "listing_id"), on=POSITION, how="inner").join(
        source_files, on=FILE_INDEX, how="left"
    )
    repeated_in_validated = validated.group_by("listing_id").len().filter(pl.col("len") > 1).get_column("listing_id")
    sharing = pl.concat([repeated_in_validated, known_records.get_column("listing_id")]).unique()
    records = pl.concat([
        known_records.select("listing_id", FILE_INDEX, "source_file", "source_row"),
        validated.filter(pl.col("listing_id").is_in(sharing.implode())).select(
            "listing_id", FILE_INDEX, "source_file", "source_row"
        ),
    ], how="vertical")
    by_position = records.sort(FILE_INDEX, "source_row")
    return by_position.with_columns(
        pl.int_range(pl.len()).over("listing_id").alias("position"),
        pl.col("source_file").first().over("listing_id").alias("first_file"),
        pl.col("source_row").first().over("listing_id").alias("first_row"),
    ).filter(pl.col("position") > 0).drop("position")


def _stored_ids(store: duckdb.DuckDBPyConnection, ids: pl.DataFrame, fingerprints: np.ndarray) -> pl.DataFrame:
    """The stored listings (listing_id, listing_fingerprint) that have one of `ids` or of `fingerprints`."""
    store.register("validated_ids", ids.to_arrow())
    store.register("seen_twice", pl.DataFrame({LISTING_FINGERPRINT: fingerprints},
                                              schema={LISTING_FINGERPRINT: pl.UInt64}).to_arrow())
    try:
        return store.sql(
            "select listing_id, listing_fingerprint from store.listing_keys "
            "where listing_id in (select listing_id from validated_ids) "
            "or listing_fingerprint in (select listing_fingerprint from seen_twice)"
        ).pl()
    finally:
        store.unregister("validated_ids")
        store.unregister("seen_twice")


# --- the run's facts, and what to score again ----------------------------------------------------------------------

# What the plan holds of each listing of the run: its fingerprints, the keys of its facts and the hashes of its
# demand columns (a million listings' demand texts were 0.04 s to make and as much to hash), and where it was read.
DEMAND_HASHES = {column: f"{column}_hash" for column in ("demand_source", "demand_evidence", "demand_reasons")}
PLANNED = (
    LISTING_FINGERPRINT, STORED_INPUT_FINGERPRINT, "box_key", "category_key", "group_key", "monthly_units_sold",
    *DEMAND_HASHES.values(), "assumed_currency", PART, FILE_INDEX, "source_row", "known",
)


def box_key() -> pl.Expr:
    """A 64-bit key of a listing's whole box (null unless every side is known and above zero)."""
    return pl.when(all_sides_known()).then(combined_hash([pl.col(side) for side in SIDES])).alias("box_key")


_KNOWN_KEYS = {  # what known_listings_to_check.sql reads
    LISTING_FINGERPRINT: pl.UInt64, STORED_INPUT_FINGERPRINT: pl.UInt64, "box_key": pl.UInt64,
    "category_key": pl.UInt64, "group_key": pl.UInt64, "own_units_sold": pl.Float64, "assumed_currency": pl.String,
}


@dataclass(frozen=True)
class KnownInRun:
    """Where the run read each known listing it holds (repeats left out, so once each), by the listing's position in
    the known set: four arrays as long as the known set, 17 bytes a stored listing."""

    present: np.ndarray  # read by the run
    part: np.ndarray  # PART
    file_index: np.ndarray  # FILE_INDEX
    source_row: np.ndarray

    @classmethod
    def of(cls, known: KnownSet, seen: pl.DataFrame) -> KnownInRun:
        """From the run's known records (`seen`: POSITION, PART, _file_index, source_row; repeats left out)."""
        positions = seen.get_column(POSITION).to_numpy()
        present = np.zeros(known.fingerprints.size, dtype=bool)
        present[positions] = True
        where = []
        for column, dtype in ((PART, np.int32), (FILE_INDEX, np.int32), ("source_row", np.int64)):
            values = np.zeros(known.fingerprints.size, dtype=dtype)
            values[positions] = seen.get_column(column).to_numpy()
            where.append(values)
        return cls(present, *where)

    def located(self, known: KnownSet, keys: pl.DataFrame) -> pl.DataFrame:
        """The rows of `keys` (with their listing_fingerprint) whose listing the run read, with where it read it."""
        positions = known.positions(keys.get_column(LISTING_FINGERPRINT).to_numpy())
        read = positions >= 0
        read[read] = self.present[positions[read]]
        at = positions[read]
        return keys.filter(pl.Series(read)).with_columns(
            pl.Series(PART, self.part[at]), pl.Series(FILE_INDEX, self.file_index[at]),
            pl.Series("source_row", self.source_row[at]),
        )


def listings_to_check(
    store: duckdb.DuckDBPyConnection, known: KnownSet, in_run: KnownInRun, wanted: np.ndarray,
    touched_boxes: pl.Series,
) -> pl.DataFrame:
    """The stored keys of the known listings of the run whose input fingerprint may have changed, each with where the
    run read it (sql/run_wide/known_listings_to_check.sql): those `wanted` (by fingerprint: listings of the store the
    run did not read, known records it rejected as repeats, listings the last run did not read, listings its sales
    name), every grouped one, every one whose stored demand came from sales, and every one that shares a box with
    them or has one of the `touched_boxes` (the validated records'). The others' facts are those they were scored with
    (docs/decisions.md, 25). The store is attached to `store` as `store`."""
    from xborder_pipeline.store.database import sql_text

    if not known.fingerprints.size:  # a store without keys (an earlier version's): nothing of it is known
        return pl.DataFrame(schema={**_KNOWN_KEYS, PART: pl.Int32, FILE_INDEX: pl.Int32, "source_row": pl.Int64})
    store.register("wanted_listings", pl.DataFrame({LISTING_FINGERPRINT: wanted},
                                                   schema={LISTING_FINGERPRINT: pl.UInt64}).to_arrow())
    store.register("touched_boxes", touched_boxes.drop_nulls().unique().alias("box_key").to_frame().to_arrow())
    try:
        keys = store.sql(sql_text("run_wide/known_listings_to_check.sql")).pl()
    finally:
        store.unregister("wanted_listings")
        store.unregister("touched_boxes")
    return in_run.located(known, keys)


def known_with_assumed_currency(store: duckdb.DuckDBPyConnection, known: KnownSet, in_run: KnownInRun) -> pl.DataFrame:
    """The known listings of the run that were read in an assumed currency (assumed_currency, _file_index)."""
    if not known.fingerprints.size:
        return pl.DataFrame(schema={"assumed_currency": pl.String, FILE_INDEX: pl.Int32})
    keys = store.sql(
        "select listing_fingerprint, assumed_currency from store.listing_keys where assumed_currency is not null"
    ).pl()
    return in_run.located(known, keys).select("assumed_currency", FILE_INDEX)


def unnamed_demand() -> dict[str, pl.Expr]:
    """The hashes of the demand columns of a listing the run's sales history does not name (with_sales_demand gives
    it source `listing` or `none` by its own figure, no evidence, no reasons): each value hashed once."""
    source = pl.Series(["listing", "none"], dtype=pl.String).hash(seed=0)
    evidence = pl.Series([None], dtype=DEMAND_COLUMNS["demand_evidence"]).hash(seed=0)[0]
    reasons = pl.Series([None], dtype=DEMAND_COLUMNS["demand_reasons"]).hash(seed=0)[0]
    return {
        DEMAND_HASHES["demand_source"]: pl.when(pl.col("monthly_units_sold").is_not_null())
        .then(pl.lit(source[0], pl.UInt64)).otherwise(pl.lit(source[1], pl.UInt64)),
        DEMAND_HASHES["demand_evidence"]: pl.lit(evidence, pl.UInt64),
        DEMAND_HASHES["demand_reasons"]: pl.lit(reasons, pl.UInt64),
    }


def hashed_demand() -> dict[str, pl.Expr]:
    """The hashes of the demand columns of listings that have them (with_sales_demand)."""
    return {hashed: pl.col(column).hash(seed=0) for column, hashed in DEMAND_HASHES.items()}


def with_shared_box_counts(listings: pl.DataFrame) -> pl.DataFrame:
    """Every listing of the run (repeats left out, with its box_key) with how many listings and distinct categories of
    the run share its box: what sql/run_wide/shared_boxes.sql and the scoring's join of its result give (null without
    a whole box). Categories are counted only where listings share a box (most boxes are one listing's): 0.07 s for a
    million listings, against 0.55 s grouping by the three sides."""
    known_box = pl.col("box_key").is_not_null()
    sharing = listings.select(pl.when(known_box).then(pl.len().over("box_key").cast(pl.Int64))).to_series()
    categories = listings.select(pl.when(known_box).then(pl.col("category_key").is_not_null().cast(pl.Int64)))
    categories = categories.to_series()
    shared = np.flatnonzero((sharing > 1).fill_null(False).to_numpy())
    if shared.size:
        categories = categories.scatter(shared, listings[shared].select(
            pl.col("category_key").drop_nulls().n_unique().over("box_key").cast(pl.Int64)
        ).to_series())
    return listings.with_columns(sharing.alias("listings_sharing_box"), categories.alias("categories_sharing_box"))


def to_rescore(listings: pl.DataFrame, context: str) -> pl.DataFrame:
    """The listings of the run (PLANNED, with their shared-box counts) with their input fingerprint, and which must
    be scored again (`rescored`): those whose input fingerprint is not the stored one (every validated record, whose
    stored one is null; a known one whose box count, demand or siblings changed), and every listing of the same
    product group in the same batch as one of them, since sibling estimates read them all. The others keep their
    rows, with the run id, file and row of the run that scored them.

    What siblings add is computed over the listings of a group only and written back in place: a window over a column
    of nulls costs as much as one over a million groups, and splitting the run in two copied it."""
    local = listings.select(
        local_fingerprint({column: pl.col(hashed) for column, hashed in DEMAND_HASHES.items()}).alias("local")
    ).to_series()
    grouped = np.flatnonzero(listings.get_column("group_key").is_not_null().to_numpy())
    siblings = pl.Series("siblings", np.zeros(listings.height, dtype=np.uint64))
    if grouped.size:
        members = listings[grouped].select("group_key", PART).with_columns(local[grouped])
        siblings = siblings.scatter(grouped, members.select(pl.col("local").sum().over("group_key", PART)).to_series())
    fingerprinted = listings.with_columns(
        pl.DataFrame([local, siblings]).select(fingerprint_of(pl.col("local"), pl.col("siblings"), context))
    )
    differs = fingerprinted.select(
        pl.col(INPUT_FINGERPRINT).ne_missing(pl.col(STORED_INPUT_FINGERPRINT)).alias("rescored")
    ).to_series()
    if grouped.size:
        members = fingerprinted[grouped].select("group_key", PART).with_columns(differs[grouped])
        differs = differs.scatter(grouped, members.select(pl.col("rescored").any().over("group_key", PART)).to_series())
    return fingerprinted.with_columns(differs)
