-- grain: one row per current listing whose warehouse_flag is recommended or candidate_unproven_demand,
-- ranked by the expected saving per unit of stocking it abroad and by that saving over a month's sales.
-- reads: latest_scores, reason_codes. A null saving means no direct channel carries the goods (the warehouse
-- is the only route) or the costs could not be estimated; such listings rank last.
create or replace view warehouse_candidates as
with warehouse_codes as (
    select list(code) as codes
    from reason_codes
    where applies_to = 'warehouse'
),

candidates as (
    select
        s.*,
        s.warehouse_saving_per_unit_usd * s.monthly_units_sold as monthly_saving_usd,
        list_filter(s.reasons, lambda code: list_contains(w.codes, code)) as warehouse_reasons
    from latest_scores as s
    cross join warehouse_codes as w
    where s.warehouse_flag in ('recommended', 'candidate_unproven_demand')
)

select
    rank() over (order by warehouse_saving_per_unit_usd desc nulls last) as saving_per_unit_rank,
    rank() over (order by monthly_saving_usd desc nulls last) as monthly_saving_rank,
    listing_id,
    sku,
    marketplace,
    seller_id,
    title,
    category,
    warehouse_flag,
    warehouse_saving_per_unit_usd,
    monthly_units_sold,
    monthly_saving_usd,
    direct_cost_per_unit_usd,
    warehouse_cost_per_unit_usd,
    warehouse_first_leg_usd,
    warehouse_duty_usd,
    warehouse_storage_usd,
    warehouse_handling_usd,
    warehouse_last_mile_usd,
    warehouse_unsold_share,
    warehouse_unsold_risk_usd,
    stock_qty,
    months_of_cover,
    price_usd,
    destination_country,
    destination_market,
    recommended_channel,
    suitability_band,
    data_confidence,
    warehouse_reasons,
    reasons,
    run_id,
    scored_at
from candidates
order by saving_per_unit_rank, listing_id;
