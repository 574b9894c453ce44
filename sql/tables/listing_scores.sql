-- grain: one row per listing_id: its most recent features, score, flags and reasons.
-- Rewritten for the listings of each run, like `listings`.
create table if not exists listing_scores (
    listing_id                varchar not null,
    run_id                    varchar not null,
    scored_at                 timestamp with time zone not null,
    volumetric_weight_kg      double,
    chargeable_weight_kg      double,
    longest_side_cm           double,
    sum_of_sides_cm           double,
    length_plus_girth_cm      double,
    volume_m3                 double,
    density_kg_per_m3         double,
    listings_sharing_box      bigint,
    fragility_score           double not null,
    is_fragile                boolean not null,
    has_battery               boolean not null,
    is_loose_battery          boolean not null,
    is_liquid                 boolean not null,
    is_powder                 boolean not null,
    has_magnet                boolean not null,
    is_aerosol_or_flammable   boolean not null,
    is_restricted             boolean,          -- goods a shipper refuses from China (restricted_kind says which)
    restricted_kind           varchar,          -- seeds_and_plants | cannabis | food_and_supplements | ...
    trait_evidence            varchar[],        -- why each trait is set: liquid:volume:23l, fragile:keyword:it:ceramica
    price_usd                 double,
    unit_cost_usd             double,
    months_of_cover           double,
    fba_size_tier             varchar,          -- Amazon FBA US 2026 size tier
    fba_dimensional_weight_lb double,
    fba_shipping_weight_lb    double,
    fba_fulfilment_fee_usd    double,           -- before the fuel and logistics surcharge
    fba_fulfilment_fee_with_fuel_usd double,
    fba_tier_headroom_pct     double,           -- how much the unit may grow before the next tier
    destination_country       varchar,
    destination_market        varchar,
    direct_ship_channel       varchar,          -- the cheapest eligible channel (null: none carries it)
    recommended_channel       varchar,
    recommended_transit_days_min integer,
    recommended_transit_days_max integer,
    est_direct_ship_cost_usd  double,
    duty_usd                  double,
    vat_usd                   double,
    customs_fee_usd           double,
    landed_cost_usd           double,
    logistics_cost_ratio      double,
    margin_after_logistics_usd double,
    margin_ratio              double,
    warehouse_first_leg_usd   double,
    warehouse_duty_usd        double,
    warehouse_storage_usd     double,
    warehouse_handling_usd    double,
    warehouse_last_mile_usd   double,
    warehouse_unsold_share    double,
    warehouse_unsold_risk_usd double,
    warehouse_cost_per_unit_usd double,
    direct_cost_per_unit_usd  double,
    warehouse_saving_per_unit_usd double,
    suitability_score         double not null,
    suitability_band          varchar not null,
    warehouse_flag            varchar not null,
    data_confidence           varchar not null,
    trade_model_hint          varchar,          -- b2c | b2b_ready | b2b
    trade_model_reasons       varchar[],
    reasons                   varchar[] not null,
    landed_cost_ratio         double,           -- (shipping + duty + customs fee) / price: what the bands judge
    fba_fee_card              varchar,          -- card and window that priced the FBA fee, e.g. fba_us_2026:peak_2026
    fba_overmax_fee_usd       double,           -- 0: does not apply; null: applies but the amount is not yet sourced
    fba_bulky_packaging_fee_usd double,         -- 0: does not apply; null: applies but the amount is not yet sourced
    fba_fees_total_usd        double,           -- fulfilment with fuel + overmax + packaging; null if a part is unknown
    -- what the costs rest on for weight and box: declared | sibling | title | category_prior | none
    weight_basis              varchar,
    dimensions_basis          varchar,
    -- the estimates used in place of a missing, 0, placeholder or implausible declared value (null: declared used)
    estimated_weight_kg       double,
    estimated_length_cm       double,
    estimated_width_cm        double,
    estimated_height_cm       double,
    estimate_prior            varchar,          -- the priors.toml entry the listing matched, when estimated
    stated_weight_kg          double,           -- the goods' weight the title (else description) states, unpacked
    monthly_units_sold        double,           -- the listing's own figure, else its SKU's sales history
    demand_source             varchar,          -- listing | sales_history | none
    demand_evidence           varchar,          -- proven | emerging | none (sku_demand), null without sales
    demand_reasons            varchar[],
    is_oversize               boolean,          -- over traits.oversize limits, or named so (oversize:* in trait_evidence)
    -- 64-bit hash of everything the score rests on (own values, shared-box and demand facts, siblings, the run's
    -- scoring context): a run keeps the rows of a listing whose fingerprint is unchanged (xborder_pipeline.incremental)
    input_fingerprint         ubigint,
    -- 64-bit hash of the listing's record as read (lineage aside) under the scoring context: a later run with the
    -- same context reads a record with a stored one without validating it again (docs/decisions.md, 22)
    listing_fingerprint       ubigint
);
