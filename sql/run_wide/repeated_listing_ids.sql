-- Valid records of a run whose listing_id an earlier valid record of the run already has (the first is
-- kept, in file then row order), with where that first record is. Reads the view `spooled_valid`.
-- grain: one row per repeated record.
with repeated as (
    select listing_id from spooled_valid group by listing_id having count(*) > 1
),
sharing as (
    select
        v.listing_id,
        v._file_index,
        v.source_file,
        v.source_row,
        row_number() over by_position as position,
        first_value(v.source_file) over by_position as first_file,
        first_value(v.source_row) over by_position as first_row
    from spooled_valid as v
    semi join repeated using (listing_id)
    window by_position as (partition by v.listing_id order by v._file_index, v.source_row)
)
select listing_id, _file_index, source_file, source_row, first_file, first_row
from sharing
where position > 1
order by _file_index, source_row;
