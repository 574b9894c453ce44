-- audit: returns listings of run $run_id with two rows for one channel (must return no rows).
select listing_id, channel, count(*) as copies
from listing_channel_costs
where run_id = $run_id
group by listing_id, channel
having count(*) > 1;
