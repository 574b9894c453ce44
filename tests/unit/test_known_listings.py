"""The run-wide facts of an incremental run, from the stored keys of its known listings
(xborder_pipeline.known_listings), are those a full run finds with SQL over every valid record (sql/run_wide/)."""

from __future__ import annotations

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from xborder_pipeline.incremental import combined_hash, local_fingerprint
from xborder_pipeline.known_listings import (
    DEMAND_HASHES,
    FILE_INDEX,
    POSITION,
    KnownSet,
    box_key,
    hashed_demand,
    repeated_listing_ids,
    unnamed_demand,
    with_shared_box_counts,
)
from xborder_pipeline.sales.demand import with_sales_demand
from xborder_pipeline.store.database import sql_text

RECORD = {"listing_id": pl.String, FILE_INDEX: pl.Int32, "source_file": pl.String, "source_row": pl.Int64}


def _records(rows: list[tuple[str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"listing_id": listing, FILE_INDEX: file, "source_file": f"f{file}.csv", "source_row": row}
         for listing, file, row in rows],
        schema=RECORD,
    )


def _sql_repeats(every_record: pl.DataFrame) -> pl.DataFrame:
    with duckdb.connect() as connection:
        connection.register("spooled_valid", every_record.to_arrow())
        return connection.sql(sql_text("run_wide/repeated_listing_ids.sql")).pl()


def test_repeated_ids_of_known_and_validated_records_are_the_ones_the_full_runs_sql_finds() -> None:
    # stored listings A..D with fingerprints 10..40, in the store's order
    stored = pl.DataFrame({"listing_id": ["A", "B", "C", "D"], "listing_fingerprint": [40, 10, 30, 20]},
                          schema={"listing_id": pl.String, "listing_fingerprint": pl.UInt64})
    known = KnownSet.of(stored["listing_fingerprint"])
    # A read twice word for word; B read once; C read after a changed record of C; D not read, but a new record has
    # its id; E new, twice
    seen = _records([("A", 0, 1), ("A", 1, 4), ("B", 0, 2), ("C", 1, 2)])
    validated = _records([("C", 0, 9), ("D", 1, 1), ("E", 0, 3), ("E", 1, 3)])
    positions = known.positions(stored.join(seen.select("listing_id"), on="listing_id", how="right",
                                            maintain_order="right")["listing_fingerprint"].to_numpy())
    with duckdb.connect() as connection:
        connection.execute("attach ':memory:' as store")
        connection.register("stored", stored.to_arrow())
        connection.execute("create table store.listing_keys as select * from stored")
        found = repeated_listing_ids(
            seen.with_columns(pl.Series(POSITION, positions)).select(POSITION, FILE_INDEX, "source_row"),
            validated, seen.select(FILE_INDEX, "source_file").unique(), known, connection,
        )

    expected = _sql_repeats(pl.concat([seen, validated]))
    assert sorted(expected["listing_id"].to_list()) == ["A", "C", "E"]
    assert_frame_equal(found.select(expected.columns), expected, check_dtypes=False)


def test_repeats_of_a_run_that_knows_no_stored_listing_need_no_store() -> None:
    validated = _records([("E", 0, 3), ("E", 0, 5), ("F", 0, 4)])

    found = repeated_listing_ids(pl.DataFrame(schema={POSITION: pl.Int64, FILE_INDEX: pl.Int32,
                                                      "source_row": pl.Int64}),
                                 validated, pl.DataFrame(schema={FILE_INDEX: pl.Int32, "source_file": pl.String}),
                                 KnownSet.of(pl.Series([], dtype=pl.UInt64)), store=None)

    assert found.select("listing_id", "source_row", "first_row").rows() == [("E", 5, 3)]


