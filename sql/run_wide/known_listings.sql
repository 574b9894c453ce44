-- What an incremental run's plan reads of every stored listing (xborder_pipeline.known_listings): its listing
-- fingerprint (the hash of its record as read, under the scoring context it was scored in), the input fingerprint its
-- score was stored with, and the values its run-wide facts rest on. A record of the run with one of these
-- fingerprints was not validated again; it is scored again only when its input fingerprint, computed in the run,
-- differs from the stored one. Listings scored outside a run, or stored by a version without listing_keys, have no
-- row: their records are validated as new. The store is attached as `store`.
-- grain: one row per stored listing with keys.
select
    listing_fingerprint,
    input_fingerprint as stored_input_fingerprint,
    box_key,
    category_key,
    group_key,
    own_units_sold,
    assumed_currency
from store.listing_keys;
