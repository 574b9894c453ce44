"""How a run started from this package uses Prefect when no Prefect server is configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heartbeats_only_with_a_server() -> Iterator[None]:
    """Flow-run heartbeats off while no Prefect server is configured (PREFECT_API_URL unset); as set otherwise.

    A heartbeat tells a Prefect server that a run is alive, so that it can mark a crashed one. Without
    PREFECT_API_URL, Prefect starts a temporary server inside this process, which ends with it: nothing can read
    them. They are not free: Prefect 3.9 ends each flow run by joining its heartbeat thread, which sleeps in
    one-second steps, so every run ended on the next whole second (0-1 s; docs/performance.md). A served
    deployment (`xborder serve`) and any run pointed at a server keep them.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
