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


def show_progress_on_stderr() -> None:
    """Print progress lines on standard error (the CLI does this; libraries stay quiet by default)."""
    logger = logging.getLogger(PROGRESS_LOGGER)
    if not any(getattr(handler, "_xborder", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("  %(message)s"))
        handler._xborder = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
