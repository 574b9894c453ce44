-- The run's valid listings (the view `run_fingerprints`, one row per listing, from xborder_pipeline.incremental)
-- that must be scored, against the current scores of the store (attached as `store`): those whose input
-- fingerprint is not the stored one (new, changed, or scored under another context), and every listing of the
-- same product_group in the same part as one of them (sibling estimates read them all). The others keep their
-- rows, with the run id, file and row of the run that scored them. `known` marks records read from the store's
-- rows (xborder_pipeline.batches, KNOWN) rather than validated in this run.
-- grain: one row per valid listing of the run to score.
with compared as (
    select
        f.part,
        f._file_index,
        f.source_row,
        f.product_group,
        f.listing_id,
        f.source_file,
        f.listing_fingerprint,
        f.known,
        s.input_fingerprint is distinct from f.input_fingerprint as differs
    from run_fingerprints as f
    left join store.listing_scores as s using (listing_id)
),
groups_to_rescore as (
    select distinct part, product_group from compared where differs and product_group is not null
)
select c.part, c._file_index, c.source_file, c.source_row, c.listing_fingerprint, c.listing_id, c.product_group,
    c.known
from compared as c
left join groups_to_rescore as g using (part, product_group)
where c.differs or g.part is not null;
