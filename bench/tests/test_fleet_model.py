"""The fleet's data model: deterministic, varied, and inside documentation ranges."""

from __future__ import annotations

import ipaddress

import pytest

from bench.fleet.model import FaultKind, FleetSpec

DOCUMENTATION_V4 = ipaddress.ip_network("198.18.0.0/15")
DOCUMENTATION_V6 = ipaddress.ip_network("2001:db8::/32")


def _private_asn(asn: int) -> bool:
    return 64512 <= asn <= 65534 or 4_200_000_000 <= asn <= 4_294_967_294


def test_same_seed_same_data_other_seed_other_data() -> None:
    spec, again, other = FleetSpec(5, 20), FleetSpec(5, 20), FleetSpec(5, 20, seed=2)
    sessions = [spec.session(r, s) for r in range(5) for s in range(20)]
    assert sessions == [again.session(r, s) for r in range(5) for s in range(20)]
    assert [spec.state(s, 3) for s in sessions] == [again.state(s, 3) for s in sessions]
    assert [s.remote_as for s in sessions] != [
        other.session(r, s).remote_as for r in range(5) for s in range(20)
    ]


def test_routers_have_distinct_identities_and_ports() -> None:
    spec = FleetSpec(50, 4, base_port=30000)
    routers = [spec.router(i) for i in range(50)]
    assert len({r.hostname for r in routers}) == 50
    assert [r.port for r in routers] == list(range(30000, 30050))
    assert all(_private_asn(r.local_as) for r in routers)
    assert all(ipaddress.ip_address(r.router_id) in DOCUMENTATION_V4 for r in routers)
    assert spec.control == 29999


def test_sessions_cover_both_families_several_vrfs_and_documentation_ranges() -> None:
    spec = FleetSpec(3, 40)
    for router in range(3):
        sessions = spec.sessions_of(router)
        assert {s.address_family for s in sessions} == {4, 6}
        assert {s.vrf for s in sessions} == set(spec.vrfs_of(router))
        assert "default" in spec.vrfs_of(router) and len(spec.vrfs_of(router)) >= 3
        assert len({(s.vrf, s.neighbor_ip) for s in sessions}) == 40
        for session in sessions:
            network = DOCUMENTATION_V4 if session.address_family == 4 else DOCUMENTATION_V6
            assert ipaddress.ip_address(session.neighbor_ip) in network
            assert ipaddress.ip_address(session.local_ip) in network
            assert _private_asn(session.remote_as)


def test_states_change_between_epochs_and_counts_are_consistent() -> None:
    spec = FleetSpec(4, 50)
    sessions = [s for r in range(4) for s in spec.sessions_of(r)]
    epoch0 = [spec.state(s, 0) for s in sessions]
    epoch1 = [spec.state(s, 1) for s in sessions]
    assert sum(a.state != b.state for a, b in zip(epoch0, epoch1, strict=True)) > 0
    assert (
        sum(a.received_prefixes != b.received_prefixes for a, b in zip(epoch0, epoch1, strict=True))
        > len(sessions) // 2
    )
    states = {state.state for state in epoch0 + epoch1}
    assert {"Established", "Active", "Idle"} <= states
    for state in epoch0 + epoch1:
        assert 0 <= state.accepted_prefixes <= state.received_prefixes
        if not state.is_up:
            assert state.received_prefixes == state.sent_prefixes == 0
            assert state.established_seconds == -1


def test_admin_shutdown_sessions_stay_idle_and_disabled() -> None:
    spec = FleetSpec(10, 100)
    shut = [s for r in range(10) for s in spec.sessions_of(r) if s.admin_shutdown]
    assert shut
    for session in shut:
        for epoch in range(3):
            state = spec.state(session, epoch)
            assert (state.state, state.is_enabled) == ("Idle", False)


def test_faulty_routers_are_chosen_by_seed_and_cover_the_requested_kinds() -> None:
    spec = FleetSpec(100, 1, faulty=0.08)
    assert len(spec.faults) == 8
    assert spec.faults == FleetSpec(100, 1, faulty=0.08).faults
    assert spec.faults != FleetSpec(100, 1, faulty=0.08, seed=7).faults
    assert sorted(spec.faults.values()).count(FaultKind.REFUSED) == 2
    only_timeouts = FleetSpec(100, 1, faulty=0.05, fault_kinds=(FaultKind.TIMEOUT,))
    assert set(only_timeouts.faults.values()) == {FaultKind.TIMEOUT}
    assert len(spec.healthy_routers()) == 92


def test_invalid_specs_are_rejected() -> None:
    with pytest.raises(ValueError, match="fraction"):
        FleetSpec(10, 1, faulty=1.5)
    with pytest.raises(ValueError, match="ports"):
        FleetSpec(100, 1, base_port=65500)
    with pytest.raises(IndexError):
        FleetSpec(10, 1).router(10)
