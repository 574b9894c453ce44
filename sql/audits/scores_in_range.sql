-- audit: returns scores of run $run_id whose scores, bands, flags or weights are outside their domains,
-- or a physical listing with no chargeable weight (no parcel cost) in a band better than unsuitable other than
-- unknown (must return no rows).
select s.listing_id, s.suitability_score, s.suitability_band, s.warehouse_flag, s.data_confidence
from listing_scores as s
inner join listings as l on l.listing_id = s.listing_id and l.run_id = $run_id  -- the run's rows: few in a delta run
where s.run_id = $run_id and (
      s.suitability_score not between 0 and 100
   or s.fragility_score not between 0 and 1
   or s.suitability_band not in ('suitable', 'marginal', 'unsuitable', 'unknown')
   or (s.suitability_band in ('suitable', 'marginal') and s.chargeable_weight_kg is null
       and coalesce(l.is_physical, true))
   or s.warehouse_flag not in ('recommended', 'candidate_unproven_demand', 'not_recommended')
   or s.data_confidence not in ('high', 'medium', 'low')
   or s.est_direct_ship_cost_usd < 0
   -- the weight costs rest on: the declared one (unless set aside as implausible), else the estimate
   or (l.weight_kg > 0 and coalesce(s.weight_basis, 'declared') = 'declared' and s.chargeable_weight_kg < l.weight_kg)
   or (s.estimated_weight_kg > 0 and s.chargeable_weight_kg < s.estimated_weight_kg)
   or s.weight_basis not in ('declared', 'sibling', 'title', 'category_prior', 'none')
   or s.dimensions_basis not in ('declared', 'sibling', 'title', 'category_prior', 'none')
);
