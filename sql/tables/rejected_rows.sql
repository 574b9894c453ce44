-- grain: one row per failed check of a rejected input record (a record with three bad values has
-- three rows here and counts once in pipeline_runs.rows_rejected).
create table if not exists rejected_rows (
    run_id         varchar not null,
    source_file    varchar not null,
    source_row     bigint not null,
    column_name    varchar not null,
    check_name     varchar not null,
    failure_value  varchar,
    message        varchar not null
);
