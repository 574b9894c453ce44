-- grain: one row per run, column_name and check_name among the rejected input records: how many checks
-- failed, on how many records and files, with examples. reads: rejected_rows, pipeline_runs.
-- A record that fails three checks counts once in each of the three rows (and once in pipeline_runs).
create or replace view rejected_summary as
with latest_run as (
    select run_id
    from pipeline_runs
    where status in ('succeeded', 'nothing_new')
    order by started_at desc
    limit 1
)

select
    r.run_id,
    p.started_at as run_started_at,
    r.run_id in (select run_id from latest_run) as is_latest_run,
    r.column_name,
    r.check_name,
    count(*) as failed_checks,
    count(distinct (r.source_file, r.source_row)) as records,
    count(distinct r.source_file) as files,
    arg_min(r.source_file, (r.source_file, r.source_row)) as first_source_file,
    arg_min(r.source_row, (r.source_file, r.source_row)) as first_source_row,
    coalesce(
        list(distinct r.failure_value order by r.failure_value) filter (where r.failure_value is not null)[1:5],
        []::varchar[]
    ) as example_failure_values,
    arg_min(r.message, (r.source_file, r.source_row)) as example_message
from rejected_rows as r
left join pipeline_runs as p using (run_id)
group by r.run_id, p.started_at, r.column_name, r.check_name
order by run_started_at desc, records desc, r.column_name, r.check_name;
