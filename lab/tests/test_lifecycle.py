"""`python -m lab up / status / down` on a spare instance, including a crashed lab."""

from __future__ import annotations

import os
import signal

from lab import Lab
from lab.daemons import daemons
from lab.guard import route_of
from lab.netns import list_namespaces, list_root_links
from lab.processes import wait_gone
from lab.tests.conftest import lab_cli, wait_for
from lab.topology import default_topology

# r1: zebra, bgpd, staticd, sshd; p1: zebra, bgpd; p2, p3, p4: bird; rs1: bird, sshd.
DAEMON_COUNT = sum(len(daemons(spec)) for spec in default_topology(0).routers)


def test_a_crashed_lab_is_cleaned_by_the_next_up_and_down_leaves_nothing(spare_lab: Lab) -> None:
    instance = str(spare_lab.instance)
    prefix = spare_lab.topology.prefix

    r1_address = spare_lab.router("r1").mgmt_address
    assert r1_address is not None
    assert route_of(r1_address) is None  # down: unreachable, nothing is sent

    first = lab_cli("up", "--instance", instance)
    assert first.returncode == 0, first.stderr
    assert (route_of(r1_address) or {}).get("dev") == f"{prefix}mgmt"
    crashed_supervisor = spare_lab.state.owner()
    assert crashed_supervisor is not None and crashed_supervisor.kind == "supervisor"
    crashed_daemons = spare_lab.state.recorded_processes()
    assert len(crashed_daemons) == DAEMON_COUNT

    os.kill(crashed_supervisor.pid, signal.SIGKILL)

    # The daemons die with their parent; the namespaces stay behind.
    assert wait_gone([crashed_supervisor.record, *crashed_daemons], timeout=10) == []
    # one per router (r1, p1..p4, rs1) and the IXP's
    assert len(list_namespaces(prefix)) == len(spare_lab.routers) + 1 == 7

    second = lab_cli("up", "--instance", instance)
    assert second.returncode == 0, second.stderr
    status = lab_cli("status", "--instance", instance)
    assert ["r1", "192.0.2.12", "64502", "Established", "10000"] in [
        line.split() for line in status.stdout.splitlines()
    ]
    supervisor = spare_lab.state.owner()
    assert supervisor is not None and supervisor.pid != crashed_supervisor.pid
    running = spare_lab.state.recorded_processes()
    assert len(running) == DAEMON_COUNT and all(daemon.is_alive() for daemon in running)

    down = lab_cli("down", "--instance", instance)

    assert down.returncode == 0, down.stderr
    assert list_namespaces(prefix) == []
    assert list_root_links(prefix) == []
    assert [p for p in [supervisor.record, *running] if p.is_alive()] == []
    again = lab_cli("down", "--instance", instance)
    assert again.returncode == 0, again.stderr
    assert route_of(r1_address) is None


def test_status_names_a_daemon_that_died_and_quotes_its_log(spare_lab: Lab) -> None:
    instance = str(spare_lab.instance)
    up = lab_cli("up", "--instance", instance)
    assert up.returncode == 0, up.stderr
    sshd = spare_lab.state.records()["r1.sshd"]

    os.kill(sshd.pid, signal.SIGTERM)

    def status_with_exit() -> str | None:
        status = lab_cli("status", "--instance", instance)
        return status.stdout if "exited with status" in status.stdout else None

    wait_for(status_with_exit, timeout=15, what="lab status to report sshd's exit")
    status = lab_cli("status", "--instance", instance)
    assert status.returncode == 1
    dead = [line for line in status.stdout.splitlines() if line.startswith("dead:")]
    assert len(dead) == 1 and dead[0].startswith("dead: r1 sshd exited with status 0;")
    assert "Received signal 15; terminating." in status.stdout
    # The routers themselves are fine.
    assert ["r1", "192.0.2.12", "64502", "Established", "10000"] in [
        line.split() for line in status.stdout.splitlines()
    ]
