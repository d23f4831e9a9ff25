"""Discovery with the PeeringDB mirror: a neighbour for which the router reported no AS
takes the ASN PeeringDB lists at its address (one whose AS the router reported as no AS
number, such as "internal", does not), and an AS new to the inventory is made from its
PeeringDB record; the queries stay constant in the number of neighbours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from devices.models import Router
from peering.discovery import discover_ixp_sessions
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
    PeeringPolicy,
)
from peeringdb.tests.factories import demo_ixlan, netixlan, network
from peerkeeper.testing import mock_router, summary_peer

NOT_REPORTED = "AS named by PeeringDB (the router did not report the peer's AS)"


def _exchange(directory: Path, peers: dict[str, Any]) -> InternetExchange:
    """Demo IX with r1's connection (192.0.2.1/24, 2001:db8:1::1/64); r1 reports `peers`."""
    neighbors = {"global": {"router_id": "192.0.2.1", "peers": peers}}
    router = mock_router(directory, {"get_bgp_neighbors": neighbors}, "r1", None)
    exchange = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=router.local_autonomous_system
    )
    Connection.objects.create(
        internet_exchange=exchange,
        router=router,
        ipv4_address="192.0.2.1/24",
        ipv6_address="2001:db8:1::1/64",
    )
    return exchange


def _found(items: list[Any]) -> list[tuple[str, int | None, str]]:
    return [(found.address, found.asn, found.why) for found in items]


@pytest.fixture
def mirror(db) -> None:
    demo_ixlan()


def test_peeringdb_names_the_as_the_router_did_not_report(mirror, tmp_path) -> None:
    exchange = _exchange(
        tmp_path,
        {
            "192.0.2.12": summary_peer(remote_as=0),
            "192.0.2.16": summary_peer(remote_as=None),
            "2001:db8:1::15": summary_peer(remote_as=64505),
            # Not on the IX LAN in PeeringDB: ignored, as before.
            "192.0.2.44": summary_peer(remote_as=0),
        },
    )
    [report] = discover_ixp_sessions(exchange)
    assert _found(report.created) == [
        ("192.0.2.12", 64502, NOT_REPORTED),
        ("192.0.2.16", 64506, NOT_REPORTED),
        ("2001:db8:1::15", 64505, ""),
    ]
    assert _found(report.ignored) == [
        ("192.0.2.44", None, "the router did not report the peer's AS")
    ]
    assert report.as_dict()["created"][0]["why"] == NOT_REPORTED
    assert sorted(
        InternetExchangePeeringSession.objects.values_list("ip_address", "autonomous_system__asn")
    ) == [("192.0.2.12", 64502), ("192.0.2.16", 64506), ("2001:db8:1::15", 64505)]


def test_an_as_the_router_reported_as_no_number_is_not_taken_from_peeringdb(
    mirror, tmp_path
) -> None:
    # PeeringDB lists networks at each of these addresses; what the router is configured
    # with ("remote-as internal": our own AS) is not what PeeringDB lists there.
    exchange = _exchange(
        tmp_path,
        {
            "192.0.2.15": summary_peer(remote_as="internal"),
            "192.0.2.16": summary_peer(remote_as="external"),
            "192.0.2.17": summary_peer(remote_as="1.70000"),
        },
    )
    [report] = discover_ixp_sessions(exchange)
    assert _found(report.created) == []
    assert _found(report.ignored) == [
        (
            "192.0.2.15",
            None,
            "the router reported an unusable peer AS ('internal' is not an AS number)",
        ),
        (
            "192.0.2.16",
            None,
            "the router reported an unusable peer AS ('external' is not an AS number)",
        ),
        (
            "192.0.2.17",
            None,
            "the router reported an unusable peer AS ('1.70000' is not an asdot AS number: "
            "each half is 0 to 65535)",
        ),
    ]
    assert not InternetExchangePeeringSession.objects.exists()


def test_a_new_as_is_made_from_its_peeringdb_record(mirror, tmp_path) -> None:
    exchange = _exchange(
        tmp_path,
        {
            "192.0.2.15": summary_peer(remote_as=64505),
            "192.0.2.44": summary_peer(remote_as=64544),  # PeeringDB does not know it
        },
    )
    AutonomousSystem.objects.create(asn=64502, name="Named by hand")
    discover_ixp_sessions(exchange)
    systems = AutonomousSystem.objects.filter(affiliated=False).order_by("asn")
    assert list(
        systems.values_list(
            "asn",
            "name",
            "irr_as_set",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "peering_policy",
        )
    ) == [
        (64502, "Named by hand", "", None, None, ""),
        (64505, "Peer Five", "AS-PEER64505", 100, 20, PeeringPolicy.OPEN),
        (64544, "AS64544", "", None, None, ""),
    ]


def test_without_peeringdb_the_router_s_silence_still_means_ignored(db, tmp_path) -> None:
    exchange = _exchange(tmp_path, {"192.0.2.12": summary_peer(remote_as=0)})
    [report] = discover_ixp_sessions(exchange)
    assert _found(report.created) == []
    assert _found(report.ignored) == [
        ("192.0.2.12", None, "the router did not report the peer's AS")
    ]


def _queries(directory: Path, neighbours: int, first: int) -> tuple[int, int]:
    """Queries of a discovery run (in this thread) where r1 reports `neighbours` peers
    PeeringDB knows from 192.0.2.`first` on, half without their AS; and the sessions
    created."""
    lan = demo_ixlan()
    peers = {}
    for n in range(neighbours):
        asn = 4_200_000_000 + first + n
        address = f"192.0.2.{first + n}"
        netixlan(lan, network(asn, f"Network {n}", policy_general="Selective"), address)
        peers[address] = summary_peer(remote_as=0 if n % 2 else asn)
    exchange = _exchange(directory, peers)
    with CaptureQueriesContext(db_connection) as captured:
        [report] = discover_ixp_sessions(exchange, max_workers=1)
    assert report.ok
    return len(captured), len(report.created)


@pytest.mark.django_db
def test_discovery_costs_the_same_queries_for_few_or_many_neighbours(tmp_path) -> None:
    few, created = _queries(tmp_path / "few", 4, first=100)
    assert created == 4
    InternetExchange.objects.all().delete()  # its connection and sessions with it
    Router.objects.all().delete()
    many, created = _queries(tmp_path / "many", 60, first=120)
    assert created == 60
    assert many == few
