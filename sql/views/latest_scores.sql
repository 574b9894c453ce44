-- grain: one row per listing_id: the listing as last read with its most recent score, cost breakdown,
-- flags and reasons. reads: listings, listing_scores.
-- Contract columns other tools rely on: listing_id, sku, marketplace, title, source_file, source_row,
-- weight_kg, length_cm, width_cm, height_cm, volumetric_weight_kg, chargeable_weight_kg, is_fragile,
-- fragility_score, has_battery, is_liquid, is_powder, has_magnet, is_aerosol_or_flammable, price_usd,
-- est_direct_ship_cost_usd, logistics_cost_ratio, suitability_score, suitability_band, warehouse_flag,
-- reasons, data_confidence, run_id, scored_at.
-- monthly_units_sold is the listing's own figure, else its SKU's sales history (demand_source says which;
-- listing_monthly_units_sold keeps the export's own); scores from before demand_source existed keep the listing's.
create or replace view latest_scores as
select
    l.* exclude (run_id, description, original_values, monthly_units_sold),
    s.* exclude (listing_id, monthly_units_sold),
    case when s.demand_source is null then l.monthly_units_sold else s.monthly_units_sold end as monthly_units_sold,
    l.monthly_units_sold as listing_monthly_units_sold
from listings as l
inner join listing_scores as s using (listing_id);
