"""`manage.py available_peers`: the list, per connection, aligned; `--json`; creating
sessions with `--create` and `--all`; bad input as one line."""

from __future__ import annotations

import json

import pytest

from peering.models import InternetExchange, InternetExchangePeeringSession
from peeringdb.models import NetworkIXLan
from peeringdb.tests.factories import demo_exchange, demo_ixlan
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


def test_all_includes_route_servers_when_our_peeringdb_entry_says_we_use_them(ixp) -> None:
    code, out, _ = run_command("available_peers", "demo-ix", "--all", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["summary"] == "Created 13 sessions on Demo IX (6 new ASes); skipped 1 address."
    assert data["notes"] == []
    assert len(_addresses(64510)) == 4
    assert run_command("available_peers", "demo-ix")[1].splitlines()[2] == (
        "Demo IX on r1: PeeringDB Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24); "
        "0 available peers"
    )


def test_all_leaves_route_servers_out_when_we_do_not_peer_with_them(ixp) -> None:
    NetworkIXLan.objects.filter(asn=64500).update(is_rs_peer=False)
    code, out, _ = run_command("available_peers", "demo-ix", "--all")
    assert code == 0
    assert out.splitlines()[0] == (
        "Demo IX on r1: left out route server AS64510: our PeeringDB entry on the IX LAN "
        "does not say we peer with the route servers (name it in --create)"
    )
    assert out.splitlines()[-1] == (
        "Created 9 sessions on Demo IX (5 new ASes); skipped 1 address."
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
