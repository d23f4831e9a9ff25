"""What reaches the terminal (and so cron's mail): the per-router lines and a summary,
one line per warning, never a library's traceback."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from napalm.base.mock import MockDriver

from configs.models import ConfigTemplate
from core.choices import BGPState, JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.log_format import OneLineFormatter, printable
from core.models import Job
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchange,
)
from peerkeeper.testing import manage_py, mock_router


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
    assert lines[0].startswith(
        f"hung: failed (timed out): hung (127.0.0.1:{silent_port}) did not answer"
    )
    assert lines[-1] == "1 router: 0 reachable, 1 failed, 0 skipped"
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
        (("configure_routers", "--dry-run"), "1 of 1 router failed."),
        (("poll_bgp_sessions",), "1 of 1 router failed."),
        (("ping_routers",), "1 of 1 router failed."),
    ):
        result = manage_py(*command)
        assert result.returncode == 1
        [line] = [line for line in result.stdout.splitlines() if line.startswith("down: ")]
        assert "Cannot reach down (127.0.0.1): You told me to do this." in line
        assert result.stderr.strip() == f"CommandError: {error}", result.stderr
    assert (
        "INFO configs.deploy: configure down: failed (unreachable): Cannot reach down"
        in _log_since(start)
    )


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


def _mock_router(tmp_path: Path, answers: dict) -> Router:
    return mock_router(tmp_path / "m1", answers)


def test_a_failed_discard_is_logged_to_the_file_not_printed_a_second_time(
    transactional_db, tmp_path: Path
) -> None:
    """The load fails, then so does the discard: the terminal has the router's line (the
    load's failure); the failed discard is a detail of that router, for the log file."""
    _mock_router(
        tmp_path,
        {
            "load_merge_candidate": {"exception": "ValueError", "args": ["cannot parse"]},
            "discard_config": {"exception": "RuntimeError", "args": ["session gone"]},
        },
    )
    start = _log_size()
    result = manage_py("configure_routers", "--dry-run")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "m1: failed (driver error): The mock driver failed in load_merge_candidate on m1: "
        "ValueError: cannot parse.",
        "1 router: 0 changed, 0 unchanged, 0 skipped, 1 failed",
    ]
    assert result.stderr.strip() == "CommandError: 1 of 1 router failed.", result.stderr
    assert (
        "WARNING configs.deploy: discarding the candidate on m1 failed: The mock driver failed "
        "in discard_config on m1: RuntimeError: session gone." in _log_since(start)
    )


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_control_characters_in_a_diff_are_printed_escaped(transactional_db, tmp_path) -> None:
    """A diff that would clear the screen, hide a line or end a C string is shown with
    those characters escaped; newlines and tabs print as they are."""
    diff = "+router bgp 64500\x1b[2J\n+\tdescription x\x00y\r\n+ z\x9b1m\rhidden"
    _mock_router(
        tmp_path,
        {"load_merge_candidate": {}, "compare_config": {"diff": diff}, "discard_config": {}},
    )
    result = manage_py("configure_routers", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not CONTROL.search(result.stdout + result.stderr), repr(result.stdout)
    assert result.stdout.splitlines()[1:4] == [
        "+router bgp 64500\\x1b[2J",
        "+\tdescription x\\x00y",
        "+ z\\x9b1m\\x0dhidden",
    ]


def test_a_jobs_diff_is_printed_escaped_and_kept_as_it_was(transactional_db, tmp_path) -> None:
    diff = "+router bgp 64500\x1b[2J\n+\tdescription x\x07y\x00\r\n+ z\rhidden\n"
    router = _mock_router(
        tmp_path,
        {"load_merge_candidate": {}, "compare_config": {"diff": diff}, "discard_config": {}},
    )
    job = enqueue("deploy_dry_run", target=router)
    assert run(str(job.pk)) == JobStatus.COMPLETED
    # Kept as the router sent it, but for NUL, which PostgreSQL's text cannot hold.
    assert Job.objects.get(pk=job.pk).output == diff.replace("\x00", "\\x00")
    result = manage_py("job", str(job.pk))
    assert result.returncode == 0, result.stderr
    assert not CONTROL.search(result.stdout), repr(result.stdout)
    output = result.stdout.split("\nOutput:\n", 1)[1]
    assert output == "+router bgp 64500\\x1b[2J\n+\tdescription x\\x07y\\x00\n+ z\\x0dhidden\n"
    # The job's log has the diff too (the deploy's INFO line), escaped the same way.
    assert "+router bgp 64500\\x1b[2J\n" in result.stdout.split("\nOutput:\n", 1)[0]


def test_printable_escapes_control_characters_but_newline_and_tab() -> None:
    text = "a\x1b[2J\x00b\tc\r\n\x7f\x9bé→\rd"
    assert printable(text) == "a\\x1b[2J\\x00b\tc\n\\x7f\\x9bé→\\x0dd"


def test_a_log_line_on_the_terminal_has_its_control_characters_escaped() -> None:
    record = logging.makeLogRecord(
        {
            "name": "devices.napalm",
            "levelname": "WARNING",
            "msg": "router said %s",
            "args": ("\x1b[31mred",),
        }
    )
    assert OneLineFormatter().format(record) == "WARNING devices.napalm: router said \\x1b[31mred"


# A driver whose exception says this: it would clear the screen and end a C string.
HOSTILE = "bad\x1b[2J\x00reply\x08hidden"
SHOWN = "bad\\x1b[2J\\x00reply\\x08hidden"


@pytest.mark.parametrize(
    "command",
    [
        ("poll_bgp_sessions",),
        ("discover_ixp_sessions", "ix"),
        ("configure_routers", "--dry-run"),
    ],
)
def test_a_drivers_control_characters_are_printed_escaped_by_every_command(
    transactional_db, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Whatever the command, the router's line quotes the driver escaped, and the command
    still prints its summary and exits 1."""
    failing = {"exception": "ValueError", "args": [HOSTILE]}
    router = _mock_router(
        tmp_path,
        {
            "get_bgp_neighbors": failing,
            "load_merge_candidate": failing,
            "discard_config": {},
        },
    )
    ixp = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    Connection.objects.create(internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24")
    result = manage_py(*command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not CONTROL.search(result.stdout + result.stderr), repr(result.stdout + result.stderr)
    first, summary_line = result.stdout.splitlines()
    sentence = rf"The mock driver failed in \w+ on m1: ValueError: {re.escape(SHOWN)}\."
    assert re.fullmatch(rf"(m1|IX on m1): failed \(driver error\): {sentence}", first), first
    assert re.search(r"\b1 failed\b", summary_line), summary_line


def test_a_poll_failure_with_nul_is_kept_on_the_router(transactional_db, tmp_path) -> None:
    """PostgreSQL cannot store NUL: the router's last poll error keeps it written `\\x00`
    rather than failing to save (on SQLite too, so both databases keep the same text)."""
    router = _mock_router(
        tmp_path, {"get_bgp_neighbors": {"exception": "ValueError", "args": [HOSTILE]}}
    )
    assert manage_py("poll_bgp_sessions").returncode == 1
    router.refresh_from_db()
    assert router.last_poll_error == (
        "The mock driver failed in get_bgp_neighbors on m1: ValueError: "
        "bad\x1b[2J\\x00reply\x08hidden."
    )
    assert router.last_polled_at is None


def test_a_ping_job_with_nul_in_the_drivers_error_ends_failed(transactional_db, monkeypatch):
    """The job's error, result and log keep what the driver said, NUL written `\\x00`."""

    def is_alive(self):
        raise ValueError(HOSTILE)

    monkeypatch.setattr(MockDriver, "is_alive", is_alive)
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    router = Router.objects.create(name="m1", hostname="127.0.0.1", platform=mock)
    job = enqueue("ping", target=router)
    assert run(str(job.pk)) == JobStatus.FAILED
    job = Job.objects.get(pk=job.pk)
    assert job.error == (
        "The mock driver failed in is_alive on m1: ValueError: bad\x1b[2J\\x00reply\x08hidden."
    )
    stored = json.dumps(job.result) + json.dumps(job.log)  # json.dumps writes NUL \u0000
    assert "\\u0000" not in stored and "reply" in stored
