"""IRR filtering end to end: bgpq4 against a real IRRd, the demo template, and the lab's
r1 (a real FRR) dropping what p1 announces beyond its IRR registration.

p1 announces 53 IPv4 /30s and 6 IPv6 /48s; its AS-set AS-PEERONE registers 50 and 5
(irr/fixtures/lab.rpsl); the others are `unregistered` in lab/topology.py.
"""

from __future__ import annotations

from typing import Any

from lab import Lab
from peerkeeper.testing import run_command, wait_for

P1, P1_V6 = "192.0.2.11", "2001:db8:1::11"
FAMILIES = {P1: "ipv4", P1_V6: "ipv6"}
SETTLE_S = 15  # route refresh and soft reconfiguration after a deploy: about a second


def _routes(lab: Lab, address: str) -> tuple[set[str], set[str]]:
    """What r1 received from a neighbour before its inbound policy, and what it accepted."""
    r1, family = lab.router("r1"), FAMILIES[address]
    received = r1.json(f"show bgp {family} unicast neighbors {address} received-routes json")
    accepted = r1.json(f"show bgp {family} unicast neighbors {address} routes json")
    return set(received.get("receivedRoutes", {})), set(accepted.get("routes", {}))


def _counters(lab: Lab, address: str) -> dict[str, Any]:
    """FRR's own counters for a neighbour: received before policy (None without
    soft-reconfiguration inbound), accepted, pfxRcd, the inbound prefix-list."""
    r1, family = lab.router("r1"), FAMILIES[address]
    received = r1.json(f"show bgp {family} unicast neighbors {address} received-routes json")
    neighbor = r1.json(f"show bgp neighbors {address} json")[address]
    info = neighbor["addressFamilyInfo"][f"{family}Unicast"]
    summary = r1.json("show bgp vrf all summary json")["default"][f"{family}Unicast"]
    return {
        "received": received.get("totalPrefixCounter"),
        "accepted": info["acceptedPrefixCounter"],
        "pfxRcd": summary["peers"][address]["pfxRcd"],
        "filter": info.get("incomingUpdatePrefixFilterList"),
    }


def _filtered(lab: Lab, address: str, expected: set[str]) -> bool:
    received, accepted = _routes(lab, address)
    return received - accepted == expected


def _refresh_and_deploy() -> str:
    status, out, err = run_command("irr_refresh")
    assert "AS-PEERONE" in out and "refreshed" in out, out + err
    status, out, err = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out + err
    assert "r1: changed: committed" in out
    return out


def test_r1_accepts_from_p1_only_what_its_as_set_registers(demo_inventory, local_irr, lab):
    p1 = lab.topology.router("p1")
    assert _counters(lab, P1) == {"received": None, "accepted": 53, "pfxRcd": 53, "filter": None}

    _refresh_and_deploy()

    for address, family in FAMILIES.items():
        unregistered = set(p1.unregistered_in(family))
        wait_for(lambda a=address, u=unregistered: _filtered(lab, a, u), SETTLE_S, address)
        received, accepted = _routes(lab, address)
        assert received == set(p1.announced_in(family))
        assert accepted == set(p1.registered_in(family))
    assert _counters(lab, P1) == {
        "received": 53,
        "accepted": 50,
        "pfxRcd": 50,
        "filter": "IRR-AS-PEERONE-V4",
    }
    assert _counters(lab, P1_V6) == {
        "received": 6,
        "accepted": 5,
        "pfxRcd": 5,
        "filter": "IRR-AS-PEERONE-V6",
    }
    status, out, _ = run_command("configure_routers", "--limit", "r1")
    assert status == 0
    assert "r1: unchanged: nothing to change" in out


def test_a_failed_refresh_leaves_the_router_as_it_was(demo_inventory, local_irr, lab, settings):
    _refresh_and_deploy()
    p1 = lab.topology.router("p1")
    wait_for(lambda: _filtered(lab, P1, set(p1.unregistered_in("ipv4"))), SETTLE_S, "filter")
    running = lab.router("r1").vtysh("show running-config")

    settings.IRR_HOST = "127.0.0.1:1"  # a closed port: every expansion fails
    status, out, _ = run_command("irr_refresh")
    assert status == 1
    line = next(line for line in out.splitlines() if "AS-PEERONE" in line)
    assert "failed" in line and "kept" in line, line

    status, out, _ = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out
    assert "r1: unchanged: nothing to change" in out
    assert lab.router("r1").vtysh("show running-config") == running
    assert _counters(lab, P1)["accepted"] == 50
