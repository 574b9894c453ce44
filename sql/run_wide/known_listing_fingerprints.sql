-- The listing fingerprints of the store's current listings (the hash of each listing's record as read, under
-- the scoring context it was scored in; xborder_pipeline.incremental): a record of an incremental run with one of
-- them is known valid and is not validated again. Listings stored before fingerprints were kept have none.
-- grain: one row per distinct fingerprint.
select distinct listing_fingerprint
from listings
where listing_fingerprint is not null;
