"""poll_bgp_sessions and discover_ixp_sessions against the lab's real routers."""

import json

import pytest

from core.choices import BGPState
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import run_command, wait_for

ESTABLISHED_PEERS = ["192.0.2.11", "2001:db8:1::11", "192.0.2.12", "198.51.100.1"]


def _session(address: str):
    session = InternetExchangePeeringSession.objects.filter(ip_address=address).first()
    return session or DirectPeeringSession.objects.get(ip_address=address)


def _vtysh_received(lab, address: str) -> int:
    summary = lab.router("r1").json("show bgp vrf all summary json")
    for vrf in summary.values():
        for family in vrf.values():
            if isinstance(family, dict) and address in family.get("peers", {}):
                return family["peers"][address]["pfxRcd"]
    raise AssertionError(f"r1 has no neighbour {address}")


def test_poll_stores_state_and_prefix_counts(demo_inventory, lab) -> None:
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    assert out.splitlines()[0].startswith("r1: 6 sessions")
    for address in ESTABLISHED_PEERS:
        session = _session(address)
        assert session.bgp_state == BGPState.ESTABLISHED, address
        assert session.configured_on_router is True
        assert session.last_established_state is not None
        assert session.received_prefix_count == _vtysh_received(lab, address)
    assert _session("192.0.2.11").received_prefix_count == 53
    assert _session("192.0.2.12").received_prefix_count == 10000
    p3 = _session("192.0.2.13")
    assert p3.bgp_state != BGPState.ESTABLISHED
    assert p3.configured_on_router is False
    demo_inventory.refresh_from_db()
    assert demo_inventory.last_polled_at is not None


def test_a_peer_going_down_is_a_recorded_state_change(demo_inventory, lab) -> None:
    run_command("poll_bgp_sessions")
    before = {a: _session(a).bgp_state for a in ESTABLISHED_PEERS}
    lab.router("p2").stop()
    wait_for(
        lambda: (
            lab.router("r1").json("show bgp summary json")["ipv4Unicast"]["peers"]["192.0.2.12"][
                "state"
            ]
            != "Established"
        ),
        20,
        "r1 to notice p2 is gone",
    )
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    p2 = _session("192.0.2.12")
    assert p2.bgp_state != BGPState.ESTABLISHED
    change = BGPSessionStateChange.objects.filter(ixp_session=p2).latest("at")
    assert (change.from_state, change.to_state) == (BGPState.ESTABLISHED, p2.bgp_state)
    for address in ESTABLISHED_PEERS:
        if address != "192.0.2.12":
            assert _session(address).bgp_state == before[address]


def test_a_session_removed_from_the_router_is_not_configured(demo_inventory, lab) -> None:
    run_command("poll_bgp_sessions")
    lab.router("r1").vtysh("configure terminal", "router bgp 64500", "no neighbor 192.0.2.12")
    run_command("poll_bgp_sessions")
    p2 = _session("192.0.2.12")
    assert p2.configured_on_router is False
    assert p2.bgp_state != BGPState.ESTABLISHED
    assert p2.received_prefix_count is None


def test_failures_are_per_router_lines(demo_inventory, lab) -> None:
    platform = demo_inventory.platform
    Router.objects.create(
        name="gone", hostname="127.0.0.1", platform=platform, napalm_args={"port": 9}
    )
    Router.objects.create(
        name="broken-getter",
        hostname=demo_inventory.hostname,
        platform=platform,
        napalm_username=demo_inventory.napalm_username,
        napalm_args={**demo_inventory.napalm_args, "vtysh_command": "/bin/false"},
    )
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    assert lines["gone"].startswith("gone: failed (unreachable): Cannot reach gone (127.0.0.1:9)")
    assert lines["broken-getter"].startswith("broken-getter: failed (command failed):")
    assert lines["r1"].startswith("r1: 6 sessions")
    assert _session("192.0.2.11").bgp_state == BGPState.ESTABLISHED
    assert "Cannot reach" in Router.objects.get(name="gone").last_poll_error

    status, out, _ = run_command("poll_bgp_sessions", "--limit", "r1")
    assert status == 0
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == ["r1"]


@pytest.fixture
def bare_ixp(db, clean_lab):
    """Only the IXP, r1 and its connection: what discovery starts from."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
    params = clean_lab.napalm_params("r1")
    router = Router.objects.create(
        name="r1",
        hostname=params["hostname"],
        platform=platform,
        napalm_username=params["username"],
        napalm_args=params["optional_args"],
    )
    ixp = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=ours
    )
    Connection.objects.create(
        internet_exchange=ixp,
        router=router,
        ipv4_address="192.0.2.1/24",
        ipv6_address="2001:db8:1::1/64",
    )
    return ixp


def test_discovery_creates_the_missing_sessions_once(bare_ixp) -> None:
    status, out, _ = run_command("discover_ixp_sessions", "demo-ix", "--dry-run")
    assert status == 0, out
    assert "3 would create" in out
    assert InternetExchangePeeringSession.objects.count() == 0

    status, out, _ = run_command("discover_ixp_sessions", "demo-ix")
    assert status == 0, out
    assert "3 created, 0 already known" in out
    assert "ignored 198.51.100.1: not inside 192.0.2.0/24 or 2001:db8:1::/64" in out
    found = sorted(
        InternetExchangePeeringSession.objects.values_list("ip_address", "autonomous_system__asn")
    )
    assert found == [("192.0.2.11", 64501), ("192.0.2.12", 64502), ("2001:db8:1::11", 64501)]
    assert AutonomousSystem.objects.get(asn=64502).name == "AS64502"

    status, out, _ = run_command("discover_ixp_sessions", "demo-ix")
    assert "0 created, 3 already known" in out
    assert InternetExchangePeeringSession.objects.count() == 3


def test_a_driver_bug_on_one_connection_leaves_the_others_discovered(bare_ixp, tmp_path) -> None:
    # r0 runs a driver whose get_bgp_neighbors raises what a known driver bug raises.
    bug = {"exception": "AttributeError", "args": ["'NoneType' object has no attribute 'group'"]}
    (tmp_path / "get_bgp_neighbors.1").write_text(json.dumps(bug))
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    r0 = Router.objects.create(
        name="r0", hostname="127.0.0.1", platform=mock, napalm_args={"path": str(tmp_path)}
    )
    Connection.objects.create(internet_exchange=bare_ixp, router=r0, ipv4_address="192.0.2.250/24")

    status, out, err = run_command("discover_ixp_sessions", "demo-ix")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "Demo IX on r0: failed (driver error): The mock driver failed in get_bgp_neighbors"
    )
    assert "Demo IX on r1: 3 created, 0 already known" in out
    assert lines[-1] == "2 connections: 1 read, 1 failed, 0 skipped; 3 sessions created"
    assert (
        InternetExchangePeeringSession.objects.filter(ixp_connection__router__name="r1").count()
        == 3
    )
    assert "Traceback" not in out + err
