"""DDL, views and audits for the DuckDB store: one object per file, loaded by xborder_pipeline.store."""
