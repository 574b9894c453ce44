-- audit: returns listings with no current score, or scores with no listing (must return no rows).
select coalesce(l.listing_id, s.listing_id) as listing_id
from listings as l
full outer join listing_scores as s using (listing_id)
where l.listing_id is null or s.listing_id is null;
