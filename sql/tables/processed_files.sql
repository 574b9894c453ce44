-- grain: one row per input file content (sha256) that a successful run scored. The nightly inbox run
-- skips a file whose content is already here, wherever it lies and whatever it is called.
create table if not exists processed_files (
    content_sha256  varchar not null,
    file_name       varchar not null,
    file_path       varchar not null,
    size_bytes      bigint not null,
    run_id          varchar not null,
    processed_at    timestamp with time zone not null,
    archived_to     varchar
);
