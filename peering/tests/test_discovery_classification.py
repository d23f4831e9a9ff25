"""Which neighbours discovery creates, finds already known or ignores, and why.

The router is NAPALM's `mock` driver answering get_bgp_neighbors with canned data, so
every case a real router could show is here: VRFs, IPv6 spellings, 4-byte and asdot ASes,
the router's own address, addresses outside the exchange, ASes it cannot use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.choices import Status
from devices.models import Router
from peering.discovery import discover_ixp_sessions
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import mock_router, summary_peer

SUBNETS = "192.0.2.0/24 or 2001:db8:1::/64"

# What r1 reports: {vrf: {"peers": {address: peer}}}, as NAPALM's get_bgp_neighbors.
NEIGHBORS = {
    "global": {
        "router_id": "192.0.2.1",
        "peers": {
            # Already in the inventory (as AS64501); the router now says AS64599.
            "192.0.2.11": summary_peer(remote_as=64599),
            # New sessions: an existing AS, a new 4-byte AS on both families, asdot.
            "192.0.2.12": summary_peer(remote_as=64501),
            "192.0.2.13": summary_peer(remote_as=4_200_000_000),
            "2001:db8:1:0::13": summary_peer(remote_as="4200000000"),
            "2001:DB8:1::14": summary_peer(remote_as="1.10"),
            # Ignored, each for its reason.
            "192.0.2.1": summary_peer(remote_as=64500),
            "2001:db8:1::1": summary_peer(remote_as=64500),
            "198.51.100.1": summary_peer(remote_as=64504),
            "192.0.2.20": summary_peer(remote_as=0),
            "192.0.2.21": summary_peer(remote_as="1.70000"),
            "192.0.2.22": summary_peer(remote_as=23456),
            # Not an IP address (an unnumbered session): no session can be it.
            "swp1": summary_peer(remote_as=64505),
        },
    },
    "red": {
        "router_id": "10.0.0.254",
        "peers": {
            "192.0.2.12": summary_peer(remote_as=64501),
            "192.0.2.30": summary_peer(remote_as=64530),
            "10.0.0.1": summary_peer(remote_as=64531),
        },
    },
}

CREATED = [
    ("192.0.2.12", 64501, ""),
    ("192.0.2.13", 4_200_000_000, ""),
    ("2001:db8:1::13", 4_200_000_000, ""),
    ("2001:db8:1::14", 65546, ""),
]
KNOWN = [("192.0.2.11", 64599, "")]
IGNORED = [
    ("10.0.0.1", 64531, f"not inside {SUBNETS}"),
    ("192.0.2.1", 64500, "the router's own address"),
    ("192.0.2.12", 64501, "in VRF red, the connection is in VRF default"),
    ("192.0.2.20", None, "the router did not report the peer's AS"),
    (
        "192.0.2.21",
        None,
        "the router reported an unusable peer AS ('1.70000' is not an asdot AS number: "
        "each half is 0 to 65535)",
    ),
    (
        "192.0.2.22",
        23456,
        "23456 is AS_TRANS, a placeholder for 4-byte AS numbers, not a real AS.",
    ),
    ("192.0.2.30", 64530, "in VRF red, the connection is in VRF default"),
    ("198.51.100.1", 64504, f"not inside {SUBNETS}"),
    ("2001:db8:1::1", 64500, "the router's own address"),
]


def _found(items: list[Any]) -> list[tuple[str, int | None, str]]:
    return [(found.address, found.asn, found.why) for found in items]


def _inventory() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every IXP session and every AS, as the database has them."""
    sessions = InternetExchangePeeringSession.objects.order_by("pk").values_list(
        "ixp_connection_id", "ip_address", "autonomous_system__asn", "status", "description"
    )
    ases = AutonomousSystem.objects.order_by("asn").values_list("asn", "name", "affiliated")
    return list(sessions), list(ases)


def _connection(router: Router, ixp: InternetExchange, **fields: Any) -> Connection:
    fields.setdefault("ipv4_address", "192.0.2.1/24")
    fields.setdefault("ipv6_address", "2001:db8:1::1/64")
    return Connection.objects.create(internet_exchange=ixp, router=router, **fields)


@pytest.fixture
def ixp(db, tmp_path: Path) -> InternetExchange:
    """IX, with r1's connection (192.0.2.1/24, 2001:db8:1::1/64, default VRF) reporting
    NEIGHBORS, AS64501 "Peer One" and its session at 192.0.2.11 already in the inventory."""
    router = mock_router(tmp_path / "r1", {"get_bgp_neighbors": NEIGHBORS}, "r1", None)
    exchange = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    connection = _connection(router, exchange)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One", ipv4_max_prefixes=100)
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=peer,
        ip_address="192.0.2.11",
        status=Status.MAINTENANCE,
        description="set by hand",
        password="md5-secret",
    )
    return exchange


def test_each_neighbour_is_created_known_or_ignored_with_why(ixp) -> None:
    [report] = discover_ixp_sessions(ixp, dry_run=True)
    assert (report.connection, report.router) == ("IX on r1", "r1")
    assert (report.ok, report.skipped, report.error) == (True, None, None)
    assert _found(report.created) == CREATED
    assert _found(report.known) == KNOWN
    assert _found(report.ignored) == IGNORED


