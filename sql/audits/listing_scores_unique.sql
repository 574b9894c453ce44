-- audit: returns listing_ids that have more than one current score (must return no rows).
select listing_id, count(*) as copies
from listing_scores
group by listing_id
having count(*) > 1;
