-- grain: one row per run, file and currency in which some of the file's listings had their prices read because
-- nothing named one (the adapter's default, `currency_assumed`). Counts every valid listing of the run, scored again
-- or kept from an earlier run (an incremental run reads them all); pipeline_runs.assumed_currencies says the same as
-- one line of text.
create table if not exists run_assumed_currencies (
    run_id       varchar not null,
    source_file  varchar not null,
    currency     varchar not null,
    listings     bigint not null
);
