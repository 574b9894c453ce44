-- audit: returns listings of run $run_id with no current score of that run, or scores of that run with
-- no listing of that run (must return no rows).
select coalesce(l.listing_id, s.listing_id) as listing_id
from (select listing_id from listings where run_id = $run_id) as l
full outer join (select listing_id from listing_scores where run_id = $run_id) as s using (listing_id)
where l.listing_id is null or s.listing_id is null;
