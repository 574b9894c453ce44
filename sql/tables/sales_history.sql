-- grain: one row per source_kind, marketplace, seller_id, sku, period_start and period_end: the units
-- and revenue one kind of sales file reported for one SKU over one period. Order exports are summed
-- per calendar day (period_start = period_end = the order's date); period reports (a Business Report)
-- cover the period the user gave. A later upload of the same kind, seller, SKU and period replaces the
-- row (within one run the last file given wins), so overlapping uploads are never counted twice.
-- `sku` is the seller's SKU, or the platform's product id where the file names no SKU (Olist).
-- seller_id is '' when the file names no seller.
create table if not exists sales_history (
    source_kind   varchar not null,   -- the adapter that read it: shopify_orders, amazon_business_report, ...
    marketplace   varchar not null,
    seller_id     varchar not null,
    sku           varchar not null,
    listing_id    varchar,            -- the platform's product id, when the file names one
    period_start  date not null,
    period_end    date not null,
    units         bigint not null,
    revenue       double,
    currency      varchar,
    source_file   varchar not null,   -- the file the row was last loaded from
    run_id        varchar not null,
    loaded_at     timestamp with time zone not null
);
