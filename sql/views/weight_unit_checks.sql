-- grain: one row per source file and unit slip found in it: listings whose declared weight is the weight their
-- title (or description) states read in another unit ("5 lb" in the title, 5 oz declared: pounds typed into an
-- ounces field). reads: listings, listing_scores (stated_weight_kg), thresholds.
-- A file where many listings slip the same way likely has the slip everywhere, also where no title says a weight:
-- its declared weights are wrong, and so are the costs that rest on them. Each slipping listing's own weight is
-- already set aside (IMPLAUSIBLE_WEIGHT); the others cannot be caught one by one.
-- listings_compared: listings with both a declared and a stated weight; listings_agreeing: those whose declared
-- weight is within a factor of 3 of the stated one; listings_slipped: those whose declared weight is the stated one
-- divided by the slip's factor (declared weights may include packing: from 0.85 to 1.1 times the factor).
-- likely_in_whole_file: at least data_quality.weight_unit_slip_min_listings listings slip this way, and no fewer
-- than agree: the run summary warns about the file.
create or replace view weight_unit_checks as
with compared as (
    select l.source_file, s.stated_weight_kg / l.weight_kg as ratio
    from listings as l
    inner join listing_scores as s using (listing_id)
    where l.weight_kg > 0 and s.stated_weight_kg > 0
),

files as (
    select
        source_file,
        count(*) as listings_compared,
        count(*) filter (where ratio between 1.0 / 3 and 3) as listings_agreeing
    from compared
    group by source_file
),

slips(slip, factor) as (
    values
        ('pounds read as ounces', 16.0),
        ('ounces read as pounds', 1.0 / 16),
        ('kilograms read as grams', 1000.0),
        ('grams read as kilograms', 0.001),
        ('kilograms read as pounds', 1 / 0.45359237),
        ('pounds read as kilograms', 0.45359237),
        ('ounces read as grams', 28.349523125),
        ('pounds read as grams', 453.59237)
)

select
    f.source_file,
    s.slip,
    count(*) as listings_slipped,
    f.listings_compared,
    f.listings_agreeing,
    round(count(*) / f.listings_compared, 3) as share_slipped,
    count(*) >= coalesce((select value from thresholds where name = 'weight_unit_slip_min_listings'), 5)
    and count(*) >= f.listings_agreeing as likely_in_whole_file
from compared as c
inner join slips as s on c.ratio between s.factor * 0.85 and s.factor * 1.1
inner join files as f using (source_file)
group by f.source_file, f.listings_compared, f.listings_agreeing, s.slip;
