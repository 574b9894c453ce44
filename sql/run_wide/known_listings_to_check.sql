-- The stored listings an incremental run looks at again (xborder_pipeline.known_listings.listings_to_check): a known
-- listing's input fingerprint can only differ from the stored one when a run-wide fact it rests on changed, so the
-- run reads the keys of
--   * the listings of `wanted_listings` (by fingerprint: stored listings the run did not read, known records it
--     rejected as repeats, listings the last run did not read, listings the run's sales name),
--   * every listing of a product group (siblings are summed within a group and batch),
--   * every listing whose stored demand came from sales (without them now, it falls back to its own figure),
--   * every listing that has the box of one of those, or one of `touched_boxes` (the run's validated records'),
-- with what its facts are computed from; the other known listings keep their rows unread (docs/decisions.md, 25).
-- The store is attached as `store`.
-- Each condition is its own scan and semi join: OR-ed in one scan, DuckDB took 55-65 ms at 1M, against 30-35 ms
-- (the whole keys as a CTE read twice: 60 ms, DuckDB materialises it).
-- grain: one row per stored listing looked at.
with looked_at as (
    select listing_fingerprint, box_key from store.listing_keys where group_key is not null
    union all
    select listing_fingerprint, box_key from store.listing_keys semi join wanted_listings using (listing_fingerprint)
    union all
    select listing_fingerprint, box_key from store.listing_keys semi join (
        select listing_id from store.listing_scores
        where demand_source = 'sales_history' or demand_evidence is not null or demand_reasons is not null
    ) using (listing_id)
),
counted_boxes as (
    select box_key from looked_at where box_key is not null
    union
    select box_key from touched_boxes
),
to_read as (
    select listing_fingerprint from looked_at
    union
    select listing_fingerprint from store.listing_keys semi join counted_boxes using (box_key)
)
select
    listing_fingerprint,
    input_fingerprint as stored_input_fingerprint,
    box_key,
    category_key,
    group_key,
    own_units_sold,
    assumed_currency
from store.listing_keys
semi join to_read using (listing_fingerprint);
