"""What every command does the same way, through core.commands.RouterCommand: bad input
is one error line, `--tasks --repeat-every` repeats the jobs, an empty batch says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.models import Job
from peering.models import InternetExchange
from peerkeeper.testing import manage_py, mock_router, run_command, summary


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (("ping_routers", "--limit", "nope"), "Unknown router: nope"),
        (("configure_routers", "--limit", ","), "names no router"),
        (
            ("configure_routers", "--dry-run", "--commit-confirm", "10"),
            "A dry run never commits, so there is nothing to confirm.",
        ),
        (("configure_routers", "--commit-confirm", "2"), "at least 5 seconds"),
        (("poll_bgp_sessions", "--repeat-every", "60"), "add --tasks"),
        (("poll_bgp_sessions", "--tasks", "--repeat-every", "0"), "from 1 to"),
        (("render_configuration", " "), "names no router"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_done(db, tmp_path: Path, command, error) -> None:
    mock_router(tmp_path / "m1", {"get_bgp_neighbors": summary({})})
    status, out, err = run_command(*command)
    assert status == 1 and out == ""
    assert error in err
    assert not Job.objects.exists()


def test_an_unknown_router_from_cron_is_one_line_and_status_1(transactional_db) -> None:
    result = manage_py("poll_bgp_sessions", "--limit", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CommandError: Unknown router: nope (no router has that name or hostname)."
    )


def test_tasks_repeat_every_queues_repeating_jobs(db, tmp_path: Path) -> None:
    router = mock_router(tmp_path / "m1", {"get_bgp_neighbors": summary({})})
    status, out, _ = run_command("poll_bgp_sessions", "--tasks", "--repeat-every", "300")
    assert status == 0, out
    [job] = Job.objects.all()
    assert (job.kind, job.target, job.repeat_every) == ("poll", router, 300)
    assert out.splitlines() == [f"m1: queued job {job.pk}", "1 router: 1 job queued, 0 skipped"]


def test_discovery_on_an_exchange_without_connections_says_so(db, tmp_path: Path) -> None:
    router = mock_router(tmp_path / "m1", {"get_bgp_neighbors": summary({})})
    InternetExchange.objects.create(
        name="Empty IX", slug="empty", local_autonomous_system=router.local_autonomous_system
    )
    status, out, _ = run_command("discover_ixp_sessions", "empty")
    assert (status, out) == (0, "Empty IX has no connections.\n")
    status, out, _ = run_command("discover_ixp_sessions", "empty", "--json")
    # Each run is on record as the IXP's discovery job, completed.
    first, second = Job.objects.order_by("created")
    assert json.loads(out) == {
        "ok": True,
        "counts": {"read": 0, "failed": 0, "skipped": 0},
        "results": [],
        "job": str(second.pk),
    }
    assert {(first.status, first.output), (second.status, second.output)} == {
        ("completed", "Empty IX has no connections.")
    }
