"""Demand per SKU from sales history, known before scoring so that the warehouse flag can follow it.

The judgement itself is one SQL definition, the `sku_demand` view (sql/views/sku_demand.sql). Before a
run scores, DuckDB evaluates that same view on the history already stored plus the run's own new sales
(each new period replacing a stored one of the same kind, seller, SKU and period, as the load will),
as of the run's date, and the result joins the listings like the run's shared boxes do
(`with_sales_demand`). Two lookups are made: per seller, and per marketplace and SKU over all sellers,
for listing exports that name no seller (Olist's products, which its order lines sell through many).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import polars as pl

from xborder_pipeline.config import Settings
from xborder_pipeline.store.database import attach_store_read_only

ANY_SELLER = "\x00any seller"  # the lookup key of a listing that names no seller
DEMAND_COLUMNS: dict[str, pl.DataType] = {
    "marketplace": pl.String(),
    "seller_id": pl.String(),
    "sku": pl.String(),
    "monthly_units_sold": pl.Float64(),
    "demand_evidence": pl.String(),
    "demand_reasons": pl.List(pl.String()),
}
SALES_HISTORY_COLUMNS = (
    "source_kind", "marketplace", "seller_id", "sku", "listing_id", "period_start", "period_end", "units",
    "revenue", "currency", "source_file",
)


def _sql(relative: str) -> str:
    from xborder_pipeline.store.database import sql_text

    return sql_text(relative)


def replace_sales_periods(connection: duckdb.DuckDBPyConnection, stamps: dict[str, object] | None = None) -> int:
    """Write the run's sales (view incoming_sales_lines) into sales_history at its grain: rows of the same
    kind, marketplace, seller, SKU and period are replaced, never added to. Returns the rows written.

    `stamps` are the run's columns of the stored table (run_id, loaded_at), bound as parameters.
    """
    connection.execute(f"create or replace temp table incoming_sales_grain as {_sql('writes/sales_grain.sql')}")
    connection.execute(
        """
        delete from sales_history as h
        using incoming_sales_grain as i
        where h.source_kind = i.source_kind and h.marketplace = i.marketplace and h.seller_id = i.seller_id
          and h.sku = i.sku and h.period_start = i.period_start and h.period_end = i.period_end
        """
    )
    columns = ", ".join(SALES_HISTORY_COLUMNS)
    added = "".join(f", ${name} as {name}" for name in stamps or {})
    connection.execute(
        f"insert into sales_history by name select {columns}{added} from incoming_sales_grain",  # noqa: S608
        stamps or None,
    )
    return int(connection.execute("select count(*) from incoming_sales_grain").fetchone()[0])  # type: ignore[index]


def sku_demand_lookups(
    database: Path, sales_parts: list[Path], settings: Settings, as_of: datetime.date, duckdb_config: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """sku_demand as of `as_of` over the stored history plus the run's sales: per seller, and over all sellers."""
    with duckdb.connect(config=duckdb_config) as connection:
        connection.execute("set enable_progress_bar = false")
        stored = _stored_history(connection, database)
        columns = ", ".join(SALES_HISTORY_COLUMNS)
        connection.execute(f"create table sales_history as select {columns} from {stored}")  # noqa: S608
        if sales_parts:
            connection.read_parquet([str(path) for path in sales_parts]).create_view("incoming_sales_lines")
            replace_sales_periods(connection)
        connection.execute("create table thresholds (name varchar, value double, meaning varchar)")
        connection.executemany("insert into thresholds values (?, ?, ?)", settings.sql_thresholds())
        connection.execute("create table demand_as_of (as_of_date date)")
        connection.execute("insert into demand_as_of values ($as_of)", {"as_of": as_of})
        connection.execute(_sql("views/sku_demand.sql"))
        wanted = ", ".join(DEMAND_COLUMNS)
        by_seller = connection.sql(f"select {wanted} from sku_demand").pl()  # noqa: S608
        connection.execute("update sales_history set seller_id = ''")
        any_seller = connection.sql(f"select {wanted} from sku_demand").pl()  # noqa: S608
    return _typed(by_seller), _typed(any_seller)


