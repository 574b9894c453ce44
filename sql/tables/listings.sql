-- grain: one row per listing_id: the listing as last read, in canonical form with its lineage.
-- Rewritten for the listings of each run (delete then insert, no key: keyed upserts are slow in DuckDB).
create table if not exists listings (
    listing_id          varchar not null,
    sku                 varchar,
    marketplace         varchar,
    seller_id           varchar,
    title               varchar,
    category            varchar,
    description         varchar,
    price               double,
    currency            varchar,
    unit_cost           double,
    weight_kg           double,
    length_cm           double,
    width_cm            double,
    height_cm           double,
    stock_qty           bigint,
    monthly_units_sold  double,
    moq                 bigint,
    is_physical         boolean,
    source_format       varchar,
    original_values     varchar,          -- the export's own values before normalisation (JSON)
    source_file         varchar not null,
    source_row          bigint not null,
    run_id              varchar not null,
    attributes          varchar,          -- materials, tags and attribute values, joined with ' | '
    product_group       varchar,          -- the key shared by the variants of one product
    currency_assumed    boolean           -- true: the currency is the adapter's default, named by nothing
);
