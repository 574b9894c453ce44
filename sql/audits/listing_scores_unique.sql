-- audit: returns listing_ids of run $run_id that have more than one current score (must return no rows).
-- A run replaces every row of the listings it scores, so checking its own listings is enough.
select listing_id, count(*) as copies
from listing_scores
where listing_id in (select listing_id from listing_scores where run_id = $run_id)
group by listing_id
having count(*) > 1;
