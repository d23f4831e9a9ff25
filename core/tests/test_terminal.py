"""What reaches the terminal (and so cron's mail): the per-router lines and a summary,
one line per warning, never a library's traceback."""

from __future__ import annotations

from devices.models import Platform, Router
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
    assert lines[-1] == "0 reachable, 1 failed"
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 1, result.stderr


def test_a_worker_without_its_database_says_so_in_one_line(db) -> None:
    result = manage_py("worker", "--burst", DATABASE_URL="postgresql://postgres@127.0.0.1:9/none")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Database error: connection failed")
    assert len(result.stderr.splitlines()) <= 2, result.stderr
