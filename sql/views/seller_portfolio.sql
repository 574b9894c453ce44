-- grain: one row per seller_id: how its current listings (and sales, where known) spread over platforms,
-- the Herfindahl-Hirschman index of that spread, whether it depends on one platform, and its trade-model fit.
-- reads: latest_scores, thresholds. A platform is the marketplace without its country suffix
-- (amazon_us and amazon_de are both amazon).
create or replace view seller_portfolio as
with listings_by_platform as (
    select
        seller_id,
        regexp_replace(lower(marketplace), '_(us|uk|gb|de|fr|it|es|nl|pl|se|ca|mx|br|jp|au|in|sg|ae|business)$', '')
            as platform,
        count(*) as listings,
        sum(monthly_units_sold) as monthly_units_sold
    from latest_scores
    where seller_id is not null and marketplace is not null
    group by all
),
shares as (
    select
        *,
        listings / sum(listings) over (partition by seller_id) as listing_share,
        monthly_units_sold / nullif(sum(monthly_units_sold) over (partition by seller_id), 0) as sales_share
    from listings_by_platform
),
trade as (
    select
        seller_id,
        count(*) filter (where trade_model_hint = 'b2b') as b2b_listings,
        count(*) filter (where trade_model_hint = 'b2b_ready') as b2b_ready_listings,
        count(*) filter (where trade_model_hint = 'b2c') as b2c_listings
    from latest_scores
    where seller_id is not null
    group by seller_id
),
portfolio as (
    select
        seller_id,
        count(*) as platforms,
        sum(listings) as listings,
        sum(monthly_units_sold) as monthly_units_sold,
        arg_max(platform, coalesce(sales_share, listing_share)) as top_platform,
        max(coalesce(sales_share, listing_share)) as top_platform_share,
        map(list(platform order by platform), list(round(listing_share, 4) order by platform)) as listing_share_by_platform,
        map(list(platform order by platform), list(round(sales_share, 4) order by platform)) as sales_share_by_platform,
        sum(listing_share * listing_share) as hhi_listings,
        case when count(sales_share) = count(*) then sum(sales_share * sales_share) end as hhi_sales
    from shares
    group by seller_id
)
select
    p.seller_id,
    p.platforms,
    p.listings,
    p.monthly_units_sold,
    p.top_platform,
    p.top_platform_share,
    p.listing_share_by_platform,
    p.sales_share_by_platform,
    p.hhi_listings,
    p.hhi_sales,
    coalesce(p.hhi_sales, p.hhi_listings) as hhi,
    coalesce(p.hhi_sales, p.hhi_listings)
        >= (select value from thresholds where name = 'single_platform_min_hhi') as single_platform_dependency,
    t.b2b_listings,
    t.b2b_ready_listings,
    t.b2c_listings,
    case
        when t.b2b_listings * 2 >= p.listings then 'b2b'
        when t.b2b_listings + t.b2b_ready_listings > 0 then 'b2b_ready'
        else 'b2c'
    end as trade_model_hint
from portfolio as p
inner join trade as t using (seller_id);
