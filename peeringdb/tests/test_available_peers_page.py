"""The exchange's page: its PeeringDB link, the available peers, creating their sessions
(for those allowed to), and the links on the forms and the connection's page."""

from __future__ import annotations

import re

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.tests.builders import router
from core.tests.html import visible_text
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.tests.factories import demo_exchange, demo_ixlan, ix, ixlan, netixlan, network

CREATE = "peering.add_internetexchangepeeringsession"
ADD_AS = "peering.add_autonomoussystem"


@pytest.fixture
def ixp(db) -> InternetExchange:
    demo_ixlan()
    return demo_exchange()


def _client(make_user, *permissions: str, **options) -> Client:
    client = Client(**options)
    client.force_login(make_user(*permissions, username="peering-user"))
    return client


def _page(ixp: InternetExchange) -> str:
    return f"/peering/ixps/{ixp.pk}/"


def _create_url(ixp: InternetExchange) -> str:
    return f"/peeringdb/ixps/{ixp.pk}/create-sessions/"


def _checkboxes(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="peer" value="([^"]+)"', html)


def test_the_page_lists_the_available_peers_and_marks_route_servers(ixp, admin_client) -> None:
    response = admin_client.get(_page(ixp))
    text = visible_text(response)
    assert "PeeringDB IX Demo IX (from its connections' IX LANs)" in text
    assert "r1 · PeeringDB: Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24)" in text
    assert (
        "AS64502 Peer Two (in the inventory) Selective 192.0.2.12 (has a session) "
        "2001:db8:1::12 No —" in text
    )
    assert (
        "AS64510 Demo IX Route Servers Open 192.0.2.253 192.0.2.254 2001:db8:1::253 "
        "2001:db8:1::254 No Route server" in text
    )
    assert "AS64501" not in text.split("Available peers")[1].split("Connections")[0]
    assert "3 left out: 1 ours, 2 already a session on every address." in text
    pk = ixp.connections.get().pk
    assert _checkboxes(response.content.decode()) == [
        f"{pk}:{asn}" for asn in (64502, 64505, 64506, 64507, 64508, 64509, 64510)
    ]
    assert "Create sessions" in text


def test_who_may_not_create_sessions_sees_the_list_without_checkboxes(ixp, make_user) -> None:
    viewer = _client(make_user)
    response = viewer.get(_page(ixp))
    assert "AS64505 Peer Five" in visible_text(response)
    assert _checkboxes(response.content.decode()) == []
    assert "Create sessions" not in visible_text(response)
    peer = f"{ixp.connections.get().pk}:64505"
    assert viewer.post(_create_url(ixp), {"peer": [peer]}).status_code == 403
    assert not AutonomousSystem.objects.filter(asn=64505).exists()


