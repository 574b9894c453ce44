-- audit: returns a sign when the listings run $run_id wrote are not exactly the listings it scored
-- (must return no rows): a listing without a score, a score without a listing, or either twice.
-- Compared as multisets of listing_id by count and fingerprint (the sum of a 64-bit hash of each id), as
-- in listing_channel_costs_complete.sql: running sums, where a join would hold every id of the run.
with written as (
    select count(*) as listings, coalesce(sum(hash(listing_id)::hugeint), 0) as fingerprint
    from listings
    where run_id = $run_id
),
scored as (
    select count(*) as listings, coalesce(sum(hash(listing_id)::hugeint), 0) as fingerprint
    from listing_scores
    where run_id = $run_id
)
select w.listings as listings_written, s.listings as listings_scored
from written as w, scored as s
where w.listings <> s.listings or w.fingerprint <> s.fingerprint;