def _stored_history(connection: duckdb.DuckDBPyConnection, database: Path) -> str:
    """The relation holding the stored sales history, or an empty one for a new or older database."""
    empty = (
        "(select null::varchar as source_kind, null::varchar as marketplace, null::varchar as seller_id, "
        "null::varchar as sku, null::varchar as listing_id, null::date as period_start, null::date as period_end, "
        "null::bigint as units, null::double as revenue, null::varchar as currency, null::varchar as source_file "
        "limit 0)"
    )
    if not database.is_file():
        return empty
    attach_store_read_only(connection, database)
    tables = connection.execute(
        "select table_name from duckdb_tables() where database_name = 'store' and table_name = 'sales_history'"
    ).fetchall()
    return "store.main.sales_history" if tables else empty


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col(name).cast(dtype) for name, dtype in DEMAND_COLUMNS.items())


def with_sales_demand(
    listings: pl.LazyFrame, by_seller: pl.LazyFrame | None, any_seller: pl.LazyFrame | None
) -> pl.LazyFrame:
    """The listings with their SKU's sales demand, and monthly_units_sold taken from it where the listing
    has no figure of its own (`demand_source` = listing | sales_history | none).

    A listing matches sales of its marketplace by its SKU, else by its listing id (the platform's product
    id, as Olist's order lines name it): those of its own seller, else those whose file named no seller;
    a listing that names no seller matches the sales of all sellers together. Without sales (None for both
    lookups) nothing is joined: every listing's demand is its own figure or none.
    """
    own = pl.col("monthly_units_sold")
    if by_seller is None and any_seller is None:
        return listings.with_columns(
            listing_monthly_units_sold=own,
            demand_source=pl.when(own.is_not_null()).then(pl.lit("listing")).otherwise(pl.lit("none")),
            demand_evidence=pl.lit(None, DEMAND_COLUMNS["demand_evidence"]),
            demand_reasons=pl.lit(None, DEMAND_COLUMNS["demand_reasons"]),
        )
    lookup = pl.concat(
        [
            by_seller.with_columns(pl.col("seller_id").alias("_seller")),
            any_seller.with_columns(pl.lit(ANY_SELLER).alias("_seller")),
        ]
    ).select(
        pl.col("marketplace").alias("_market"),
        "_seller",
        pl.col("sku").alias("_key"),
        pl.struct("monthly_units_sold", "demand_evidence", "demand_reasons").alias("_demand"),
    )
    market = pl.col("marketplace").str.to_lowercase()
    own_seller = pl.coalesce(pl.col("seller_id"), pl.lit(ANY_SELLER))
    unknown_seller = pl.when(pl.col("seller_id").is_not_null()).then(pl.lit(""))
    attempts = [
        (own_seller, pl.col("sku")),
        (unknown_seller, pl.col("sku")),
        (own_seller, pl.col("listing_id")),
        (unknown_seller, pl.col("listing_id")),
    ]
    matched = listings.with_columns(_market=market)
    for number, (seller, key) in enumerate(attempts):
        matched = matched.with_columns(_seller=seller, _key=key).join(
            lookup, on=["_market", "_seller", "_key"], how="left", maintain_order="left"
        ).rename({"_demand": f"_demand_{number}"})
    demand = pl.coalesce(*[pl.col(f"_demand_{number}") for number in range(len(attempts))])
    return (
        matched.with_columns(_demand=demand)
        .with_columns(
            listing_monthly_units_sold=own,
            demand_source=pl.when(own.is_not_null())
            .then(pl.lit("listing"))
            .when(pl.col("_demand").is_not_null())
            .then(pl.lit("sales_history"))
            .otherwise(pl.lit("none")),
            monthly_units_sold=pl.coalesce(own, pl.col("_demand").struct.field("monthly_units_sold")),
            demand_evidence=pl.col("_demand").struct.field("demand_evidence"),
            demand_reasons=pl.col("_demand").struct.field("demand_reasons"),
        )
        .drop("_market", "_seller", "_key", "_demand", *[f"_demand_{number}" for number in range(len(attempts))])
    )


def empty_demand() -> pl.DataFrame:
    return pl.DataFrame(schema=DEMAND_COLUMNS)
