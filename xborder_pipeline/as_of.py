"""The date a run judges by: `run.as_of` when configured (or given with --as-of), else today where the
schedule runs. Resolved once at the start of a run, so that every batch and worker sees the same date."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from xborder_pipeline.config import Settings


def as_of_date(settings: Settings) -> datetime.date:
    """The configured as-of date, else today in `settings.schedule.timezone`."""
    if settings.run.as_of:
        return datetime.date.fromisoformat(settings.run.as_of)
    return datetime.datetime.now(ZoneInfo(settings.schedule.timezone)).date()


def with_as_of(settings: Settings, day: datetime.date) -> Settings:
    """The settings with `run.as_of` set to the day (a copy; settings are frozen)."""
    return settings.model_copy(update={"run": settings.run.model_copy(update={"as_of": day.isoformat()})})
