"""What the HTML report shows, read from the dashboard views as small polars frames.

Every function takes a read-only connection (see xborder_pipeline.export.open_views) and returns one section's
data; values are bound parameters, never pasted into the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import polars as pl

from xborder_pipeline.scoring import SUITABILITY_BANDS, WAREHOUSE_FLAGS

TABLE_ROWS = 25
CHANGES_ROWS = 50
RUNS_ROWS = 20
TOP_REASONS = 15
TOP_CATEGORIES = 20
# The histogram of logistics cost ratios stops here; higher ratios fall in its last bin.
RATIO_HISTOGRAM_CAP = 1.5
RATIO_HISTOGRAM_BIN = 0.05


@dataclass(frozen=True)
class RatioThresholds:
    """The scoring's logistics-cost-ratio limits: fine up to `fine`, poor above `poor`, prohibitive above."""

    fine: float
    poor: float
    prohibitive: float


@dataclass(frozen=True)
class ReportData:
    generated_at: datetime
    database_name: str
    headline: dict[str, float | int | None]
    latest_run: dict[str, object] | None
    band_and_flag_counts: pl.DataFrame
    logistics_cost_ratio_histogram: pl.DataFrame
    top_reasons: pl.DataFrame
    category_breakdown: pl.DataFrame
    top_warehouse_candidates: pl.DataFrame
    changes_since_previous_run: pl.DataFrame
    latest_reject_reasons: pl.DataFrame
    run_history: pl.DataFrame
    seller_portfolio: pl.DataFrame
    thresholds: RatioThresholds
    proxy_channels: list[str] = field(default_factory=list)


def read_report_data(
    connection: duckdb.DuckDBPyConnection, database_name: str, thresholds: RatioThresholds
) -> ReportData:
    return ReportData(
        generated_at=datetime.now(UTC),
        database_name=database_name,
        headline=headline_figures(connection),
        latest_run=latest_run(connection),
        band_and_flag_counts=band_and_flag_counts(connection),
        logistics_cost_ratio_histogram=logistics_cost_ratio_histogram(connection, thresholds),
        top_reasons=top_reasons(connection),
        category_breakdown=category_breakdown(connection),
        top_warehouse_candidates=top_warehouse_candidates(connection),
        changes_since_previous_run=changes_since_previous_run(connection),
        latest_reject_reasons=latest_reject_reasons(connection),
        run_history=run_history(connection),
        seller_portfolio=seller_portfolio(connection),
        thresholds=thresholds,
        proxy_channels=proxy_channels(connection),
    )