def test_a_dry_run_creates_nothing(ixp) -> None:
    before = _inventory()
    results = discover_ixp_sessions(ixp, dry_run=True)
    assert _found(results[0].created) == CREATED
    assert _inventory() == before


def test_a_run_creates_exactly_the_new_sessions_and_ases_and_changes_nothing_else(ixp) -> None:
    connection = Connection.objects.get()
    existing = InternetExchangePeeringSession.objects.values().get()
    peer_one = AutonomousSystem.objects.values().get(asn=64501)
    [report] = discover_ixp_sessions(ixp)
    assert report.ok
    assert (_found(report.created), _found(report.known)) == (CREATED, KNOWN)
    assert _found(report.ignored) == IGNORED

    new = InternetExchangePeeringSession.objects.exclude(pk=existing["id"]).order_by("pk")
    assert sorted(
        new.values_list("ixp_connection_id", "ip_address", "autonomous_system__asn")
    ) == sorted((connection.pk, address, asn) for address, asn, _ in CREATED)
    for session in new:
        # Created as discovered: enabled, nothing set by hand.
        assert (session.status, session.description, session.password) == (
            Status.ENABLED,
            "",
            None,
        )
    # One new AS per new ASN, named after it; the known ones are left as they were.
    assert list(AutonomousSystem.objects.values_list("asn", "name", "affiliated")) == [
        (64500, "Us", True),
        (64501, "Peer One", False),
        (65546, "AS65546", False),
        (4_200_000_000, "AS4200000000", False),
    ]
    assert AutonomousSystem.objects.values().get(asn=64501) == peer_one
    # The known session is untouched, though the router reports another AS for it.
    assert InternetExchangePeeringSession.objects.values().get(pk=existing["id"]) == existing


def test_a_second_run_finds_what_the_first_created_already_known(ixp) -> None:
    discover_ixp_sessions(ixp)
    after_first = _inventory()
    [report] = discover_ixp_sessions(ixp)
    assert _found(report.created) == []
    assert _found(report.known) == sorted(
        KNOWN + CREATED, key=lambda found: (":" in found[0], found[0])
    )
    assert _found(report.ignored) == IGNORED
    assert _inventory() == after_first


def test_a_connection_in_a_vrf_takes_that_vrf_s_neighbours_only(db, tmp_path) -> None:
    router = mock_router(tmp_path, {"get_bgp_neighbors": NEIGHBORS}, "r1", None)
    ixp = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    _connection(router, ixp, ipv6_address=None, vrf="red")
    [report] = discover_ixp_sessions(ixp)
    assert _found(report.created) == [("192.0.2.12", 64501, ""), ("192.0.2.30", 64530, "")]
    assert _found(report.known) == []
    in_default = "in VRF default, the connection is in VRF red"
    assert _found(report.ignored) == [
        ("10.0.0.1", 64531, "not inside 192.0.2.0/24"),
        ("192.0.2.1", 64500, in_default),
        ("192.0.2.11", 64599, in_default),
        ("192.0.2.12", 64501, in_default),
        ("192.0.2.13", 4_200_000_000, in_default),
        ("192.0.2.20", None, in_default),
        ("192.0.2.21", None, in_default),
        ("192.0.2.22", 23456, in_default),
        ("198.51.100.1", 64504, "not inside 192.0.2.0/24"),
        # An IPv4-only connection: no IPv6 neighbour is on it.
        ("2001:db8:1::1", 64500, "not inside 192.0.2.0/24"),
        ("2001:db8:1::13", 4_200_000_000, "not inside 192.0.2.0/24"),
        ("2001:db8:1::14", 65546, "not inside 192.0.2.0/24"),
    ]
    assert sorted(
        InternetExchangePeeringSession.objects.values_list("ip_address", "autonomous_system__asn")
    ) == [("192.0.2.12", 64501), ("192.0.2.30", 64530)]


def test_a_skipped_or_failing_router_creates_nothing_and_stops_no_other(ixp, tmp_path) -> None:
    refused = {
        "exception": "napalm.base.exceptions.ConnectionException",
        "args": ["connection refused"],
    }
    failing = mock_router(tmp_path / "r2", {"get_bgp_neighbors": refused}, "r2", None)
    disabled = mock_router(
        tmp_path / "r3", {"get_bgp_neighbors": NEIGHBORS}, "r3", None, status=Status.DISABLED
    )
    _connection(failing, ixp, ipv4_address="192.0.2.2/24", ipv6_address=None)
    _connection(disabled, ixp, ipv4_address="192.0.2.3/24", ipv6_address=None)

    reports = list(discover_ixp_sessions(ixp))
    assert [(r.connection, r.router, r.ok) for r in reports] == [
        ("IX on r1", "r1", True),
        ("IX on r2", "r2", False),
        ("IX on r3", "r3", True),
    ]
    r1, r2, r3 = reports
    assert _found(r1.created) == CREATED
    assert (r2.error, r2.skipped) == ("Cannot reach r2 (127.0.0.1): connection refused.", None)
    assert (r3.error, r3.skipped) == (None, "the router is disabled")
    for report in (r2, r3):
        assert (report.created, report.known, report.ignored) == ([], [], [])
    created_on = set(
        InternetExchangePeeringSession.objects.values_list(
            "ixp_connection__router__name", flat=True
        )
    )
    assert created_on == {"r1"}
