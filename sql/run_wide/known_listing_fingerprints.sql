-- The listing fingerprints of the store's current listings (the hash of each listing's record as read, under
-- the scoring context it was scored in; xborder_pipeline.incremental), each with the input fingerprint its score
-- was stored with: a record of an incremental run with one of them is known valid and is not validated again, and
-- it is scored again only when its input fingerprint, computed in the run, differs from that one. Listings stored
-- before fingerprints were kept, or scored outside a run, have none.
-- grain: one row per current listing with both fingerprints.
select listing_fingerprint, input_fingerprint as stored_input_fingerprint
from listing_scores
where listing_fingerprint is not null and input_fingerprint is not null;
