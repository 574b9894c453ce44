-- grain: one row per stored listing (listing_keys) that the last successful run did not read: kept as it was scored,
-- its input fingerprint rests on the run-wide facts of an older run. Rewritten by every run. An incremental run looks
-- at such a listing again when it returns, and at the listings sharing its box when it leaves
-- (xborder_pipeline.known_listings; docs/decisions.md, 25). Not meant for dashboards: the fingerprints are polars
-- hashes.
create table if not exists absent_listings (
    listing_fingerprint ubigint not null  -- listing_keys.listing_fingerprint
);