def test_shared_box_counts_are_the_ones_the_full_runs_sql_counts() -> None:
    sides = ("length_cm", "width_cm", "height_cm")
    boxes = [(33, 33, 33), (33, 33, 33), (33, 33, 33), (33, 33, 33), (10, 20, 30), (30, 20, 10), (0, 5, 5),
             (None, 5, 5), (7, 7, 7), (7, 7, 7)]
    categories = ["Toys", "Toys", "Home", None, "Toys", None, "Toys", "Home", None, None]
    listings = pl.DataFrame(
        {**{side: [box[number] for box in boxes] for number, side in enumerate(sides)}, "category": categories},
        schema={**dict.fromkeys(sides, pl.Float64), "category": pl.String},
    ).with_columns(pl.col("category").hash(seed=0).alias("category_key"))
    listings = listings.with_columns(pl.when(pl.col("category").is_not_null()).then(pl.col("category_key")))

    counted = with_shared_box_counts(listings.with_columns(box_key()))

    with duckdb.connect() as connection:
        connection.register("spooled_valid", listings.with_columns(
            pl.lit(0, pl.Int32).alias(FILE_INDEX), pl.int_range(pl.len()).alias("source_row")
        ).to_arrow())
        connection.execute(f"create view repeats as select 0::int as {FILE_INDEX}, 0::bigint as source_row limit 0")
        shared = connection.sql(sql_text("run_wide/shared_boxes.sql")).pl()
    # the scoring's join of the SQL's boxes: a box no other listing has counts itself and its own category
    expected = listings.join(shared, on=list(sides), how="left", maintain_order="left").select(
        pl.when(box_key().is_not_null()).then(pl.col("listings_sharing_box").fill_null(1)),
        pl.when(box_key().is_not_null()).then(
            pl.col("categories_sharing_box").fill_null(pl.col("category").is_not_null().cast(pl.Int64))
        ),
    )
    assert counted["listings_sharing_box"].to_list() == [4, 4, 4, 4, 1, 1, None, None, 2, 2]
    assert counted["categories_sharing_box"].to_list() == [2, 2, 2, 2, 1, 0, None, None, 0, 0]
    assert counted.select("listings_sharing_box", "categories_sharing_box").rows() == expected.rows()


def test_the_demand_hashes_of_a_listing_no_sales_name_are_those_of_its_demand_columns() -> None:
    listings = pl.DataFrame({"listing_fingerprint": [1, 2, 3], "monthly_units_sold": [None, 4.0, 0.0],
                             "listings_sharing_box": [1, None, 3], "categories_sharing_box": [1, None, 0]},
                            schema={"listing_fingerprint": pl.UInt64, "monthly_units_sold": pl.Float64,
                                    "listings_sharing_box": pl.Int64, "categories_sharing_box": pl.Int64})
    with_demand = with_sales_demand(listings.lazy(), None, None).collect()

    from_columns = with_demand.select(local_fingerprint())
    from_hashes = listings.with_columns(**unnamed_demand()).select(
        local_fingerprint({column: pl.col(hashed) for column, hashed in DEMAND_HASHES.items()})
    )
    hashed = with_demand.with_columns(**hashed_demand()).select(
        local_fingerprint({column: pl.col(hashed) for column, hashed in DEMAND_HASHES.items()})
    )

    assert from_hashes.equals(from_columns)
    assert hashed.equals(from_columns)
    assert from_columns.to_series().n_unique() == 3


def test_a_box_key_is_the_same_for_the_same_sides_and_none_without_a_whole_box() -> None:
    frame = pl.DataFrame({"length_cm": [1.0, 1.0, 2.0, 0.0, None], "width_cm": [2.0, 2.0, 1.0, 1.0, 1.0],
                          "height_cm": [3.0, 3.0, 3.0, 1.0, 1.0]})

    keys = frame.select(box_key()).to_series()

    assert keys[0] == keys[1] != keys[2]
    assert keys[3] is None and keys[4] is None
    assert keys[0] == frame.select(combined_hash([pl.col("length_cm"), pl.col("width_cm"),
                                                   pl.col("height_cm")])).item(0, 0)


def test_siblings_are_summed_within_their_product_and_batch_and_a_change_rescores_the_product_there() -> None:
    from xborder_pipeline.incremental import input_fingerprint
    from xborder_pipeline.known_listings import PART, STORED_INPUT_FINGERPRINT, to_rescore

    context = "0123456789abcdef"
    listings = pl.DataFrame({
        "listing_fingerprint": [1, 2, 3, 4, 5, 6],
        "group_key": [7, 7, 7, None, 8, 8],
        PART: [0, 0, 1, 0, 0, 0],  # the third of product 7 read in another batch
        "listings_sharing_box": [1, 1, 1, 2, 2, None], "categories_sharing_box": [1, 1, 1, 1, 1, None],
        "monthly_units_sold": [None, 1.0, None, None, None, 3.0],
    }, schema_overrides={"listing_fingerprint": pl.UInt64, "group_key": pl.UInt64, PART: pl.Int32})
    listings = listings.with_columns(**unnamed_demand())
    whole = listings.with_columns(input_fingerprint(
        context, group="group_key", within=(PART,),
        local=local_fingerprint({column: pl.col(hashed) for column, hashed in DEMAND_HASHES.items()}),
    ))["input_fingerprint"]
    # stored as the run computes them, but for the second listing (changed) and the fourth (new)
    stored = whole.clone().scatter([1, 3], [0, 0]).to_list()
    stored[3] = None

    planned = to_rescore(listings.with_columns(pl.Series(STORED_INPUT_FINGERPRINT, stored, pl.UInt64)), context)

    assert planned["input_fingerprint"].to_list() == whole.to_list()
    # the changed one and its sibling in the same batch; not the sibling in the other batch, not product 8
    assert planned["rescored"].to_list() == [True, True, False, True, False, False]
