-- audit: returns listing_ids scored by run $run_id that have more than one current score (must return
-- no rows). Only the run's listings are counted: their rows, and the rows of other runs with the same ids. An
-- incremental run groups its few thousand listings, not the whole table (grouping ten million ids inside the
-- load's transaction ran out of the 1 GB DuckDB is given); a full run groups its own, as before. Both steps are
-- ones DuckDB can spill to disk.
with run_rows as (
    select listing_id from listing_scores where run_id = $run_id
),
same_ids as (
    select listing_id from run_rows
    union all
    select s.listing_id
    from listing_scores as s
    where s.run_id <> $run_id and s.listing_id in (select listing_id from run_rows)
)
select listing_id, count(*) as copies
from same_ids
group by listing_id
having count(*) > 1;
