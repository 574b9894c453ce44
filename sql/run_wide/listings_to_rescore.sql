-- The run's valid listings (the view `run_fingerprints`, one row per listing, from xborder_pipeline.incremental)
-- that must be scored, against the current scores of the store (attached as `store`): those whose input
-- fingerprint is not the stored one (new, changed, or scored under another context), and every listing of the
-- same product_group in the same part as one of them (sibling estimates read them all). The others keep their
-- rows, with the run id, file and row of the run that scored them.
-- grain: one row per valid listing of the run to score.
with compared as (
    select
        f.part,
        f._file_index,
        f.source_row,
        f.product_group,
        s.input_fingerprint is distinct from f.input_fingerprint as differs
    from run_fingerprints as f
    left join store.listing_scores as s using (listing_id)
),
groups_to_rescore as (
    select distinct part, product_group from compared where differs and product_group is not null
)
select c.part, c._file_index, c.source_row, c.product_group
from compared as c
left join groups_to_rescore as g using (part, product_group)
where c.differs or g.part is not null;
