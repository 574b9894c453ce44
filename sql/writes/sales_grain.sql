-- The run's sale lines (view incoming_sales_lines, with _file_index: the file's place in the run) at
-- sales_history's grain: summed per file, and where several files of the run give the same kind,
-- marketplace, seller, SKU and period, the last file given wins (an overlapping upload, not more sales).
with per_file as (
    select
        source_kind,
        marketplace,
        seller_id,
        sku,
        period_start,
        period_end,
        _file_index,
        any_value(listing_id) filter (where listing_id is not null) as listing_id,
        sum(units) as units,
        sum(revenue) as revenue,
        max(currency) as currency,
        any_value(source_file) as source_file
    from incoming_sales_lines
    group by source_kind, marketplace, seller_id, sku, period_start, period_end, _file_index
)

select * exclude (_file_index)
from per_file
qualify row_number() over (
    partition by source_kind, marketplace, seller_id, sku, period_start, period_end order by _file_index desc
) = 1
