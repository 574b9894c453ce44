-- The boxes (all three sides known and above zero) that more than one listing of the run has, with how
-- many listings and how many distinct categories share each. Reads the views `spooled_valid` and
-- `repeats` (records rejected as repeated ids, which do not count). Same rule as the window expressions
-- in xborder_pipeline/features/__init__.py (`_listings_sharing_box`), which a run in one piece uses.
-- grain: one row per shared box.
select
    v.length_cm,
    v.width_cm,
    v.height_cm,
    count(*)::bigint as listings_sharing_box,
    count(distinct v.category)::bigint as categories_sharing_box
from spooled_valid as v
anti join repeats as r using (_file_index, source_row)
where v.length_cm > 0 and v.width_cm > 0 and v.height_cm > 0
group by v.length_cm, v.width_cm, v.height_cm
having count(*) > 1;
