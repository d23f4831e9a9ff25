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
    client = _client(make_user, CREATE, enforce_csrf_checks=True)
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
    assert error in visible_text(response)
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


def test_the_forms_choose_the_ix_and_the_ix_lan(ixp, admin_client) -> None:
    other = ixlan(ix("Other IX", city="Elsewhere", country="NL"), "198.51.100.0/24")
    connection = ixp.connections.get()
    form = admin_client.get(f"/peering/connections/{connection.pk}/edit/").content.decode()
    assert "— matched by the connection&#x27;s subnet —" in form
    assert ">Demo IX: IX LAN 1 (192.0.2.0/24, 2001:db8:1::/64)</option>" in form
    data = {
        "internet_exchange": ixp.pk,
        "router": connection.router_id,
        "ipv4_address": "192.0.2.1/24",
        "ipv6_address": "2001:db8:1::1/64",
        "status": "enabled",
        "peeringdb_ixlan": other.pk,
    }
    response = admin_client.post(f"/peering/connections/{connection.pk}/edit/", data)
    assert response.status_code == 302
    text = visible_text(admin_client.get(f"/peering/connections/{connection.pk}/"))
    assert f"PeeringDB IX LAN Other IX: {other} (chosen)" in text

    form = admin_client.get(f"/peering/ixps/{ixp.pk}/edit/").content.decode()
    assert ">Other IX (Elsewhere, NL)</option>" in form
    data = {
        "name": "Demo IX",
        "slug": "demo-ix",
        "local_autonomous_system": ixp.local_autonomous_system_id,
        "status": "enabled",
        "peeringdb_ix": other.ix_id,
    }
    assert admin_client.post(f"/peering/ixps/{ixp.pk}/edit/", data).status_code == 302
    assert "PeeringDB IX Other IX (chosen)" in visible_text(admin_client.get(_page(ixp)))


def test_the_connection_page_shows_its_ix_lan_matched_by_subnet(ixp, admin_client) -> None:
    connection = ixp.connections.get()
    text = visible_text(admin_client.get(f"/peering/connections/{connection.pk}/"))
    assert "PeeringDB IX LAN Demo IX: IX LAN 1 (matched by subnet 192.0.2.0/24)" in text
