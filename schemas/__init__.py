"""pandera data contracts for the datasets the pipeline reads and writes."""
