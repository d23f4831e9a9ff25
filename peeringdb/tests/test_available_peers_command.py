"""`manage.py available_peers`: the list, per connection, aligned; `--json`; creating
sessions with `--create` and `--all`; bad input as one line."""

from __future__ import annotations

import json

import pytest

from peering.models import InternetExchange, InternetExchangePeeringSession
from peeringdb.models import Network, NetworkIXLan
from peeringdb.peer_sessions import create_sessions
from peeringdb.tests.factories import demo_exchange, demo_ixlan, netixlan, network
from peerkeeper.testing import run_command

LISTING = """\
Demo IX: PeeringDB IX Demo IX (from its connections' IX LANs)

Demo IX on r1: PeeringDB Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24); 7 available peers
  ASN      NAME                   POLICY     IPV4         IPV6             RS PEER  ROUTE SERVER  IN INVENTORY
  AS64502  Peer Two               Selective  192.0.2.12*  2001:db8:1::12   no                     yes
  AS64505  Peer Five              Open       192.0.2.15   2001:db8:1::15   yes
  AS64506  Peer Six               Selective  192.0.2.16   -                no
  AS64507  Peer Seven             No         192.0.2.17   2001:db8:1::17   no
  AS64508  Peer Eight             Open       -            2001:db8:1::18   yes
  AS64509  Peer Nine              Open       192.0.2.19   2001:db8:1::19   yes
  AS64510  Demo IX Route Servers  Open       192.0.2.253  2001:db8:1::253  no       yes
                                             192.0.2.254  2001:db8:1::254
  3 left out: 1 ours, 2 already a session on every address
  * the connection already has a session with it
"""  # noqa: E501


@pytest.fixture
def ixp(db) -> InternetExchange:
    demo_ixlan()
    return demo_exchange()


def _addresses(asn: int) -> list[tuple[str, bool]]:
    sessions = InternetExchangePeeringSession.objects.filter(autonomous_system__asn=asn)
    return sorted(sessions.values_list("ip_address", "is_route_server"))


def test_the_list_is_aligned_per_connection(ixp) -> None:
    assert run_command("available_peers", "demo-ix") == (0, LISTING, "")
    assert run_command("available_peers", "Demo IX")[1] == LISTING


def test_json_gives_the_same_in_machine_form(ixp) -> None:
    code, out, _ = run_command("available_peers", "demo-ix", "--json")
    data = json.loads(out)
    [connection] = data["connections"]
    assert (code, data["ixp"], data["linked"]) == (0, "Demo IX", True)
    assert connection["peeringdb"] == {
        "ixlan": 1,
        "ix": "Demo IX",
        "how": "matched by subnet 192.0.2.0/24",
    }
    assert connection["left_out"] == {"ours": 1, "already a session on every address": 2}
    two = connection["peers"][0]
    assert two == {
        "asn": 64502,
        "name": "Peer Two",
        "policy": "Selective",
        "ipv4": [{"address": "192.0.2.12", "has_session": True}],
        "ipv6": [{"address": "2001:db8:1::12", "has_session": False}],
        "is_rs_peer": False,
        "is_route_server": False,
        "in_inventory": True,
    }


def test_create_makes_the_sessions_of_the_named_peers(ixp) -> None:
    code, out, err = run_command("available_peers", "demo-ix", "--create", "64505,AS64510")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "new AS AS64505 Peer Five in the inventory",
        "new AS AS64510 Demo IX Route Servers in the inventory",
        "Demo IX on r1: created AS64505 Peer Five 192.0.2.15",
        "Demo IX on r1: created AS64505 Peer Five 2001:db8:1::15",
        "Demo IX on r1: created AS64510 Demo IX Route Servers 192.0.2.253 (route server)",
        "Demo IX on r1: created AS64510 Demo IX Route Servers 192.0.2.254 (route server)",
        "Demo IX on r1: created AS64510 Demo IX Route Servers 2001:db8:1::253 (route server)",
        "Demo IX on r1: created AS64510 Demo IX Route Servers 2001:db8:1::254 (route server)",
        "Created 6 sessions on Demo IX (2 new ASes).",
    ]
    assert _addresses(64505) == [("192.0.2.15", False), ("2001:db8:1::15", False)]


NO_POLICY_NOTE = (
    "Demo IX on r1: left out AS64507 Peer Seven: PeeringDB policy No, the network does not "
    "peer (name it in --create)"
)


