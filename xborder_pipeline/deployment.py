"""The nightly deployment's schedule and parameters, shared by `xborder serve` and tests."""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron


def nightly_schedule(cron: str, timezone: str) -> Cron:
    """A cron schedule in the given IANA time zone (Prefect reads cron in UTC unless told)."""
    return Cron(cron, timezone=timezone)


def nightly_deployment_parameters(
    db_path: Path, inbox: Path, archive_dir: Path | None, config_path: Path | None
) -> dict[str, object]:
    """Absolute paths, so the scheduled runs do not depend on the folder the server started in."""
    return {
        "db_path": str(db_path.resolve()),
        "inbox": str(inbox.resolve()),
        "archive_dir": str(archive_dir.resolve()) if archive_dir else None,
        "config_path": str(config_path.resolve()) if config_path else None,
    }
