-- grain: one row per listing_id per direct channel: will the channel carry it, and at what cost.
-- The view channel_costs adds the listing's sku, title and marketplace, and from listing_scores the destination,
-- duty, VAT and customs fee, which are the listing's and the same on every channel (docs/decisions.md, 20).
-- Rewritten for the listings of each run, like listing_scores. Answers "why not express?" in SQL.
create table if not exists listing_channel_costs (
    listing_id            varchar not null,
    channel               varchar not null,
    eligible              boolean not null,
    ineligible_reasons    varchar[] not null,   -- codes in reason_codes (applies_to = 'channel')
    chargeable_weight_kg  double,
    shipping_cost_usd     double,               -- what the parcel would cost, even where refused
    landed_cost_usd       double,               -- shipping + duty + fees + VAT; null where not eligible
    transit_days_min      integer,
    transit_days_max      integer,
    is_recommended        boolean not null,
    run_id                varchar not null,
    scored_at             timestamp with time zone not null,
    is_proxy              boolean               -- the channel's figures stand in for a card we lack (channels.<name>.proxy_note)
);
