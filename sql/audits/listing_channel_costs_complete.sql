-- audit: returns listings of run $run_id with more than one recommended channel, a recommended channel
-- that is not eligible, or channel rows left from an earlier run (must return no rows).
-- Plain grouped aggregates only (no DISTINCT, no IN-subquery), so DuckDB can spill them to disk: a run of
-- 30M listings has 120M channel rows. listing_channel_costs_unique.sql checks one row per channel.
select listing_id
from listing_channel_costs
group by listing_id
having bool_or(run_id = $run_id)
   and (bool_or(run_id <> $run_id)
        or sum(is_recommended::int) > 1
        or bool_or(is_recommended and not eligible));
