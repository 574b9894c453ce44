-- audit: returns listings of run $run_id whose channel rows are not one per channel with at most one
-- recommended, or whose recommended channel is not eligible (must return no rows).
-- A run replaces every row of the listings it scores, so checking its own listings is enough.
select listing_id, count(*) as channel_rows, count(distinct channel) as channels,
       count(*) filter (where is_recommended) as recommended
from listing_channel_costs
where listing_id in (select listing_id from listing_scores where run_id = $run_id)
group by listing_id
having count(*) <> count(distinct channel)
    or count(*) filter (where is_recommended) > 1
    or count(*) filter (where is_recommended and not eligible) > 0
    or bool_or(run_id is distinct from $run_id);
