-- The run's valid listings (the view `run_fingerprints`, one row per listing, from xborder_pipeline.incremental)
-- against the current rows of the store (attached as `store`). A listing is scored again when its input
-- fingerprint is not the stored one (new, changed, or scored under another context), and so is every listing of
-- the same product_group in the same part (sibling estimates read them all); the others keep their rows, and
-- those read from another file or row this time have their lineage updated.
-- grain: one row per valid listing of the run that is scored again or whose lineage moved.
with compared as (
    select
        f.part,
        f._file_index,
        f.source_row,
        f.listing_id,
        f.source_file,
        f.product_group,
        s.input_fingerprint is distinct from f.input_fingerprint as differs,
        l.source_file is distinct from f.source_file or l.source_row is distinct from f.source_row as moved
    from run_fingerprints as f
    left join store.listing_scores as s using (listing_id)
    left join store.listings as l using (listing_id)
),
groups_to_rescore as (
    select distinct part, product_group from compared where differs and product_group is not null
)
select
    c.part,
    c._file_index,
    c.source_row,
    c.listing_id,
    c.source_file,
    c.differs or g.part is not null as rescore
from compared as c
left join groups_to_rescore as g using (part, product_group)
where c.differs or g.part is not null or c.moved;
