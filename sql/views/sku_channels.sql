-- grain: one row per (seller_id, sku): on which platforms the same SKU is listed, its sales by platform
-- where known, and whether it sells on one platform only. reads: latest_scores.
create or replace view sku_channels as
select
    seller_id,
    sku,
    count(distinct regexp_replace(lower(marketplace), '_(us|uk|gb|de|fr|it|es|nl|pl|se|ca|mx|br|jp|au|in|sg|ae|business)$', ''))
        as platforms,
    list(distinct marketplace order by marketplace) as marketplaces,
    count(*) as listings,
    sum(monthly_units_sold) as monthly_units_sold,
    list({'marketplace': marketplace, 'listing_id': listing_id, 'monthly_units_sold': monthly_units_sold}
        order by marketplace, listing_id) as listings_by_marketplace,
    count(distinct regexp_replace(lower(marketplace), '_(us|uk|gb|de|fr|it|es|nl|pl|se|ca|mx|br|jp|au|in|sg|ae|business)$', '')) = 1
        as single_platform,
    bool_or(trade_model_hint = 'b2b') as any_b2b_listing,
    list(distinct trade_model_hint) as trade_model_hints
from latest_scores
where sku is not null and seller_id is not null
group by seller_id, sku;
