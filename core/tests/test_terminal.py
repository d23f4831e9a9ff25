"""What reaches the terminal (and so cron's mail): the per-router lines and a summary,
one line per warning, never a library's traceback."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from configs.models import ConfigTemplate
from core.choices import BGPState
from devices.models import Platform, Router
from peering.models import AutonomousSystem, DirectPeeringSession
from peerkeeper.testing import manage_py


def test_a_hung_ssh_server_gives_one_line_and_no_traceback(transactional_db, silent_port) -> None:
    platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
    Router.objects.create(
        name="hung",
        hostname="127.0.0.1",
        platform=platform,
        napalm_timeout=2,
        napalm_args={"port": silent_port},
    )
    result = manage_py("ping_routers")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"hung: timed out: hung (127.0.0.1:{silent_port}) did not answer")
    assert lines[-1] == "0 reachable, 1 failed, 0 skipped"
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 1, result.stderr


def test_a_worker_without_its_database_says_so_in_one_line(db) -> None:
    result = manage_py("worker", "--burst", DATABASE_URL="postgresql://postgres@127.0.0.1:9/none")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Database error: connection failed")
    assert len(result.stderr.splitlines()) <= 2, result.stderr


def _log_since(start: int) -> str:
    return (settings.LOG_DIR / "peerkeeper.log").read_bytes()[start:].decode()


def _log_size() -> int:
    path = settings.LOG_DIR / "peerkeeper.log"
    return path.stat().st_size if path.exists() else 0


def test_a_failed_router_is_printed_once_and_its_outcome_logged_to_the_file(
    transactional_db, tmp_path: Path
) -> None:
    """The command's line is what the user reads; the service's line for the same
    router goes to the log file, not to the terminal a second time."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    template = ConfigTemplate.objects.create(name="main", template="router bgp 64500\n")
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    Router.objects.create(
        name="down",
        hostname="127.0.0.1",
        platform=mock,
        local_autonomous_system=ours,
        config_template=template,
        napalm_args={"fail_on_open": True},
    )
    start = _log_size()
    for command, error in (
        (("configure_routers", "--dry-run"), "Some routers failed."),
        (("poll_bgp_sessions",), "Some routers could not be polled."),
        (("ping_routers",), "Some routers could not be reached."),
    ):
        result = manage_py(*command)
        assert result.returncode == 1
        [line] = [line for line in result.stdout.splitlines() if line.startswith("down: ")]
        assert "Cannot reach down (127.0.0.1): You told me to do this." in line
        assert result.stderr.strip() == f"CommandError: {error}", result.stderr
    assert "INFO configs.deploy: configure down: failed (Cannot reach down" in _log_since(start)


def test_a_warning_the_command_does_not_print_stays_on_the_terminal(
    transactional_db, tmp_path: Path
) -> None:
    """The detailed getter reads the state, the uptime read returns what NAPALM's contract
    does not allow: the poll counts, and the terminal says why the session is dated by it."""
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    router = Router.objects.create(
        name="r1", hostname="127.0.0.1", platform=mock, napalm_args={"path": str(tmp_path)}
    )
    DirectPeeringSession.objects.create(
        router=router, autonomous_system=peer, ip_address="192.0.2.11", bgp_state=BGPState.IDLE
    )
    detail = {
        "up": True,
        "remote_as": 64501,
        "remote_address": "192.0.2.11",
        "connection_state": "Established",
    }
    files = {
        "get_bgp_neighbors_detail": {"global": {"64501": [detail]}},
        "get_bgp_neighbors": {"global": {"router_id": "192.0.2.1", "peers": {"192.0.2.11": None}}},
    }
    for name, data in files.items():
        (tmp_path / f"{name}.1").write_text(json.dumps(data))
    result = manage_py("poll_bgp_sessions")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("r1: 1 sessions, 1 neighbours seen, 1 updated")
    [warning] = result.stderr.splitlines()
    assert warning.startswith(
        "WARNING peering.polling: polling r1: no session uptimes from get_bgp_neighbors "
        "(The mock driver returned None for neighbour 192.0.2.11"
    )
