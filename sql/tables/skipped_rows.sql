-- grain: one row per input record that is not a listing at all (for example a platform export's
-- image-only continuation row), with the reason it was skipped.
create table if not exists skipped_rows (
    run_id       varchar not null,
    source_file  varchar not null,
    source_row   bigint not null,
    reason       varchar not null
);
