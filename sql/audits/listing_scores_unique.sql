-- audit: returns listing_ids scored by run $run_id that have more than one current score (must return
-- no rows). A plain grouped aggregate, which DuckDB can spill to disk.
select listing_id, count(*) as copies
from listing_scores
group by listing_id
having count(*) > 1 and bool_or(run_id = $run_id);
