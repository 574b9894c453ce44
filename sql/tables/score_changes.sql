-- grain: one row per listing whose band, warehouse flag or score changed in a run (new listings
-- included). An unchanged rerun adds nothing here, so history stays small on a stable catalogue.
create table if not exists score_changes (
    run_id                     varchar not null,
    listing_id                 varchar not null,
    changed_at                 timestamp with time zone not null,
    change_kind                varchar not null,   -- new | changed
    previous_suitability_band  varchar,
    new_suitability_band       varchar not null,
    previous_warehouse_flag    varchar,
    new_warehouse_flag         varchar not null,
    previous_suitability_score double,
    new_suitability_score      double not null,
    previous_run_id            varchar
);
