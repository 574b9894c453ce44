"""Prefect entry points. The logic they run lives in xborder_pipeline; these files only orchestrate it."""