def proxy_channels(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Channels whose figures in the current scores stand in for a rate card we lack (channel_costs.is_proxy)."""
    frame = _frame(connection, "select distinct channel from channel_costs where is_proxy order by channel")
    return frame["channel"].to_list()


def _frame(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, object] | None = None
) -> pl.DataFrame:
    return connection.sql(sql, params=parameters or None).pl()


def headline_figures(connection: duckdb.DuckDBPyConnection) -> dict[str, float | int | None]:
    """The figures at the top of the report: listings, bands, flags, costs, savings, data confidence."""
    figures = _frame(
        connection,
        """
        select
            count(*) as listings,
            count(*) filter (where suitability_band = 'suitable') as suitable,
            count(*) filter (where suitability_band = 'marginal') as marginal,
            count(*) filter (where suitability_band = 'unsuitable') as unsuitable,
            count(*) filter (where suitability_band = 'unknown') as unknown,
            count(*) filter (where warehouse_flag = 'recommended') as warehouse_recommended,
            count(*) filter (where warehouse_flag = 'candidate_unproven_demand') as warehouse_candidates,
            count(*) filter (where data_confidence = 'low') as low_confidence,
            median(logistics_cost_ratio) as median_logistics_cost_ratio,
            median(landed_cost_ratio) as median_landed_cost_ratio
        from latest_scores
        """,
    ).row(0, named=True)
    saving = _frame(
        connection,
        """
        select coalesce(sum(monthly_saving_usd), 0) as recommended_monthly_saving_usd
        from warehouse_candidates
        where warehouse_flag = 'recommended' and monthly_saving_usd > 0
        """,
    ).row(0, named=True)
    return {**figures, **saving}


def latest_run(connection: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The most recent run that did not fail, as one row of run_history; None before the first."""
    frame = _frame(connection, "select * from run_history where is_latest_run")
    return frame.row(0, named=True) if frame.height else None


def band_and_flag_counts(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Listings per suitability band and warehouse flag, every combination present (zero where none)."""
    return _frame(
        connection,
        """
        with bands as (select unnest($bands::varchar[]) as suitability_band),
        flags as (select unnest($flags::varchar[]) as warehouse_flag),
        counts as (
            select suitability_band, warehouse_flag, count(*) as listings
            from latest_scores
            group by all
        )
        select b.suitability_band, f.warehouse_flag, coalesce(c.listings, 0) as listings
        from bands as b
        cross join flags as f
        left join counts as c using (suitability_band, warehouse_flag)
        order by list_position($bands::varchar[], b.suitability_band),
                 list_position($flags::varchar[], f.warehouse_flag)
        """,
        {"bands": list(SUITABILITY_BANDS), "flags": list(WAREHOUSE_FLAGS)},
    )


def logistics_cost_ratio_histogram(
    connection: duckdb.DuckDBPyConnection, thresholds: RatioThresholds
) -> pl.DataFrame:
    """Listings per bin of landed_cost_ratio ((shipping + duty + customs fee) / price, the ratio the bands
    judge), each bin named for the scoring's zone.

    Ratios at or above RATIO_HISTOGRAM_CAP share the last bin; listings with no ratio are left out.
    """
    return _frame(
        connection,
        """
        with binned as (
            select least(floor(landed_cost_ratio / $width), $cap / $width) * $width as bin_start
            from latest_scores
            where landed_cost_ratio is not null
        )
        select
            round(bin_start, 4) as bin_start,
            round(bin_start + $width, 4) as bin_end,
            case
                when bin_start >= $cap then 'at least ' || printf('%.0f%%', $cap * 100)
                else printf('%.0f-%.0f%%', bin_start * 100, (bin_start + $width) * 100)
            end as bin_label,
            case
                when bin_start + $width <= $fine + 1e-9 then 'fine'
                when bin_start + $width <= $poor + 1e-9 then 'elevated'
                when bin_start + $width <= $prohibitive + 1e-9 then 'high'
                else 'exceeds price'
            end as zone,
            count(*) as listings
        from binned
        group by bin_start
        order by bin_start
        """,
        {
            "width": RATIO_HISTOGRAM_BIN,
            "cap": RATIO_HISTOGRAM_CAP,
            "fine": thresholds.fine,
            "poor": thresholds.poor,
            "prohibitive": thresholds.prohibitive,
        },
    )


def top_reasons(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The reason codes carried by the most current listings, with what each means."""
    return _frame(
        connection,
        """
        select r.code, coalesce(c.applies_to, 'other') as applies_to, c.meaning, count(*) as listings
        from latest_scores as s
        cross join unnest(s.reasons) as r (code)
        left join reason_codes as c on c.code = r.code
        group by all
        order by listings desc, r.code
        limit $limit
        """,
        {"limit": TOP_REASONS},
    )


def category_breakdown(connection: duckdb.DuckDBPyConnection, top: int = TOP_CATEGORIES) -> pl.DataFrame:
    """One row per category over every marketplace: listings by band, mean score, warehouse flags.

    The `top` largest categories by listings; the rest are summed into one last row named for how many categories
    it holds (suitability_summary has them all).
    """
    return _frame(
        connection,
        """
        with by_category as (
            select
                category,
                sum(listings) as listings,
                coalesce(sum(listings) filter (where suitability_band = 'suitable'), 0) as suitable,
                coalesce(sum(listings) filter (where suitability_band = 'marginal'), 0) as marginal,
                coalesce(sum(listings) filter (where suitability_band = 'unsuitable'), 0) as unsuitable,
                coalesce(sum(listings) filter (where suitability_band = 'unknown'), 0) as unknown,
                sum(avg_suitability_score * listings) as score_total,
                sum(warehouse_recommended) as warehouse_recommended,
                sum(warehouse_candidates) as warehouse_candidates,
                sum(monthly_units_sold) as monthly_units_sold
            from suitability_summary
            group by category
        ),
        ranked as (
            select *, row_number() over (order by listings desc, category) as position, count(*) over () as categories
            from by_category
        )
        select
            case
                when position <= $top then category
                else printf('other (%d categories)', categories - $top)
            end as category,
            sum(listings)::bigint as listings,
            sum(suitable)::bigint as suitable,
            sum(marginal)::bigint as marginal,
            sum(unsuitable)::bigint as unsuitable,
            sum(unknown)::bigint as unknown,
            sum(score_total) / sum(listings) as avg_suitability_score,
            sum(warehouse_recommended)::bigint as warehouse_recommended,
            sum(warehouse_candidates)::bigint as warehouse_candidates,
            sum(monthly_units_sold) as monthly_units_sold
        from ranked
        group by all
        order by min(position)
        """,
        {"top": top},
    )


def top_warehouse_candidates(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The best warehouse candidates: recommended ones first, by saving over a month, then per unit."""
    return _frame(
        connection,
        """
        select
            saving_per_unit_rank, monthly_saving_rank, sku, title, marketplace, category, warehouse_flag,
            warehouse_saving_per_unit_usd, monthly_units_sold, monthly_saving_usd, direct_cost_per_unit_usd,
            warehouse_cost_per_unit_usd, warehouse_reasons,
            count(*) over () as candidates
        from warehouse_candidates
        order by warehouse_flag = 'recommended' desc, monthly_saving_rank, saving_per_unit_rank, listing_id
        limit $limit
        """,
        {"limit": TABLE_ROWS},
    )


def changes_since_previous_run(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Listings the latest run changed (biggest score moves first), then new ones, with the totals."""
    return _frame(
        connection,
        """
        select
            sku, title, marketplace, change_kind, previous_suitability_band, new_suitability_band,
            previous_warehouse_flag, new_warehouse_flag, previous_suitability_score, new_suitability_score,
            score_delta,
            count(*) filter (where change_kind = 'new') over () as new_listings,
            count(*) filter (where change_kind = 'changed') over () as changed_listings
        from score_changes_latest
        order by change_kind = 'changed' desc, abs(score_delta) desc nulls last, sku
        limit $limit
        """,
        {"limit": CHANGES_ROWS},
    )


def latest_reject_reasons(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The latest run's rejected records by column and check, most records first."""
    return _frame(
        connection,
        """
        select column_name, check_name, records, first_source_file, first_source_row, example_message
        from rejected_summary
        where is_latest_run
        order by records desc, column_name, check_name
        limit $limit
        """,
        {"limit": TABLE_ROWS},
    )


def seller_portfolio(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Sellers by dependence on one platform (most concentrated first), with their trade-model fit."""
    return _frame(
        connection,
        """
        select seller_id, platforms, listings, monthly_units_sold, top_platform, top_platform_share, hhi,
               single_platform_dependency, trade_model_hint, b2b_listings, b2b_ready_listings
        from seller_portfolio
        order by hhi desc, listings desc, seller_id
        limit $limit
        """,
        {"limit": TABLE_ROWS},
    )


def run_history(connection: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The most recent runs, newest first."""
    return _frame(
        connection,
        """
        select
            run_number, run_id, status, started_at, duration_seconds, rows_read, rows_scored, rows_rejected,
            rows_skipped, listings_new, listings_changed, input_file_count, config_changed, error_message
        from run_history
        order by run_number desc
        limit $limit
        """,
        {"limit": RUNS_ROWS},
    )
