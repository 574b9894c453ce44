-- audit: returns successful runs whose input records are not all accounted for (must return no rows).
select run_id, rows_read, rows_scored, rows_rejected, rows_skipped
from pipeline_runs
where status = 'succeeded'
  and rows_read is distinct from rows_scored + rows_rejected + rows_skipped;
