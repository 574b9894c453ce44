-- grain: one row per marketplace, seller_id and sku with sales history: what it sold up to the as-of
-- date (demand_as_of) and whether that proves demand. reads: sales_history, demand_as_of, thresholds.
-- Windows end at the as-of date and hold the periods that end in them: units_30d holds periods ending
-- in the last demand_recent_days days, units_90d in the last demand_window_days days. A "month" is
-- demand_days_per_month days counted back from the as-of date; steadiness is judged over the months from the
-- SKU's first sale to the as-of date (at most demand_months_judged). History counts from the seller's first
-- period on the marketplace, so a seller's first weeks are not averaged with months before it sold.
-- monthly_units_sold = units in the window x days_per_month / the days of the window the history covers.
-- demand_evidence: proven (sales in at least demand_min_months_with_sales of the demand_months_judged
-- months, with a coefficient of variation of monthly units at or below demand_max_monthly_cv),
-- emerging (sales in the window, not yet proven), none (no sales in the window); demand_reasons say why.
create or replace view sku_demand as
with params as (
    select
        (select as_of_date from demand_as_of) as as_of,
        (select value from thresholds where name = 'demand_window_days')::integer as window_days,
        (select value from thresholds where name = 'demand_recent_days')::integer as recent_days,
        (select value from thresholds where name = 'demand_days_per_month') as days_per_month,
        (select value from thresholds where name = 'demand_months_judged')::integer as months_judged,
        (select value from thresholds where name = 'demand_min_months_with_sales')::integer as min_months,
        (select value from thresholds where name = 'demand_max_monthly_cv') as max_cv,
        (select value from thresholds where name = 'demand_trend_band') as trend_band
),

history as (
    select h.*, p.*
    from sales_history as h
    cross join params as p
    where h.period_end <= p.as_of
),

seller_start as (
    select marketplace, seller_id, min(period_start) as history_start
    from history
    group by all
),

per_sku as (
    select
        h.marketplace,
        h.seller_id,
        h.sku,
        any_value(h.listing_id) filter (where h.listing_id is not null) as listing_id,
        sum(h.units) as units_total,
        sum(h.units) filter (where h.period_end > h.as_of - h.recent_days) as units_30d,
        sum(h.units) filter (where h.period_end > h.as_of - h.window_days) as units_90d,
        sum(h.revenue) filter (where h.period_end > h.as_of - h.recent_days) as revenue_30d,
        sum(h.revenue) filter (where h.period_end > h.as_of - h.window_days) as revenue_90d,
        max(h.currency) as currency,
        min(h.period_start) filter (where h.units > 0) as first_sale,
        max(h.period_end) filter (where h.units > 0) as last_sale,
        min(h.period_end) filter (where h.units > 0) as first_sale_end,
        list(distinct h.source_file order by h.source_file) as source_files,
        list(distinct h.source_kind order by h.source_kind) as source_kinds,
        any_value(h.as_of) as as_of_date,
        any_value(s.history_start) as history_start
    from history as h
    inner join seller_start as s using (marketplace, seller_id)
    group by h.marketplace, h.seller_id, h.sku
),

-- the months judged for steadiness: month 0 ends on the as-of date; the oldest is the month of the SKU's
-- first sale (a product is not called spiky for the months before it was sold), at most demand_months_judged
months as (
    select p.marketplace, p.seller_id, p.sku, unnest(range(0, least(
        params.months_judged,
        coalesce(floor((params.as_of - p.first_sale_end) / params.days_per_month)::integer, 0) + 1
    ))) as month_back
    from per_sku as p
    cross join params
),

month_units as (
    select
        h.marketplace,
        h.seller_id,
        h.sku,
        floor((h.as_of - h.period_end) / h.days_per_month)::integer as month_back,
        sum(h.units) as units
    from history as h
    group by all
),

monthly as (
    select
        m.marketplace,
        m.seller_id,
        m.sku,
        count(*) as months_judged,
        count(*) filter (where coalesce(u.units, 0) > 0) as months_with_sales,
        stddev_pop(coalesce(u.units, 0)) / nullif(avg(coalesce(u.units, 0)), 0) as monthly_units_cv
    from months as m
    left join month_units as u using (marketplace, seller_id, sku, month_back)
    group by all
),

judged as (
    select
        p.*,
        m.months_judged,
        m.months_with_sales,
        m.monthly_units_cv,
        least(params.window_days, p.as_of_date - p.history_start + 1) as days_covered,
        coalesce(p.units_90d, 0) * params.days_per_month
            / least(params.window_days, p.as_of_date - p.history_start + 1) as monthly_units_sold,
        params.min_months,
        params.max_cv,
        params.trend_band,
        params.recent_days,
        params.days_per_month
    from per_sku as p
    inner join monthly as m using (marketplace, seller_id, sku)
    cross join params
)

select
    marketplace,
    seller_id,
    sku,
    listing_id,
    units_total,
    coalesce(units_30d, 0) as units_30d,
    coalesce(units_90d, 0) as units_90d,
    revenue_30d,
    revenue_90d,
    currency,
    monthly_units_sold,
    months_with_sales,
    months_judged,
    monthly_units_cv,
    case
        when monthly_units_sold > 0
            then coalesce(units_30d, 0) * days_per_month / recent_days / monthly_units_sold
    end as trend_ratio,
    case
        when monthly_units_sold is null or monthly_units_sold = 0 then null
        when coalesce(units_30d, 0) * days_per_month / recent_days / monthly_units_sold >= 1 + trend_band
            then 'rising'
        when coalesce(units_30d, 0) * days_per_month / recent_days / monthly_units_sold <= 1 - trend_band
            then 'falling'
        else 'steady'
    end as trend,
    first_sale,
    last_sale,
    source_files,
    source_kinds,
    as_of_date,
    days_covered,
    case
        when coalesce(units_90d, 0) = 0 then 'none'
        when months_with_sales >= min_months and coalesce(monthly_units_cv, 0) <= max_cv then 'proven'
        else 'emerging'
    end as demand_evidence,
    case
        when coalesce(units_90d, 0) = 0 then ['DEMAND_NO_RECENT_SALES']
        when months_with_sales >= min_months and coalesce(monthly_units_cv, 0) <= max_cv then ['DEMAND_STEADY_SALES']
        else list_concat(
            case when months_with_sales < min_months then ['DEMAND_TOO_FEW_MONTHS'] else [] end,
            case when coalesce(monthly_units_cv, 0) > max_cv then ['DEMAND_SPIKY_SALES'] else [] end
        )
    end as demand_reasons
from judged;