def test_all_includes_route_servers_when_our_peeringdb_entry_says_we_use_them(ixp) -> None:
    code, out, _ = run_command("available_peers", "demo-ix", "--all", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["summary"] == "Created 11 sessions on Demo IX (5 new ASes); skipped 1 address."
    assert data["notes"] == [NO_POLICY_NOTE]
    assert len(_addresses(64510)) == 4
    assert run_command("available_peers", "demo-ix")[1].splitlines()[2] == (
        "Demo IX on r1: PeeringDB Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24); "
        "1 available peer"
    )


def test_all_leaves_out_who_does_not_peer_and_says_who_is_restrictive(ixp) -> None:
    Network.objects.filter(asn=64506).update(policy_general="Restrictive")
    code, out, err = run_command("available_peers", "demo-ix", "--all")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == NO_POLICY_NOTE
    assert "Demo IX on r1: created AS64506 Peer Six 192.0.2.16 (policy Restrictive)" in lines
    assert "Demo IX on r1: created AS64505 Peer Five 192.0.2.15" in lines
    assert _addresses(64507) == []
    # Named, it gets its sessions, and the output says its policy.
    code, out, _ = run_command("available_peers", "demo-ix", "--create", "64507")
    assert out.splitlines()[1:3] == [
        "Demo IX on r1: created AS64507 Peer Seven 192.0.2.17 (policy No)",
        "Demo IX on r1: created AS64507 Peer Seven 2001:db8:1::17 (policy No)",
    ]
    code, _, err = run_command("available_peers", "demo-ix", "--all")
    assert (code, err) == (1, "Demo IX has no available peers: nothing to create.")


def test_all_says_so_when_it_leaves_out_every_available_peer(ixp) -> None:
    create_sessions(ixp, [64502, 64505, 64506, 64508, 64509, 64510])
    code, out, err = run_command("available_peers", "demo-ix", "--all")
    assert (code, out) == (1, "")
    assert err == (
        f"--all leaves out every available peer of Demo IX ({NO_POLICY_NOTE}): nothing to create."
    )


def test_a_network_without_a_name_is_its_asn_alone(ixp) -> None:
    netixlan(demo_ixlan(), network(4_200_000_034, "Unnamed"), None, "2001:db8:1::22")
    Network.objects.filter(asn=4_200_000_034).update(name="")
    code, out, _ = run_command("available_peers", "demo-ix", "--create", "4200000034")
    assert (code, out.splitlines()) == (
        0,
        [
            "new AS AS4200000034 in the inventory",
            "Demo IX on r1: created AS4200000034 2001:db8:1::22",
            "Created 1 session on Demo IX (1 new AS).",
        ],
    )


def test_all_leaves_route_servers_out_when_we_do_not_peer_with_them(ixp) -> None:
    NetworkIXLan.objects.filter(asn=64500).update(is_rs_peer=False)
    code, out, _ = run_command("available_peers", "demo-ix", "--all")
    assert code == 0
    assert out.splitlines()[:2] == [
        "Demo IX on r1: left out route server AS64510: our PeeringDB entry on the IX LAN "
        "does not say we peer with the route servers (name it in --create)",
        NO_POLICY_NOTE,
    ]
    assert out.splitlines()[-1] == (
        "Created 7 sessions on Demo IX (4 new ASes); skipped 1 address."
    )
    assert _addresses(64510) == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("nowhere",), "Unknown Internet exchange: nowhere."),
        (
            ("demo-ix", "--create", "64505,AS6450x"),
            "--create: 'AS6450x' is not an AS number.",
        ),
        (
            ("demo-ix", "--create", "64599"),
            "AS64599 is on none of Demo IX's IX LANs in PeeringDB: nothing was created.",
        ),
        (
            ("demo-ix", "--create", ","),
            "--create needs at least one ASN (e.g. --create 64501,64502).",
        ),
        # Numbers that are no AS number are said to be so, before anything else.
        (
            ("demo-ix", "--create", "0"),
            "--create: 0 is not an AS number: use 1 to 4294967295.",
        ),
        (
            ("demo-ix", "--create", "64505,4294967296"),
            "--create: 4294967296 is not an AS number: use 1 to 4294967295.",
        ),
        (
            ("demo-ix", "--create", "0.0"),
            "--create: 0 is not an AS number: use 1 to 4294967295.",
        ),
        (
            ("nowhere", "--create", "23456"),
            "--create: 23456 is AS_TRANS, a placeholder for 4-byte AS numbers, not a real AS.",
        ),
    ],
)
def test_bad_input_is_one_line(ixp, args, error) -> None:
    sessions = InternetExchangePeeringSession.objects.count()
    code, out, err = run_command("available_peers", *args)
    assert (code, out, err) == (1, "", error)
    assert InternetExchangePeeringSession.objects.count() == sessions


def test_an_exchange_not_linked_says_so_and_how_to_fix_it(db) -> None:
    demo_exchange()
    code, out, err = run_command("available_peers", "demo-ix")
    assert (code, out) == (1, "")
    assert err == (
        "Demo IX is not linked to PeeringDB: no connection's subnet is a prefix of an IX LAN "
        "in the PeeringDB mirror; choose each connection's IX LAN on the connection (or "
        "synchronise the mirror: manage.py peeringdb_sync)."
    )
