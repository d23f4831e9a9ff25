"""The real poll and deploy services against a 20-router emulated fleet (correctness only).

The inventory is the one the benchmarks load (bench.inventory); NAPALM's own eos driver
talks eAPI to the fleet, which answers as the model in bench.fleet.model says.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.fleet import FaultKind, FleetProcess, FleetSpec, running_fleet
from bench.fleet.process import free_base_port
from bench.inventory import inventory_vrf, load_inventory
from configs.deploy import DeployOptions, configure_routers
from core.choices import BGPState
from devices.models import Router
from devices.selection import select_routers
from peering.models import BGPSessionStateChange, DirectPeeringSession
from peering.neighbors import map_state
from peering.polling import poll_routers

ROUTERS = 20
SESSIONS = 10
TIMEOUT = 2
# Two faulty routers: one never answers, one refuses connections.
FAULTS = (FaultKind.TIMEOUT, FaultKind.REFUSED)
REASONS = {FaultKind.TIMEOUT: "timed out", FaultKind.REFUSED: "unreachable"}


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    spec = FleetSpec(
        ROUTERS, SESSIONS, base_port=free_base_port(ROUTERS), faulty=0.1, fault_kinds=FAULTS
    )
    with running_fleet(spec, ready_timeout=60) as process:
        yield process


@pytest.fixture
def inventory(db, fleet: FleetProcess) -> FleetSpec:
    fleet.reset_configs()
    fleet.advance_epoch(0)
    load_inventory(fleet.spec, napalm_timeout=TIMEOUT)
    return fleet.spec


def stored_states() -> dict[tuple[str, str, str], str | None]:
    return {
        (name, vrf, address): state
        for name, vrf, address, state in DirectPeeringSession.objects.values_list(
            "router__name", "vrf", "ip_address", "bgp_state"
        )
    }


def fleet_states(spec: FleetSpec, epoch: int) -> dict[tuple[str, str, str], BGPState | None]:
    """What the detailed getter reads from every healthy router in this epoch."""
    return {
        (spec.router(index).hostname, inventory_vrf(session), session.neighbor_ip): map_state(
            spec.state(session, epoch).state
        )
        for index in spec.healthy_routers()
        for session in spec.sessions_of(index)
    }


def test_the_fleet_has_the_faults_the_tests_expect(inventory: FleetSpec) -> None:
    assert sorted(inventory.faults.values()) == sorted(FAULTS)


def test_poll_stores_every_state_and_fails_only_the_faulty_routers(inventory: FleetSpec) -> None:
    results = poll_routers(select_routers(None), max_workers=8, prefer_detail=True)

    by_name = {result.router: result for result in results}
    for index, fault in inventory.faults.items():
        result = by_name[inventory.router(index).hostname]
        assert (result.ok, result.category) == (False, REASONS[fault]), result.error
    healthy = [by_name[inventory.router(index).hostname] for index in inventory.healthy_routers()]
    assert all(r.ok and (r.sessions, r.neighbors) == (SESSIONS, SESSIONS) for r in healthy)
    expected = fleet_states(inventory, 0)
    stored = stored_states()
    assert {key: stored[key] for key in expected} == expected
    # The faulty routers' sessions were not touched.
    assert {state for key, state in stored.items() if key not in expected} == {None}
    # First poll: every healthy session went from unknown to its state.
    assert BGPSessionStateChange.objects.filter(from_state__isnull=True).count() == len(expected)
    failed = Router.objects.exclude(last_poll_error="").values_list("name", flat=True)
    assert sorted(failed) == sorted(inventory.router(index).hostname for index in inventory.faults)


def test_a_second_poll_records_what_changed_in_the_fleet(
    inventory: FleetSpec, fleet: FleetProcess
) -> None:
    poll_routers(select_routers(None), max_workers=8, prefer_detail=True)
    first = stored_states()
    epoch = fleet.advance_epoch()
    try:
        poll_routers(select_routers(None), max_workers=8, prefer_detail=True)
    finally:
        fleet.advance_epoch(0)

    expected = fleet_states(inventory, epoch)
    after = stored_states()
    assert {key: after[key] for key in expected} == expected
    changed = {key for key in expected if first[key] != after[key]}
    assert changed, "the model changes some states between epochs"
    recorded = {
        (name, vrf, address): (old, new)
        for name, vrf, address, old, new in BGPSessionStateChange.objects.filter(
            from_state__isnull=False
        ).values_list(
            "direct_session__router__name",
            "direct_session__vrf",
            "direct_session__ip_address",
            "from_state",
            "to_state",
        )
    }
    assert recorded == {key: (first[key], after[key]) for key in changed}


def test_a_dry_run_shows_the_diff_then_a_commit_leaves_nothing_to_change(
    inventory: FleetSpec, fleet: FleetProcess
) -> None:
    healthy = [inventory.router(index).hostname for index in inventory.healthy_routers()[:3]]
    routers = select_routers(",".join(healthy))
    index = inventory.healthy_routers()[0]
    before = fleet.running_config(index)

    dry_run = configure_routers(routers, DeployOptions(dry_run=True), max_workers=4)
    assert [(r.outcome, r.committed) for r in dry_run] == [("changed", False)] * 3
    assert all("maximum-routes" in r.diff for r in dry_run)
    assert any("password ********" in r.diff for r in dry_run)
    assert not any("md5-" in r.diff for r in dry_run), "session passwords must be masked"
    assert fleet.running_config(index) == before

    committed = configure_routers(routers, DeployOptions(), max_workers=4)
    assert [(r.outcome, r.committed) for r in committed] == [("changed", True)] * 3
    assert "maximum-routes" in fleet.running_config(index)

    again = configure_routers(routers, DeployOptions(), max_workers=4)
    assert [(r.outcome, r.note) for r in again] == [("unchanged", "nothing to change")] * 3


def test_a_dry_run_over_the_fleet_fails_only_the_faulty_routers(inventory: FleetSpec) -> None:
    results = configure_routers(select_routers(None), DeployOptions(dry_run=True), max_workers=8)

    failed = {r.router: r.category for r in results if not r.ok}
    assert failed == {
        inventory.router(index).hostname: REASONS[fault]
        for index, fault in inventory.faults.items()
    }
    assert sum(r.outcome == "changed" for r in results) == ROUTERS - len(FAULTS)
