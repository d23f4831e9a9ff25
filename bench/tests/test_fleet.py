"""The emulated fleet, as NAPALM's unmodified eos driver sees it over eAPI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from napalm import get_network_driver
from napalm.base import NetworkDriver
from napalm.base.exceptions import MergeConfigException
from pyeapi.eapilib import CommandError
from pyeapi.eapilib import ConnectionError as EapiConnectionError

from bench.fleet import FaultKind, FleetProcess, FleetSpec, running_fleet
from bench.fleet.process import free_base_port

ROUTERS = 20
SESSIONS = 10


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    # 20% faulty: one router of each of the four fault kinds.
    spec = FleetSpec(ROUTERS, SESSIONS, base_port=free_base_port(ROUTERS), faulty=0.2)
    with running_fleet(spec, ready_timeout=60) as process:
        yield process


@pytest.fixture
def healthy(fleet: FleetProcess) -> int:
    fleet.reset_configs()
    fleet.advance_epoch(0)
    return fleet.spec.healthy_routers()[0]


@contextmanager
def eos(
    spec: FleetSpec, index: int, *, timeout: int = 5, password: str = "secret"
) -> Iterator[NetworkDriver]:
    driver = get_network_driver("eos")(
        "127.0.0.1",
        "admin",
        password,
        timeout=timeout,
        optional_args=spec.napalm_optional_args(index),
    )
    driver.open()
    try:
        yield driver
    finally:
        driver.close()


def faulty_router(spec: FleetSpec, kind: FaultKind) -> int:
    return next(index for index, fault in spec.faults.items() if fault is kind)


def expected_bgp_neighbors(spec: FleetSpec, index: int, epoch: int) -> dict[str, object]:
    router = spec.router(index)
    expected: dict[str, dict[str, object]] = {
        ("global" if vrf == "default" else vrf): {"router_id": router.router_id, "peers": {}}
        for vrf in spec.vrfs_of(index)
    }
    for session in spec.sessions_of(index):
        state = spec.state(session, epoch)
        counts = {
            "received_prefixes": state.received_prefixes,
            "accepted_prefixes": state.accepted_prefixes,
            "sent_prefixes": state.sent_prefixes,
        }
        none = dict.fromkeys(counts, 0)
        v4 = session.address_family == 4
        vrf = "global" if session.vrf == "default" else session.vrf
        expected[vrf]["peers"][session.neighbor_ip] = {  # type: ignore[index]
            "local_as": router.local_as,
            "remote_as": session.remote_as,
            "remote_id": session.remote_id if state.is_up else "0.0.0.0",
            "is_up": state.is_up,
            "is_enabled": not session.admin_shutdown,
            "description": session.description,
            "uptime": state.established_seconds,
            "address_family": {"ipv4": counts if v4 else none, "ipv6": none if v4 else counts},
        }
    return expected


def check_bgp_neighbors_detail(spec: FleetSpec, index: int, epoch: int, detail: dict) -> None:
    router = spec.router(index)
    by_address = {
        (vrf, peer["remote_address"]): (remote_as, peer)
        for vrf, groups in detail.items()
        for remote_as, peers in groups.items()
        for peer in peers
    }
    sessions = spec.sessions_of(index)
    assert set(by_address) == {(s.vrf, s.neighbor_ip) for s in sessions}
    for session in sessions:
        state = spec.state(session, epoch)
        group_as, peer = by_address[(session.vrf, session.neighbor_ip)]
        assert group_as == session.remote_as
        assert {
            "up": peer["up"],
            "connection_state": peer["connection_state"],
            "previous_connection_state": peer["previous_connection_state"],
            "last_event": peer["last_event"],
            "routing_table": peer["routing_table"],
            "local_as": peer["local_as"],
            "remote_as": peer["remote_as"],
            "router_id": peer["router_id"],
            "local_address": peer["local_address"],
            "local_port": peer["local_port"],
            "remote_port": peer["remote_port"],
            "import_policy": peer["import_policy"],
            "export_policy": peer["export_policy"],
            "received_prefix_count": peer["received_prefix_count"],
            "accepted_prefix_count": peer["accepted_prefix_count"],
            "advertised_prefix_count": peer["advertised_prefix_count"],
            "input_messages": peer["input_messages"],
            "output_messages": peer["output_messages"],
            "input_updates": peer["input_updates"],
            "output_updates": peer["output_updates"],
        } == {
            "up": state.is_up,
            "connection_state": state.state,
            "previous_connection_state": state.last_state,
            "last_event": state.last_event,
            "routing_table": session.vrf,
            "local_as": router.local_as,
            "remote_as": session.remote_as,
            "router_id": session.remote_id if state.is_up else "0.0.0.0",
            "local_address": session.local_ip,
            "local_port": state.local_port,
            "remote_port": state.remote_port,
            "import_policy": session.import_policy,
            "export_policy": session.export_policy,
            "received_prefix_count": state.received_prefixes,
            "accepted_prefix_count": state.accepted_prefixes,
            "advertised_prefix_count": state.sent_prefixes,
            "input_messages": state.messages_received,
            "output_messages": state.messages_sent,
            "input_updates": state.updates_received,
            "output_updates": state.updates_sent,
        }


def test_fleet_prints_a_ready_line(fleet: FleetProcess) -> None:
    assert f"fleet ready: {ROUTERS} routers x {SESSIONS} sessions" in fleet.log()


def test_get_facts_reports_the_model_identity(fleet: FleetProcess, healthy: int) -> None:
    router = fleet.spec.router(healthy)
    with eos(fleet.spec, healthy) as device:
        facts = device.get_facts()
        assert device.is_alive() == {"is_alive": True}
    assert facts["uptime"] > 0
    assert {key: value for key, value in facts.items() if key != "uptime"} == {
        "hostname": router.hostname,
        "fqdn": router.fqdn,
        "vendor": "Arista",
        "model": router.model,
        "serial_number": router.serial_number,
        "os_version": router.os_version,
        "interface_list": list(router.interfaces),
    }


def test_bgp_state_matches_the_model_and_follows_the_epoch(
    fleet: FleetProcess, healthy: int
) -> None:
    spec = fleet.spec
    routers = spec.healthy_routers()
    for epoch in (0, 1):
        assert fleet.advance_epoch(epoch) == epoch
        for index in routers:
            with eos(spec, index) as device:
                neighbors = device.get_bgp_neighbors()
                detail = device.get_bgp_neighbors_detail()
            assert neighbors == expected_bgp_neighbors(spec, index, epoch)
            check_bgp_neighbors_detail(spec, index, epoch, detail)
    assert expected_bgp_neighbors(spec, healthy, 0) != expected_bgp_neighbors(spec, healthy, 1)
    # The routers above include every kind of session state, so all of them were checked.
    sessions = [s for index in routers for s in spec.sessions_of(index)]
    assert any(s.admin_shutdown for s in sessions)
    seen = {spec.state(s, epoch).state for s in sessions for epoch in (0, 1)}
    assert seen == {"Established", "Active", "Connect", "Idle", "OpenSent", "OpenConfirm"}


def test_epoch_advances_for_every_router(fleet: FleetProcess, healthy: int) -> None:
    other = fleet.spec.healthy_routers()[-1]
    assert fleet.advance_epoch() == 1
    assert fleet.status()["epoch"] == 1
    with eos(fleet.spec, other) as device:
        assert device.get_bgp_neighbors() == expected_bgp_neighbors(fleet.spec, other, 1)


def test_merge_shows_a_diff_commit_applies_it_and_discard_drops_it(
    fleet: FleetProcess, healthy: int
) -> None:
    local_as = fleet.spec.router(healthy).local_as
    change = f"router bgp {local_as}\n   neighbor 198.18.255.1 remote-as 65001\n"
    before = fleet.running_config(healthy)
    with eos(fleet.spec, healthy) as device:
        assert device.compare_config() == ""
        device.load_merge_candidate(config=change)
        diff = device.compare_config()
        assert "+   neighbor 198.18.255.1 remote-as 65001" in diff.splitlines()
        assert not any(line.startswith("-") for line in diff.splitlines())
        assert fleet.running_config(healthy) == before
        device.commit_config()
        assert device.compare_config() == ""
    assert "   neighbor 198.18.255.1 remote-as 65001" in fleet.running_config(healthy).splitlines()

    with eos(fleet.spec, healthy) as device:
        device.load_merge_candidate(config=change)
        assert device.compare_config() == ""
        device.discard_config()
        device.load_merge_candidate(config=f"router bgp {local_as}\n   router-id 198.19.255.1\n")
        diff = device.compare_config()
        device.discard_config()
    assert "+   router-id 198.19.255.1" in diff.splitlines()
    assert "-   router-id " + fleet.spec.router(healthy).router_id in diff.splitlines()
    assert "198.19.255.1" not in fleet.running_config(healthy)


def test_replace_removes_what_the_new_config_omits(fleet: FleetProcess, healthy: int) -> None:
    router = fleet.spec.router(healthy)
    new_config = (
        f"hostname {router.hostname}\n!\nrouter bgp {router.local_as}\n   router-id 198.19.9.9\n"
    )
    with eos(fleet.spec, healthy) as device:
        device.load_replace_candidate(config=new_config)
        diff = device.compare_config().splitlines()
        assert "-interface Loopback0" in diff
        assert "+   router-id 198.19.9.9" in diff
        device.commit_config()
        running = device.get_config(retrieve="running")["running"]
    assert "interface Loopback0" not in running
    assert f"router bgp {router.local_as}\n   router-id 198.19.9.9\n" in running


def test_wrong_credentials_are_refused(fleet: FleetProcess, healthy: int) -> None:
    with (
        pytest.raises(EapiConnectionError, match="Unauthorized"),
        eos(fleet.spec, healthy, password=""),
    ):
        pass


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        (FaultKind.REFUSED, EapiConnectionError, "Connection refused"),
        (FaultKind.TIMEOUT, EapiConnectionError, "timed out"),
        (FaultKind.HTTP_500, EapiConnectionError, "unable to connect to eAPI"),
        (FaultKind.JSONRPC_ERROR, CommandError, "internal error"),
    ],
)
def test_faulty_routers_fail_the_way_napalm_reports_it(
    fleet: FleetProcess, kind: FaultKind, error: type[Exception], message: str
) -> None:
    router = faulty_router(fleet.spec, kind)
    with pytest.raises(error, match=message), eos(fleet.spec, router, timeout=1):
        pass


def test_a_command_eos_does_not_know_fails_the_load_and_nothing_is_applied(
    fleet: FleetProcess, healthy: int
) -> None:
    local_as = fleet.spec.router(healthy).local_as
    change = (
        f"router bgp {local_as}\n   neighbor 198.18.255.1 remote-as 65001\n"
        "   neighbor 198.18.255.1 remote-ass 65001\n"
    )
    before = fleet.running_config(healthy)
    with eos(fleet.spec, healthy) as device:
        with pytest.raises(MergeConfigException) as refused:
            device.load_merge_candidate(config=change)
        assert device.compare_config() == ""
    assert "Invalid input" in str(refused.value)
    assert "neighbor 198.18.255.1 remote-ass 65001" in str(refused.value)
    assert fleet.running_config(healthy) == before
