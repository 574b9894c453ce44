-- grain: one row per run of the scoring flow (succeeded, failed or nothing_new), numbered in the order
-- they started: duration, record accounting, listings new or changed, input files and configuration.
-- reads: pipeline_runs, score_changes.
create or replace view run_history as
with changes as (
    select
        run_id,
        count(*) filter (where change_kind = 'new') as listings_new,
        count(*) filter (where change_kind = 'changed') as listings_changed
    from score_changes
    group by run_id
),

latest_run as (
    select run_id
    from pipeline_runs
    where status in ('succeeded', 'nothing_new')
    order by started_at desc
    limit 1
)

select
    row_number() over (order by p.started_at, p.run_id) as run_number,
    p.run_id,
    p.status,
    p.run_id in (select run_id from latest_run) as is_latest_run,
    p.started_at,
    p.finished_at,
    epoch(p.finished_at) - epoch(p.started_at) as duration_seconds,
    p.rows_read,
    p.rows_scored,
    p.rows_rejected,
    p.rows_skipped,
    p.rows_rejected / nullif(p.rows_read, 0) as reject_share,
    coalesce(c.listings_new, 0) as listings_new,
    coalesce(c.listings_changed, 0) as listings_changed,
    len(p.input_files) as input_file_count,
    p.input_files,
    p.config_hash,
    coalesce(p.config_hash <> lag(p.config_hash) over (order by p.started_at, p.run_id), false) as config_changed,
    p.xborder_version,
    p.error_message,
    p.as_of_date
from pipeline_runs as p
left join changes as c using (run_id)
order by run_number;
