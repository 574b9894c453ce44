-- grain: one row per marketplace, category and suitability_band among the current listings: how many
-- listings, their scores, logistics cost ratios, sales, warehouse flags and most frequent suitability reasons.
-- reads: latest_scores, reason_codes. A blank marketplace or category is grouped as '(none)'.
-- Top reasons are the suitability codes and band rules (FRAGILE_MARGIN_UNKNOWN); for the band `unknown`
-- also NO_SHIPPING_ESTIMATE, the reason it is unknown.
create or replace view suitability_summary as
with scored as (
    select
        coalesce(marketplace, '(none)') as marketplace,
        coalesce(category, '(none)') as category,
        suitability_band,
        suitability_score,
        logistics_cost_ratio,
        landed_cost_ratio,
        price_usd,
        monthly_units_sold,
        warehouse_flag,
        data_confidence,
        reasons
    from latest_scores
),

reason_counts as (
    select
        s.marketplace,
        s.category,
        s.suitability_band,
        r.code,
        count(*) as listings_with_code
    from scored as s
    cross join unnest(s.reasons) as r (code)
    inner join reason_codes as c on c.code = r.code
        and (c.applies_to in ('suitability', 'suitability_band')
             or (s.suitability_band = 'unknown' and c.code = upper('no_shipping_estimate')))
    group by all
),

top_reasons as (
    select
        marketplace,
        category,
        suitability_band,
        list(code order by listings_with_code desc, code)[1:3] as top_reasons
    from reason_counts
    group by all
),

summary as (
    select
        marketplace,
        category,
        suitability_band,
        count(*) as listings,
        avg(suitability_score) as avg_suitability_score,
        median(logistics_cost_ratio) as median_logistics_cost_ratio,
        median(price_usd) as median_price_usd,
        sum(monthly_units_sold) as monthly_units_sold,
        count(*) filter (where warehouse_flag = 'recommended') as warehouse_recommended,
        count(*) filter (where warehouse_flag = 'candidate_unproven_demand') as warehouse_candidates,
        count(*) filter (where data_confidence = 'low') as low_confidence_listings,
        median(landed_cost_ratio) as median_landed_cost_ratio
    from scored
    group by all
)

select
    s.marketplace,
    s.category,
    s.suitability_band,
    s.listings,
    s.listings / sum(s.listings) over (partition by s.marketplace, s.category) as share_of_group,
    s.avg_suitability_score,
    s.median_logistics_cost_ratio,
    s.median_price_usd,
    s.monthly_units_sold,
    s.warehouse_recommended,
    s.warehouse_candidates,
    s.low_confidence_listings,
    coalesce(t.top_reasons, []::varchar[]) as top_reasons,
    s.median_landed_cost_ratio
from summary as s
left join top_reasons as t using (marketplace, category, suitability_band)
order by s.marketplace, s.category, s.suitability_band;