def test_selected_peers_get_their_sessions_and_the_page_says_what_was_done(ixp, make_user) -> None:
    client = _client(make_user, CREATE, ADD_AS, enforce_csrf_checks=True)
    page = client.get(_page(ixp)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    pk = ixp.connections.get().pk
    response = client.post(
        _create_url(ixp),
        {"csrfmiddlewaretoken": token, "peer": [f"{pk}:64502", f"{pk}:64510"]},
        follow=True,
    )
    assert response.redirect_chain == [(f"{_page(ixp)}#available-peers", 302)]
    text = visible_text(response)
    assert (
        "Created 5 sessions on Demo IX (1 new AS); skipped 1 address. Created: AS64502 "
        "2001:db8:1::12, AS64510 192.0.2.253, AS64510 192.0.2.254, AS64510 2001:db8:1::253, "
        "AS64510 2001:db8:1::254. Skipped: AS64502 192.0.2.12 (already has a session)." in text
    )
    servers = InternetExchangePeeringSession.objects.filter(autonomous_system__asn=64510)
    assert servers.count() == 4 and all(s.is_route_server for s in servers)
    assert [value.split(":")[1] for value in _checkboxes(response.content.decode())] == [
        "64505",
        "64506",
        "64507",
        "64508",
        "64509",
    ]


def test_peers_new_to_the_inventory_need_the_permission_to_add_ases(ixp, make_user) -> None:
    client = _client(make_user, CREATE)
    pk = ixp.connections.get().pk
    sessions = InternetExchangePeeringSession.objects.count()
    selected = {"peer": [f"{pk}:64502", f"{pk}:64505", f"{pk}:64510"]}
    response = client.post(_create_url(ixp), selected, follow=True)
    assert (
        "AS64505 and AS64510 are not in the inventory, and adding them needs the permission "
        "to add autonomous systems (peering.add_autonomoussystem): nothing was created."
        in visible_text(response)
    )
    assert 'class="message message-error"' in response.content.decode()
    assert not AutonomousSystem.objects.filter(asn__in=[64505, 64510]).exists()
    assert InternetExchangePeeringSession.objects.count() == sessions
    # A peer the inventory has needs no more than the permission to add sessions.
    response = client.post(_create_url(ixp), {"peer": [f"{pk}:64502"]}, follow=True)
    assert "Created 1 session on Demo IX; skipped 1 address." in visible_text(response)


def test_the_message_names_the_router_when_there_are_several_connections(ixp, admin_client) -> None:
    r1 = ixp.connections.get().pk
    r2 = Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="192.0.2.2/24"
    ).pk
    response = admin_client.post(
        _create_url(ixp), {"peer": [f"{r1}:64510", f"{r2}:64510"]}, follow=True
    )
    text = visible_text(response)
    assert (
        "Created 6 sessions on Demo IX (1 new AS); skipped 2 addresses. Created: "
        "AS64510 192.0.2.253 on r1, AS64510 192.0.2.254 on r1, AS64510 2001:db8:1::253 on r1, "
        "AS64510 2001:db8:1::254 on r1, AS64510 192.0.2.253 on r2, AS64510 192.0.2.254 on r2. "
        "Skipped: AS64510 2001:db8:1::253 on r2 (the connection has no IPv6 address), "
        "AS64510 2001:db8:1::254 on r2 (the connection has no IPv6 address)." in text
    )


def test_a_post_without_its_csrf_token_is_refused(ixp, make_user) -> None:
    client = _client(make_user, CREATE, enforce_csrf_checks=True)
    peer = f"{ixp.connections.get().pk}:64505"
    assert client.post(_create_url(ixp), {"peer": [peer]}).status_code == 403
    assert not AutonomousSystem.objects.filter(asn=64505).exists()


@pytest.mark.parametrize(
    ("peers", "error"),
    [
        ([], "No peer selected: nothing was created."),
        (["{pk}:64599"], "AS64599 is not on the IX LAN of Demo IX on r1 in PeeringDB"),
        (["nonsense"], "'nonsense' is not a peer of this page: nothing was created."),
        # Digits that are not ASCII digits: str.isdigit() takes them, int() does not.
        (["{pk}:²"], "'{pk}:²' is not a peer of this page: nothing was created."),
        (["²:64505"], "'²:64505' is not a peer of this page: nothing was created."),
        (["{pk}:٦٤٥٠٥"], "is not a peer of this page: nothing was created."),
        (["{pk}:64505:1"], "'{pk}:64505:1' is not a peer of this page"),
        (["{pk}: 64505"], "'{pk}: 64505' is not a peer of this page"),
        # Longer than any key or AS number (and than int() reads).
        (["9" * 5000 + ":64505"], "'" + "9" * 39 + "…' is not a peer of this page"),
        (["{pk}:" + "9" * 11], "is not a peer of this page: nothing was created."),
        # Numbers that are no AS number.
        (["{pk}:64505", "{pk}:0"], "0 is not an AS number: use 1 to 4294967295; nothing"),
        (["{pk}:4294967296"], "4294967296 is not an AS number: use 1 to 4294967295;"),
        (["{pk}:23456"], "23456 is AS_TRANS, a placeholder for 4-byte AS numbers"),
    ],
)
def test_a_bad_selection_is_an_error_message_and_creates_nothing(
    ixp, admin_client, peers, error
) -> None:
    pk = ixp.connections.get().pk
    sessions = InternetExchangePeeringSession.objects.count()
    response = admin_client.post(
        _create_url(ixp), {"peer": [p.format(pk=pk) for p in peers]}, follow=True
    )
    assert response.status_code == 200
    assert error.format(pk=pk) in visible_text(response)
    assert 'class="message message-error"' in response.content.decode()
    assert InternetExchangePeeringSession.objects.count() == sessions


