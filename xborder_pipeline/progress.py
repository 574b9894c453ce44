"""Progress lines for long runs: to the terminal (logger `xborder.progress`) and to Prefect's run log."""

from __future__ import annotations

import logging
import sys

PROGRESS_LOGGER = "xborder.progress"


def report_progress(message: str) -> None:
    logging.getLogger(PROGRESS_LOGGER).info(message)
    try:
        from prefect import get_run_logger

        get_run_logger().info(message)
    except Exception:  # outside a flow or task run there is no Prefect log to write to
        pass


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of each line (it may be replaced, e.g. in tests)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def show_progress_on_stderr() -> None:
    """Print progress lines on standard error (the CLI does this; libraries stay quiet by default)."""
    logger = logging.getLogger(PROGRESS_LOGGER)
    if not any(isinstance(handler, _CurrentStderr) for handler in logger.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
