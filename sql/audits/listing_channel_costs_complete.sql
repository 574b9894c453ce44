-- audit: returns listings whose channel rows are not one per channel with at most one recommended,
-- or whose recommended channel is not eligible (must return no rows).
select listing_id, count(*) as channel_rows, count(distinct channel) as channels,
       count(*) filter (where is_recommended) as recommended
from listing_channel_costs
group by listing_id
having count(*) <> count(distinct channel)
    or count(*) filter (where is_recommended) > 1
    or count(*) filter (where is_recommended and not eligible) > 0;