def test_an_exchange_not_linked_says_how_to_link_it(db, admin_client) -> None:
    exchange = demo_exchange()
    text = visible_text(admin_client.get(_page(exchange)))
    assert "Demo IX is not linked to PeeringDB" in text
    assert "choose each connection's IX LAN on the connection" in text
    assert "PeeringDB IX not linked: choose its IX, or an IX LAN on a connection" in text


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(db_connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_few_or_many_peers(ixp, admin_client) -> None:
    few = _queries(admin_client, _page(ixp))
    lan = demo_ixlan()
    Connection.objects.create(
        internet_exchange=ixp, router=router("r2"), ipv4_address="192.0.2.2/24"
    )
    for n in range(150):
        netixlan(lan, network(4_200_000_000 + n, f"Many {n}"), f"192.0.2.{n + 30}")
    response = admin_client.get(_page(ixp))
    assert len(_checkboxes(response.content.decode())) == 7 + 150 + 8 + 150
    assert _queries(admin_client, _page(ixp)) == few


def _connection_data(connection: Connection, **fields) -> dict:
    return {
        "internet_exchange": connection.internet_exchange_id,
        "router": connection.router_id,
        "ipv4_address": "192.0.2.1/24",
        "ipv6_address": "2001:db8:1::1/64",
        "status": "enabled",
        **fields,
    }


def _exchange_data(ixp: InternetExchange, **fields) -> dict:
    return {
        "name": ixp.name,
        "slug": ixp.slug,
        "local_autonomous_system": ixp.local_autonomous_system_id,
        "status": "enabled",
        **fields,
    }


def test_the_forms_choose_the_ix_and_the_ix_lan(ixp, admin_client) -> None:
    other = ixlan(ix("Other IX", city="Elsewhere", country="NL"), "198.51.100.0/24")
    connection = ixp.connections.get()
    form = admin_client.get(f"/peering/connections/{connection.pk}/edit/").content.decode()
    assert "— matched by the connection&#x27;s subnet —" in form
    assert ">Demo IX: IX LAN 1 (192.0.2.0/24, 2001:db8:1::/64)</option>" in form
    data = _connection_data(
        connection, ipv4_address="198.51.100.1/24", ipv6_address="", peeringdb_ixlan=other.pk
    )
    response = admin_client.post(f"/peering/connections/{connection.pk}/edit/", data)
    assert response.status_code == 302
    text = visible_text(admin_client.get(f"/peering/connections/{connection.pk}/"))
    assert f"PeeringDB IX LAN Other IX: {other} (chosen)" in text

    form = admin_client.get(f"/peering/ixps/{ixp.pk}/edit/").content.decode()
    assert ">Other IX (Elsewhere, NL)</option>" in form
    data = _exchange_data(ixp, peeringdb_ix=other.ix_id)
    assert admin_client.post(f"/peering/ixps/{ixp.pk}/edit/", data).status_code == 302
    assert "PeeringDB IX Other IX (chosen)" in visible_text(admin_client.get(_page(ixp)))


@pytest.mark.parametrize(
    ("addresses", "error"),
    [
        (
            {"ipv4_address": "198.51.100.70/27", "ipv6_address": ""},
            "Demo IX: IX LAN 1 has the prefixes 192.0.2.0/24 and 2001:db8:1::/64, none of "
            "which contains the connection's subnet 198.51.100.64/27: choose the IX LAN of "
            "its peering LAN, or leave it blank to match it by subnet.",
        ),
        (
            {"ipv6_address": "2001:db8:9::1/64"},
            "none of which contains the connection's subnet 2001:db8:9::/64",
        ),
        (
            {"ipv4_address": "192.0.2.1/23"},
            "none of which contains the connection's subnet 192.0.2.0/23",
        ),
    ],
)
def test_a_connection_s_ix_lan_must_hold_its_subnets(ixp, admin_client, addresses, error) -> None:
    connection = ixp.connections.get()
    data = _connection_data(connection, peeringdb_ixlan=1, **addresses)
    for url in (f"/peering/connections/{connection.pk}/edit/", "/peering/connections/add/"):
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert error in visible_text(response)
    connection.refresh_from_db()
    assert (connection.ipv4_address, connection.peeringdb_ixlan_id) == ("192.0.2.1/24", None)
    assert Connection.objects.count() == 1


def test_a_connection_s_ix_lan_is_checked_in_the_families_the_mirror_has(ixp, admin_client) -> None:
    # PeeringDB lists only an IPv4 prefix for this IX LAN: the IPv6 subnet is not checked.
    only_v4 = ixlan(ix("Other IX"), "198.51.100.0/24")
    connection = ixp.connections.get()
    data = _connection_data(
        connection,
        ipv4_address="198.51.100.1/24",
        ipv6_address="2001:db8:9::1/64",
        peeringdb_ixlan=only_v4.pk,
    )
    response = admin_client.post(f"/peering/connections/{connection.pk}/edit/", data)
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.peeringdb_ixlan_id == only_v4.pk


def test_an_exchange_s_ix_must_be_that_of_its_connections_ix_lans(ixp, admin_client) -> None:
    other = ix("Other IX")
    url = f"/peering/ixps/{ixp.pk}/edit/"
    response = admin_client.post(url, _exchange_data(ixp, peeringdb_ix=other.pk))
    assert response.status_code == 200
    assert (
        "Its connections are on IX LANs of Demo IX in PeeringDB, not of Other IX: choose it, "
        "or leave it blank to take it from the connections." in visible_text(response)
    )
    ixp.refresh_from_db()
    assert ixp.peeringdb_ix_id is None
    assert admin_client.post(url, _exchange_data(ixp, peeringdb_ix=1)).status_code == 302
    # A new exchange has no connections: any IX.
    data = _exchange_data(ixp, name="New IX", slug="new-ix", peeringdb_ix=other.pk)
    assert admin_client.post("/peering/ixps/add/", data).status_code == 302


def test_an_exchange_none_of_whose_connections_is_linked_may_choose_any_ix(
    db, admin_client
) -> None:
    exchange = demo_exchange()  # the mirror has no IX LAN of its subnets
    other = ix("Other IX")
    data = _exchange_data(exchange, peeringdb_ix=other.pk)
    assert admin_client.post(f"/peering/ixps/{exchange.pk}/edit/", data).status_code == 302
    exchange.refresh_from_db()
    assert exchange.peeringdb_ix_id == other.pk


def test_the_connection_page_shows_its_ix_lan_matched_by_subnet(ixp, admin_client) -> None:
    connection = ixp.connections.get()
    text = visible_text(admin_client.get(f"/peering/connections/{connection.pk}/"))
    assert "PeeringDB IX LAN Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24)" in text


def test_a_connection_must_be_on_a_lan_of_its_exchanges_chosen_ix(ixp) -> None:
    """An exchange linked to one IX: a connection whose subnet is another IX's LAN is
    refused, one on its own IX's LAN accepted."""
    from peering.forms import ConnectionForm

    ixp.peeringdb_ix = ix("Demo IX")
    ixp.save()
    ixlan(ix("Documentation IX Two"), "198.51.100.64/27")
    data = {"internet_exchange": ixp.pk, "router": router("r2").pk, "status": "enabled"}

    form = ConnectionForm({**data, "ipv4_address": "198.51.100.66/27"})
    assert not form.is_valid()
    error = str(form.errors["peeringdb_ixlan"])
    assert "is an IX LAN of Documentation IX Two in PeeringDB, but Demo IX is linked" in error

    assert ConnectionForm({**data, "ipv4_address": "192.0.2.2/24"}).is_valid()
