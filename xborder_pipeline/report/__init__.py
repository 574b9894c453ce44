"""A self-contained HTML dashboard of a scored catalogue: data from the views (data.py), Vega-Lite charts
(charts.py), one HTML page (html.py). `xborder report` calls write_report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from xborder_pipeline.export import open_views
from xborder_pipeline.report.data import RatioThresholds, ReportData, read_report_data
from xborder_pipeline.report.html import render_report

__all__ = ["RatioThresholds", "ReportData", "build_report", "read_report_data", "render_report", "write_report"]


def build_report(db_path: Path, thresholds: RatioThresholds) -> str:
    """The report of the database at db_path as HTML text; the database is opened read-only."""
    with open_views(db_path) as connection:
        data = read_report_data(connection, db_path.name, thresholds)
    return render_report(data)


def write_report(db_path: Path, out: Path, thresholds: RatioThresholds) -> int:
    """Write the report to `out` (replaced whole, never half-written); returns its size in bytes."""
    html = build_report(db_path, thresholds).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(html)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(html)
