-- audit: returns run $run_id when its input records are not all accounted for, or when its stored
-- scores and rejected records do not match its counts (must return no rows).
select r.run_id, r.rows_read, r.rows_scored, r.rows_rejected, r.rows_skipped
from pipeline_runs as r
where r.run_id = $run_id
  and (
      r.rows_read is distinct from r.rows_scored + r.rows_rejected + r.rows_skipped + coalesce(r.sales_rows_loaded, 0)
      or coalesce(r.listings_rescored, r.rows_scored) <> (select count(*) from listing_scores where run_id = $run_id)
      or r.listings_rescored > r.rows_scored
      or r.rows_rejected <> (
          select count(*) from (select distinct source_file, source_row from rejected_rows where run_id = $run_id)
      )
  );
