-- grain: one row: the date sku_demand judges by, the as-of date of the latest successful run
-- (run.as_of / --as-of, else that run's today), else today. reads: pipeline_runs.
create or replace view demand_as_of as
select coalesce(
    (
        select as_of_date
        from pipeline_runs
        where status = 'succeeded' and as_of_date is not null
        order by started_at desc
        limit 1
    ),
    current_date
) as as_of_date;
