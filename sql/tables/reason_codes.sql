-- grain: one row per reason code a score or flag can carry; refreshed by every run from the code.
create table if not exists reason_codes (
    code        varchar not null,
    applies_to  varchar not null,   -- suitability | suitability_band | margin | warehouse | data_confidence | ...
    meaning     varchar not null
);
