-- grain: one row per listing whose band, flag or score changed in the most recent run that did not fail:
-- "what changed since the last run" (no rows when that run changed nothing).
-- reads: score_changes, pipeline_runs, listings.
create or replace view score_changes_latest as
with last_run as (
    select run_id
    from pipeline_runs
    where status in ('succeeded', 'nothing_new')
    order by started_at desc
    limit 1
)
select
    c.run_id,
    c.changed_at,
    c.listing_id,
    l.sku,
    l.marketplace,
    l.title,
    c.change_kind,
    c.previous_suitability_band,
    c.new_suitability_band,
    c.previous_warehouse_flag,
    c.new_warehouse_flag,
    c.previous_suitability_score,
    c.new_suitability_score,
    c.new_suitability_score - c.previous_suitability_score as score_delta
from score_changes as c
inner join last_run using (run_id)
left join listings as l using (listing_id);
