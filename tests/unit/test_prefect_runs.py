"""Flow-run heartbeats: off on Prefect's temporary server, as configured with a real one."""

from __future__ import annotations

from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from xborder_pipeline.prefect_runs import heartbeats_only_with_a_server


def test_a_run_on_the_temporary_server_sends_no_heartbeats() -> None:
    with temporary_settings(updates={PREFECT_API_URL: None}):
        assert get_current_settings().flows.heartbeat_frequency is not None  # Prefect's default: 180 s
        with heartbeats_only_with_a_server():
            assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().flows.heartbeat_frequency is not None


def test_a_run_pointed_at_a_server_keeps_its_heartbeats() -> None:
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        configured = get_current_settings().flows.heartbeat_frequency
        with heartbeats_only_with_a_server():
            assert get_current_settings().flows.heartbeat_frequency == configured
        assert configured is not None
