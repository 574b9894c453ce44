-- Appends to score_changes the incoming scores (the view incoming_scores) that are new or differ
-- from the current ones in band, warehouse flag or score. Runs before the current rows are replaced.
-- parameters: $changed_at, $run_id
insert into score_changes
select
    $run_id as run_id,
    incoming.listing_id,
    $changed_at as changed_at,
    case when current.listing_id is null then 'new' else 'changed' end as change_kind,
    current.suitability_band,
    incoming.suitability_band,
    current.warehouse_flag,
    incoming.warehouse_flag,
    current.suitability_score,
    incoming.suitability_score,
    current.run_id
from incoming_scores as incoming
left join listing_scores as current using (listing_id)
where current.listing_id is null
   or current.suitability_band is distinct from incoming.suitability_band
   or current.warehouse_flag is distinct from incoming.warehouse_flag
   or current.suitability_score is distinct from incoming.suitability_score;
