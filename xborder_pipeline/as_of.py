"""The date a run judges by: which rate card, peak season, duty rule or exchange-rate window is in force.

`run.as_of` in the configuration (or `--as-of` on `xborder score` and `xborder nightly`) fixes it; empty means
today in `schedule.timezone`. A flow resolves it once at run start (`settings_for_run`), so every batch and every
Dask worker prices with the same date, and the date is stored in `pipeline_runs.as_of_date`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from xborder_pipeline.config import ConfigError, Settings


def as_of_date(settings: Settings) -> date:
    """The configured run date, else today in the schedule's time zone."""
    if settings.run.as_of:
        return date.fromisoformat(settings.run.as_of)
    return datetime.now(ZoneInfo(settings.schedule.timezone)).date()


def parse_as_of(text: str) -> date:
    """A YYYY-MM-DD date, or a ConfigError saying what was wrong."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of must be a date written YYYY-MM-DD, e.g. 2026-12-05; got {text!r}") from None


def with_as_of(settings: Settings, as_of: str | None) -> Settings:
    """The settings with `run.as_of` set to `as_of` (checked); unchanged when `as_of` is None or empty."""
    if not as_of:
        return settings
    day = parse_as_of(as_of)
    return settings.model_copy(update={"run": settings.run.model_copy(update={"as_of": day.isoformat()})})


def settings_for_run(settings: Settings) -> Settings:
    """The settings a run passes down: its date resolved into `run.as_of`, and the windows in force that day."""
    day = as_of_date(settings)
    resolved = settings.on(day)
    return resolved.model_copy(update={"run": resolved.run.model_copy(update={"as_of": day.isoformat()})})
