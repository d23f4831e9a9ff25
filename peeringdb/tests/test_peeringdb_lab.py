"""PeeringDB to the router: a max-prefix a peer raises in PeeringDB reaches the lab's r1."""

import pytest

from peerkeeper.testing import run_command

pytestmark = pytest.mark.lab

P1 = "192.0.2.11"


def _diff_lines(output: str) -> list[str]:
    return [
        " ".join(line.split())
        for line in output.splitlines()
        if line.strip()[:1] in ("+", "-") and not line.strip().startswith(("+++", "---"))
    ]


def test_a_max_prefix_raised_in_peeringdb_is_deployed(demo_inventory, lab, local_peeringdb):
    status, out, err = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out + err
    local_peeringdb.set_max_prefixes(64501, ipv4=150)

    status, out, err = run_command("peeringdb_sync")
    assert status == 0, err
    assert "AS64501 IPv4 max prefixes: 100 → 150" in out

    status, out, err = run_command("configure_routers", "--dry-run", "--limit", "r1")
    assert status == 0, out + err
    assert _diff_lines(out) == [
        f"- neighbor {P1} maximum-prefix 100",
        f"+ neighbor {P1} maximum-prefix 150",
    ]

    status, out, err = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out + err
    assert "r1: changed: committed" in out
    running = lab.router("r1").vtysh("show running-config")
    assert f"neighbor {P1} maximum-prefix 150" in running
    assert f"neighbor {P1} maximum-prefix 100" not in running
