-- grain: one row per run of the scoring flow, successful or failed.
-- Every input record is accounted for: rows_read = rows_scored + rows_rejected + rows_skipped
-- + sales_rows_loaded (sales records count in rows_read, rows_rejected and rows_skipped too).
create table if not exists pipeline_runs (
    run_id          varchar not null,
    started_at      timestamp with time zone not null,
    finished_at     timestamp with time zone,
    status          varchar not null,          -- succeeded | failed | nothing_new
    rows_read       bigint,
    rows_scored     bigint,
    rows_rejected   bigint,
    rows_skipped    bigint,
    config_hash     varchar not null,
    input_files     varchar[],
    error_message   varchar,
    xborder_version varchar,
    assumed_currencies varchar,                -- files read in an assumed currency: `file: CUR (n listings)`, `; `-joined
    as_of_date      date,                      -- the date the run priced and judged demand by (--as-of / run.as_of, else today)
    sales_rows_loaded bigint,                  -- sales records kept as sale lines (part of rows_read)
    scoring_context varchar,                   -- fingerprint of config, cards, dated windows in force, code version
    rescore_reason  varchar,                   -- why the run scored what it did: full rescore and why, or incremental
    listings_rescored bigint                   -- of rows_scored, the listings scored this run; the rest kept their rows
);
