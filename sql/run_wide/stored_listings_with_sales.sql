-- The stored listings whose SKU or listing_id the run's sales demand names (the view `demand_keys`: sku), with what
-- with_sales_demand matches them by: an incremental run reads these few from the store, where a full run reads every
-- listing's own. The store is attached as `store`.
-- grain: one row per stored listing with keys whose SKU or id has sales.
select k.listing_fingerprint, l.marketplace, l.seller_id, l.sku, l.listing_id
from store.listing_keys as k
inner join store.listings as l
    on l.listing_id = k.listing_id
where l.sku in (select sku from demand_keys)
   or l.listing_id in (select sku from demand_keys);
