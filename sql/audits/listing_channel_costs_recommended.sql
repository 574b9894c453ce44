-- audit: returns a sign when the channel rows of run $run_id marked recommended are not exactly the
-- scores' recommended_channel, one per listing that has one, or when a recommended channel is not
-- eligible (must return no rows).
-- Compared as multisets of (listing_id, channel) by count and fingerprint, as in
-- listing_channel_costs_complete.sql: running sums, whatever the size of the run.
with recommended_rows as (
    select
        count(*) as listings,
        coalesce(sum(hash(listing_id, channel)::hugeint), 0) as fingerprint,
        count(*) filter (where not eligible) as not_eligible
    from listing_channel_costs
    where run_id = $run_id and is_recommended
),
scores as (
    select count(*) as listings, coalesce(sum(hash(listing_id, recommended_channel)::hugeint), 0) as fingerprint
    from listing_scores
    where run_id = $run_id and recommended_channel is not null
)
select r.listings as recommended_rows, s.listings as listings_with_recommendation, r.not_eligible
from recommended_rows as r, scores as s
where r.listings <> s.listings or r.fingerprint <> s.fingerprint or r.not_eligible > 0;
