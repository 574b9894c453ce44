-- The shared boxes (the table `shared_boxes`, from shared_boxes.sql) that each spooled part of valid
-- rows has, so that scoring a part joins a part's worth of boxes, not the whole run's (a catalogue with
-- real dimensions has millions of distinct shared boxes). Reads the view `spooled_valid` (with `part`,
-- the part's file name without extension).
-- grain: one row per part per shared box.
select distinct
    v.part,
    s.length_cm,
    s.width_cm,
    s.height_cm,
    s.listings_sharing_box,
    s.categories_sharing_box
from spooled_valid as v
inner join shared_boxes as s using (length_cm, width_cm, height_cm);
