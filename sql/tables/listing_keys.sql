-- grain: one row per listing_id scored in a run: what an incremental run reads of each stored listing to decide,
-- without reading the listing again, whether its score still holds (xborder_pipeline.known_listings). Rewritten with
-- listing_scores; a listing scored outside a run has none. Not meant for dashboards: the hashes are polars' and
-- change with its version (a new version rescores every listing, and rewrites them).
create table if not exists listing_keys (
    listing_id          varchar not null,
    listing_fingerprint ubigint not null,  -- as in listing_scores: the record as read, under the scoring context
    input_fingerprint   ubigint not null,  -- as in listing_scores: everything the score rests on
    box_key             ubigint,           -- hash of the declared box (listings' three sides; null unless all > 0)
    category_key        ubigint,           -- hash of listings.category (null: none)
    group_key           ubigint,           -- hash of listings.product_group (null: none)
    own_units_sold      double,            -- listings.monthly_units_sold: the listing's own figure
    assumed_currency    varchar            -- listings.currency when currency_assumed, else null
);
