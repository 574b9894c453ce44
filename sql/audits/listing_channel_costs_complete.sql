-- audit: returns the channels whose rows for run $run_id are not exactly one per listing the run scored
-- (must return no rows).
-- Compared as multisets by count and fingerprint (the sum of a 64-bit hash of each listing_id), per
-- channel, against the run's rows of listing_scores: a repeated, missing or foreign listing changes the
-- count or the sum. A grouping by listing_id would need memory for every listing (a run of 30M listings
-- has 120M channel rows, and such a grouping ran out of a 1GB budget); these are a few running sums.
with channel_rows as (
    select channel, count(*) as listings, sum(hash(listing_id)::hugeint) as fingerprint
    from listing_channel_costs
    where run_id = $run_id
    group by channel
),
scored as (
    select count(*) as listings, coalesce(sum(hash(listing_id)::hugeint), 0) as fingerprint
    from listing_scores
    where run_id = $run_id
)
select c.channel, c.listings, s.listings as listings_scored
from channel_rows as c, scored as s
where c.listings <> s.listings or c.fingerprint <> s.fingerprint;
