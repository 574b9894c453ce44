-- audit: returns channel rows left from earlier runs for listings that run $run_id scored (must return no
-- rows): the run replaces all of a listing's channel rows.
select c.listing_id, c.channel, c.run_id
from listing_channel_costs as c
where c.run_id <> $run_id
  and c.listing_id in (select listing_id from listing_scores where run_id = $run_id);
