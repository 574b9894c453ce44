-- grain: one row per configured threshold that a view needs; refreshed by every run from the
-- effective configuration, so views decide with the same numbers as the scoring.
create table if not exists thresholds (
    name     varchar not null,
    value    double not null,
    meaning  varchar not null
);
