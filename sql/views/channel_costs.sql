-- grain: one row per listing_id per direct channel: eligible or why not, chargeable weight, shipping,
-- duty, VAT and landed cost, transit days, and whether it is the listing's recommended channel.
-- reads: listing_channel_costs, listings, listing_scores (destination, duty, VAT and customs fee: the listing's,
-- the same on every channel). Answers "why not express?" in SQL.
create or replace view channel_costs as
select
    c.listing_id,
    l.sku,
    l.marketplace,
    l.title,
    c.channel,
    s.destination_country,
    s.destination_market,
    c.eligible,
    c.ineligible_reasons,
    c.chargeable_weight_kg,
    c.shipping_cost_usd,
    s.duty_usd,
    s.vat_usd,
    s.customs_fee_usd,
    c.landed_cost_usd,
    c.transit_days_min,
    c.transit_days_max,
    c.is_recommended,
    c.run_id,
    c.scored_at,
    c.is_proxy
from listing_channel_costs as c
left join listings as l using (listing_id)
left join listing_scores as s using (listing_id);
