"""Available peers on the demo's exchange, and sessions created with the chosen ones: the
right peers listed, route servers marked, both families created, nothing half-created."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection as db_connection

from core.operations import InputError
from core.tests.builders import router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
    PeeringPolicy,
)
from peeringdb.models import Network
from peeringdb.peer_sessions import CreatedSession, SessionsCreated, create_sessions
from peeringdb.peers import (
    NO_ADDRESS,
    NOT_OPERATIONAL,
    OURS,
    PEERED,
    PeerAddress,
    available_peers,
)
from peeringdb.tests.factories import demo_exchange, demo_ixlan, netixlan, network

# The demo's peers PeeringDB lists that r1's connection lacks a session with, by ASN.
LISTED = [64502, 64505, 64506, 64507, 64508, 64509, 64510]


@pytest.fixture
def ixp(db) -> InternetExchange:
    """The demo's Demo IX (sessions with AS64501, AS64502 on IPv4, AS64503) and the lab's
    Demo IX in the PeeringDB mirror."""
    demo_ixlan()
    return demo_exchange()


def _peers(exchange: InternetExchange) -> dict[int, Any]:
    [connection] = available_peers(exchange).connections
    return {peer.asn: peer for peer in connection.peers}


def _inventory() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    sessions = InternetExchangePeeringSession.objects.order_by("ip_address").values_list(
        "ixp_connection_id", "autonomous_system__asn", "ip_address", "is_route_server"
    )
    return list(sessions), list(AutonomousSystem.objects.order_by("asn").values_list("asn", "name"))


def test_the_peers_without_a_session_are_listed_with_their_addresses(ixp) -> None:
    result = available_peers(ixp)
    [connection] = result.connections
    assert str(result.ix) == "Demo IX (from its connections' IX LANs)"
    assert str(connection.link) == "Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24)"
    assert [peer.asn for peer in connection.peers] == LISTED
    # Us, and AS64501 and AS64503 which have a session on every address already.
    assert connection.left_out == {OURS: 1, PEERED: 2}
    assert connection.left_out_line == "3 left out: 1 ours, 2 already a session on every address"
    two = _peers(ixp)[64502]
    assert (two.name, two.policy, two.in_inventory, two.is_rs_peer) == (
        "Peer Two",
        "Selective",
        True,
        False,
    )
    assert two.ipv4 == [PeerAddress("192.0.2.12", has_session=True)]
    assert two.ipv6 == [PeerAddress("2001:db8:1::12")]
    assert two.new_addresses == ["2001:db8:1::12"]


def test_route_servers_are_marked_by_the_ix_lans_asn_or_their_type(ixp) -> None:
    netixlan(demo_ixlan(), network(64511, "Other RS", info_type="Route Server"), "192.0.2.250")
    peers = _peers(ixp)
    servers = peers[64510]
    assert servers.is_route_server and not servers.in_inventory
    assert [a.address for a in servers.addresses] == [
        "192.0.2.253",
        "192.0.2.254",
        "2001:db8:1::253",
        "2001:db8:1::254",
    ]
    assert peers[64511].is_route_server
    assert [asn for asn, peer in peers.items() if peer.is_route_server] == [64510, 64511]


def test_only_the_families_the_connection_has_are_offered(db) -> None:
    demo_ixlan()
    exchange = demo_exchange(ipv6_address=None)
    [connection] = available_peers(exchange).connections
    peers = {peer.asn: peer for peer in connection.peers}
    assert 64508 not in peers  # only in IPv6 on the IX LAN
    assert all(not peer.ipv6 for peer in peers.values())
    assert connection.left_out == {OURS: 1, NO_ADDRESS: 1, PEERED: 3}


def test_ours_and_what_is_not_operational_are_left_out_and_counted(ixp) -> None:
    lan = demo_ixlan()
    AutonomousSystem.objects.create(asn=64505, name="Our other AS", affiliated=True)
    netixlan(lan, network(64520, "Gone"), "192.0.2.20", operational=False)
    netixlan(lan, network(64521, "Outside"), "198.51.100.21")
    [connection] = available_peers(ixp).connections
    assert [peer.asn for peer in connection.peers] == [a for a in LISTED if a != 64505]
    assert connection.left_out == {OURS: 2, NOT_OPERATIONAL: 1, NO_ADDRESS: 1, PEERED: 2}


def test_an_exchange_not_linked_says_why_and_the_fix(db) -> None:
    exchange = demo_exchange()
    result = available_peers(exchange)
    assert not result.linked and result.count == 0
    assert result.not_linked == (
        "Demo IX is not linked to PeeringDB: no connection's subnet is a prefix of an IX LAN "
        "in the PeeringDB mirror; choose each connection's IX LAN on the connection (or "
        "synchronise the mirror: manage.py peeringdb_sync)."
    )
    assert str(result.connections[0].link) == "not linked: choose its IX LAN on the connection"


def test_listing_costs_the_same_queries_for_ten_or_two_hundred_peers(
    ixp, django_assert_num_queries
) -> None:
    with django_assert_num_queries(8):
        assert available_peers(ixp).count == len(LISTED)
    lan = demo_ixlan()
    r2 = Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="192.0.2.2/24"
    )
    for n in range(200):
        peer = network(4_200_000_000 + n, f"Many {n}", policy_general="Open")
        netixlan(lan, peer, f"192.0.2.{n + 30}", f"2001:db8:1::{n + 30:x}")
        AutonomousSystem.objects.create(asn=peer.asn, name=peer.name)
    for n in range(0, 200, 2):
        InternetExchangePeeringSession.objects.create(
            ixp_connection=r2,
            autonomous_system=AutonomousSystem.objects.get(asn=4_200_000_000 + n),
            ip_address=f"192.0.2.{n + 30}",
        )
    with django_assert_num_queries(8):
        result = available_peers(ixp)
    # r2 (IPv4 only) has sessions with every other one of the 200, none with the demo's
    # peers: all of those on IPv4 (AS64508 is not) are listed.
    assert [len(c.peers) for c in result.connections] == [len(LISTED) + 200, 8 + 100]


def test_sessions_are_created_in_both_families_with_new_ases_from_peeringdb(ixp) -> None:
    result = create_sessions(ixp, [64502, 64505, 64506])
    assert [(s.asn, s.address) for s in result.created] == [
        (64502, "2001:db8:1::12"),
        (64505, "192.0.2.15"),
        (64505, "2001:db8:1::15"),
        (64506, "192.0.2.16"),
    ]
    assert [(s.asn, s.address, s.why) for s in result.skipped] == [
        (64502, "192.0.2.12", "already has a session")
    ]
    assert result.new_ases == ["AS64505 Peer Five", "AS64506 Peer Six"]
    assert result.summary == "Created 4 sessions on Demo IX (2 new ASes); skipped 1 address."
    five = AutonomousSystem.objects.get(asn=64505)
    assert (
        five.name,
        five.irr_as_set,
        five.ipv4_max_prefixes,
        five.ipv6_max_prefixes,
        five.peering_policy,
    ) == ("Peer Five", "AS-PEER64505", 100, 20, PeeringPolicy.OPEN)
    # PeeringDB's "not set" (no IPv6 prefixes) is no limit here.
    assert AutonomousSystem.objects.get(asn=64506).ipv6_max_prefixes is None
    sessions = InternetExchangePeeringSession.objects.filter(autonomous_system__asn=64505)
    assert sorted(sessions.values_list("ip_address", "is_route_server")) == [
        ("192.0.2.15", False),
        ("2001:db8:1::15", False),
    ]


def test_route_servers_get_sessions_marked_as_route_servers(ixp) -> None:
    connection = ixp.connections.get()
    result = create_sessions(connection, [64510])
    assert [s.is_route_server for s in result.created] == [True] * 4
    assert set(
        InternetExchangePeeringSession.objects.filter(autonomous_system__asn=64510).values_list(
            "is_route_server", flat=True
        )
    ) == {True}
    assert available_peers(ixp).connections[0].left_out[PEERED] == 3


def test_a_selection_per_connection_creates_only_there(ixp) -> None:
    r2 = Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="192.0.2.2/24"
    )
    result = create_sessions(ixp, {r2.pk: [64501]})
    assert [(s.connection, s.address) for s in result.created] == [("Demo IX on r2", "192.0.2.11")]
    # r2 has no IPv6 address: AS64501's IPv6 address is skipped, and why.
    assert [(s.address, s.why) for s in result.skipped] == [
        ("2001:db8:1::11", "the connection has no IPv6 address")
    ]


@pytest.mark.parametrize(
    ("selection", "error"),
    [
        (
            [64505, 64599],
            "AS64599 is on none of Demo IX's IX LANs in PeeringDB: nothing was created.",
        ),
        ([64598, 64599], "AS64598 and AS64599 are on none of Demo IX's IX LANs in PeeringDB"),
        ([64500], "AS64500 is ours, not a peer: nothing was created."),
        ([], "No peer selected: nothing was created."),
        # Numbers that are no AS number are said to be so first, whatever else is wrong.
        ([64505, 0], "0 is not an AS number: use 1 to 4294967295; nothing was created."),
        ({999: [4294967296]}, "4294967296 is not an AS number: use 1 to 4294967295;"),
        (
            [23456],
            "23456 is AS_TRANS, a placeholder for 4-byte AS numbers, not a real AS; nothing "
            "was created.",
        ),
    ],
)
def test_a_bad_selection_is_one_sentence_and_creates_nothing(ixp, selection, error) -> None:
    before = _inventory()
    with pytest.raises(InputError) as raised:
        create_sessions(ixp, selection)
    assert str(raised.value).startswith(error)
    assert _inventory() == before


def test_an_unknown_connection_or_one_not_linked_is_refused(ixp) -> None:
    elsewhere = Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="203.0.113.1/24"
    )
    with pytest.raises(InputError, match=r"^Demo IX on r2 is not linked to PeeringDB"):
        create_sessions(ixp, {elsewhere.pk: [64505]})
    with pytest.raises(InputError, match=r"^Connection 999 is not one of Demo IX's"):
        create_sessions(ixp, {999: [64505]})
    with pytest.raises(InputError, match=r"^AS64599 is not on the IX LAN of Demo IX on r1"):
        create_sessions(ixp, {ixp.connections.get(router__name="r1").pk: [64599]})


def test_a_row_that_fails_validation_leaves_nothing_half_created(ixp) -> None:
    # A copy holding an IRR AS-SET longer than the AS's field (the synchronisation cuts
    # it; only SQLite stores such a forged row at all).
    if db_connection.vendor != "sqlite":
        pytest.skip("the database refuses the forged row before any validation")
    netixlan(demo_ixlan(), network(64540, "Long Set", irr_as_set="AS-" + "X" * 300), "192.0.2.40")
    before = _inventory()
    with pytest.raises(InputError) as raised:
        create_sessions(ixp, [64505, 64510, 64540])
    assert str(raised.value).startswith("AS64540: Ensure this value has at most 255 characters")
    assert str(raised.value).endswith(" Nothing was created.")
    assert _inventory() == before


def test_without_leave_to_add_ases_new_ones_are_named_and_nothing_is_created(ixp) -> None:
    before = _inventory()
    with pytest.raises(InputError) as raised:
        create_sessions(ixp, [64502, 64505, 64510], may_create_ases=False)
    assert str(raised.value) == (
        "AS64505 and AS64510 are not in the inventory, and adding them needs the permission "
        "to add autonomous systems (peering.add_autonomoussystem): nothing was created."
    )
    assert _inventory() == before
    # Peers the inventory has already need no such leave.
    result = create_sessions(ixp, [64502], may_create_ases=False)
    assert [(s.asn, s.address) for s in result.created] == [(64502, "2001:db8:1::12")]
    assert result.new_ases == []


def _two_connections(ixp: InternetExchange) -> None:
    """r2 on the Demo IX LAN too (IPv4 only), and a second connection of r1 in another VRF
    (IPv4 only)."""
    Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="192.0.2.2/24"
    )
    Connection.objects.create(
        internet_exchange=ixp, router=router("r1"), ipv4_address="192.0.2.3/24", vrf="blue"
    )


def test_the_sentence_names_the_router_when_there_are_several_connections(ixp) -> None:
    connection = ixp.connections.get()
    one = create_sessions(connection, [64506])
    assert one.sentence() == (
        "Created 1 session on Demo IX (1 new AS). Created: AS64506 192.0.2.16."
    )
    _two_connections(ixp)
    result = create_sessions(ixp, [64510])
    assert result.sentence(limit=20) == (
        "Created 8 sessions on Demo IX (1 new AS); skipped 4 addresses. Created: "
        "AS64510 192.0.2.253 on r1 192.0.2.1/24, AS64510 192.0.2.254 on r1 192.0.2.1/24, "
        "AS64510 2001:db8:1::253 on r1 192.0.2.1/24, AS64510 2001:db8:1::254 on r1 "
        "192.0.2.1/24, AS64510 192.0.2.253 on r1 192.0.2.3/24, AS64510 192.0.2.254 on r1 "
        "192.0.2.3/24, AS64510 192.0.2.253 on r2, AS64510 192.0.2.254 on r2. Skipped: "
        "AS64510 2001:db8:1::253 on r1 192.0.2.3/24 (the connection has no IPv6 address), "
        "AS64510 2001:db8:1::254 on r1 192.0.2.3/24 (the connection has no IPv6 address), "
        "AS64510 2001:db8:1::253 on r2 (the connection has no IPv6 address), "
        "AS64510 2001:db8:1::254 on r2 (the connection has no IPv6 address)."
    )


def test_the_sentence_never_lists_an_item_twice() -> None:
    twice = CreatedSession("Demo IX on r1", "r1", 64510, "Route Servers", "192.0.2.253", True)
    result = SessionsCreated("Demo IX", created=[twice, twice])
    assert result.sentence().endswith(" Created: AS64510 192.0.2.253.")


def test_a_restrictive_or_no_policy_is_said_and_a_network_without_a_name_is_its_asn(
    ixp,
) -> None:
    lan = demo_ixlan()
    netixlan(lan, network(4_200_000_034, "Unnamed"), None, "2001:db8:1::22")
    Network.objects.filter(asn=4_200_000_034).update(name="")
    Network.objects.filter(asn=64506).update(policy_general="Restrictive")
    result = create_sessions(ixp, [64506, 64507, 4_200_000_034])
    assert result.lines() == [
        "new AS AS64506 Peer Six in the inventory",
        "new AS AS64507 Peer Seven in the inventory",
        "new AS AS4200000034 in the inventory",
        "Demo IX on r1: created AS64506 Peer Six 192.0.2.16 (policy Restrictive)",
        "Demo IX on r1: created AS64507 Peer Seven 192.0.2.17 (policy No)",
        "Demo IX on r1: created AS64507 Peer Seven 2001:db8:1::17 (policy No)",
        "Demo IX on r1: created AS4200000034 2001:db8:1::22",
        "Created 4 sessions on Demo IX (3 new ASes).",
    ]
    assert "AS64506 192.0.2.16 (policy Restrictive)" in result.sentence()


def test_creating_costs_the_same_queries_for_one_or_many_sessions(
    ixp, django_assert_num_queries
) -> None:
    # Reading (7 queries), the new ASes' PeeringDB records, writing the ASes, reading their
    # ids back, writing the sessions; two savepoints (the transaction, the writes); the
    # change log: the sessions' ids, the new ASes and sessions read back, the names of
    # their connections and ASes, one INSERT of the entries.
    with django_assert_num_queries(21):
        assert len(create_sessions(ixp, [64505]).created) == 2
    with django_assert_num_queries(21):
        assert len(create_sessions(ixp, [64506, 64507, 64508, 64509, 64510]).created) == 10
