-- The stored listing rows of the run's known records that must be scored again (the view
-- `known_to_rescore`: part, _file_index, source_file, source_row, listing_fingerprint), with the run's lineage in
-- place of the stored one. A stored row is found by the record's own fingerprint (listing_keys): the record as read
-- is the one that was validated into that row. The store is attached as `store`.
-- grain: one row per known record to score again.
select
    l.* exclude (source_file, source_row, run_id),
    k.part,
    k._file_index,
    k.source_file,
    k.source_row,
    k.listing_fingerprint
from known_to_rescore as k
inner join store.listing_keys as s
    on s.listing_fingerprint = k.listing_fingerprint
inner join store.listings as l
    on l.listing_id = s.listing_id;
