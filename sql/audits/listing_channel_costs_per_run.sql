-- audit: returns the runs whose channel rows are not one per channel for each listing the run holds the current
-- score of (must return no rows). When a run scores a listing again, the listing's channel rows of the run that
-- scored it before are replaced: a row left behind leaves that run with more rows on a channel than listings, a row
-- lost leaves it with fewer. Counted per run and channel, two columns DuckDB stores as dictionaries: 0.03 s over
-- four million rows, where finding the run's listings among them by listing_id took 0.1 s.
with channel_rows as (
    select run_id, channel, count(*) as channel_rows
    from listing_channel_costs
    group by run_id, channel
),
scored as (
    select run_id, count(*) as listings
    from listing_scores
    group by run_id
)
select c.run_id, c.channel, c.channel_rows, coalesce(s.listings, 0) as listings
from channel_rows as c
left join scored as s using (run_id)
where c.channel_rows <> coalesce(s.listings, 0);
