-- audit: returns listing_ids scored by run $run_id that have more than one current score (must return
-- no rows). Only the run's listings are counted: their rows, and the rows of other runs with the same ids. An
-- incremental run groups its few thousand listings, not the whole table. The ids are taken in $parts parts by their
-- hash (part $part of them here; the load runs every part, a part per million listings of the run): a full rescore
-- of ten million listings grouped at once ran out of the 1 GB DuckDB is given, inside a transaction that holds the
-- run's rows (xborder_pipeline.store.database._run_audits). In one part no id is hashed (0.15 s against 0.35 s for a
-- million).
with run_rows as (
    select listing_id from listing_scores where run_id = $run_id and ($parts = 1 or hash(listing_id) % $parts = $part)
),
same_ids as (
    select listing_id from run_rows
    union all
    select s.listing_id
    from listing_scores as s
    where s.run_id <> $run_id
      and ($parts = 1 or hash(s.listing_id) % $parts = $part)
      and s.listing_id in (select listing_id from run_rows)
)
select listing_id, count(*) as copies
from same_ids
group by listing_id
having count(*) > 1;
