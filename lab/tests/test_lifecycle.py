"""`python -m lab up / status / down` on a spare instance, including a crashed lab."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from lab import Lab
from lab.daemons import daemons
from lab.instance import default_instance
from lab.netns import list_namespaces, list_root_links
from lab.processes import wait_gone
from lab.state import REPO_ROOT
from lab.topology import default_topology

# r1: zebra, bgpd, staticd, sshd; p1: zebra, bgpd; p2, p3, p4: bird.
DAEMON_COUNT = sum(len(daemons(spec)) for spec in default_topology(0).routers)


def spare_instance() -> int:
    """Not the shared test instance: $PEERKEEPER_LAB_SPARE_INSTANCE, else 4 (or 5)."""
    value = os.environ.get("PEERKEEPER_LAB_SPARE_INSTANCE")
    if value:
        return int(value)
    return 5 if default_instance(1) == 4 else 4


def lab_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, check=False,
    )  # fmt: skip


@pytest.fixture
def spare(lab_host: None) -> Iterator[Lab]:
    instance = spare_instance()
    yield Lab(instance)
    lab_cli("down", "--instance", str(instance))


def test_a_crashed_lab_is_cleaned_by_the_next_up_and_down_leaves_nothing(spare: Lab) -> None:
    instance = str(spare.instance)
    prefix = spare.topology.prefix

    first = lab_cli("up", "--instance", instance)
    assert first.returncode == 0, first.stderr
    crashed_supervisor = spare.state.owner()
    assert crashed_supervisor is not None and crashed_supervisor.kind == "supervisor"
    crashed_daemons = spare.state.recorded_processes()
    assert len(crashed_daemons) == DAEMON_COUNT

    os.kill(crashed_supervisor.pid, signal.SIGKILL)

    # The daemons die with their parent; the namespaces stay behind.
    assert wait_gone([crashed_supervisor.record, *crashed_daemons], timeout=10) == []
    assert len(list_namespaces(prefix)) == 6

    second = lab_cli("up", "--instance", instance)
    assert second.returncode == 0, second.stderr
    status = lab_cli("status", "--instance", instance)
    assert ["r1", "192.0.2.12", "64502", "Established", "10000"] in [
        line.split() for line in status.stdout.splitlines()
    ]
    supervisor = spare.state.owner()
    assert supervisor is not None and supervisor.pid != crashed_supervisor.pid
    running = spare.state.recorded_processes()
    assert len(running) == DAEMON_COUNT and all(daemon.is_alive() for daemon in running)

    down = lab_cli("down", "--instance", instance)

    assert down.returncode == 0, down.stderr
    assert list_namespaces(prefix) == []
    assert list_root_links(prefix) == []
    assert [p for p in [supervisor.record, *running] if p.is_alive()] == []
    again = lab_cli("down", "--instance", instance)
    assert again.returncode == 0, again.stderr
