"""The API's peering collections: ASes, IXPs, connections, BGP groups, sessions (with
their polled state and write-only passwords) and the read-only histories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import BGPState
from core.tests import builders
from core.tests.api import APIClient, assert_bad, check_model_permissions, ids, permission_user
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    AutonomousSystemChange,
    BGPGroup,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.tests import factories

API = "/api/peering"
ASES, IXPS, CONNECTIONS = f"{API}/autonomous-systems/", f"{API}/ixps/", f"{API}/connections/"
GROUPS, DIRECT, IXP = f"{API}/bgp-groups/", f"{API}/direct-sessions/", f"{API}/ixp-sessions/"
STATE_CHANGES, AS_CHANGES = f"{API}/session-state-changes/", f"{API}/autonomous-system-changes/"
PASSWORD = "Md5-Session-Pw-0815"


def round_trip(api: APIClient, url: str, body: dict, change: dict) -> dict:
    """Create, read, replace (PUT of what was read with `change`), patch, delete; returns
    what the PUT answered."""
    response = api.post(url, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert api.get(created["url"]).json() == created
    assert created in api.get(url, {"limit": 1000}).json()["results"]
    writable = {k: v["id"] if isinstance(v, dict) and "url" in v else v for k, v in created.items()}
    response = api.put(created["url"], {**writable, **change})
    assert response.status_code == 200, response.content
    replaced = response.json()
    for name, value in change.items():
        shown = replaced[name]
        assert (shown["id"] if isinstance(shown, dict) and "url" in shown else shown) == value
    response = api.patch(created["url"], {"description": "patched"})
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "patched"
    assert api.delete(created["url"]).status_code == 204
    assert api.get(created["url"]).status_code == 404
    return replaced


def test_autonomous_system_round_trip(api, db) -> None:
    replaced = round_trip(
        api,
        ASES,
        {"asn": 64496, "name": "Example", "irr_as_set": "AS-EXAMPLE", "ipv4_max_prefixes": 10},
        {"name": "Example Net", "peering_policy": "open", "ipv6_max_prefixes": 5},
    )
    assert replaced["asn"] == 64496 and replaced["irr_as_set"] == "AS-EXAMPLE"
    assert not AutonomousSystem.objects.filter(asn=64496).exists()


def test_ixp_connection_and_group_round_trips(api, db) -> None:
    ours, r1 = builders.our_as(), builders.router("r1")
    round_trip(
        api,
        IXPS,
        {"name": "Some IX", "slug": "some-ix", "local_autonomous_system": ours.pk},
        {"status": "disabled", "name": "Some Exchange"},
    )
    ixp = builders.internet_exchange()
    replaced = round_trip(
        api,
        CONNECTIONS,
        {"internet_exchange": ixp.pk, "router": r1.pk, "ipv4_address": "198.51.100.5/24"},
        {"ipv6_address": "2001:db8:5::5/64", "interface": "eth1"},
    )
    assert replaced["display"] == f"{ixp.name} on r1"
    assert replaced["internet_exchange"]["slug"] == ixp.slug
    round_trip(api, GROUPS, {"name": "Customers", "slug": "customers"}, {"status": "disabled"})


def test_session_round_trips(api, db) -> None:
    r1, peer, group = builders.router("r1"), builders.peer_as(), builders.bgp_group()
    replaced = round_trip(
        api,
        DIRECT,
        {"router": r1.pk, "autonomous_system": peer.pk, "ip_address": "2001:DB8:9::0001"},
        {"bgp_group": group.pk, "local_ip_address": "2001:db8:9::2", "multihop_ttl": 2},
    )
    assert replaced["ip_address"] == "2001:db8:9::1"  # stored as the pages store it
    assert replaced["router"]["name"] == "r1" and replaced["bgp_group"]["slug"] == group.slug
    connection = builders.connection()
    replaced = round_trip(
        api,
        IXP,
        {"ixp_connection": connection.pk, "autonomous_system": peer.pk, "ip_address": "192.0.2.7"},
        {"is_route_server": True, "ip_address": "2001:db8::7"},
    )
    assert replaced["ixp_connection"]["id"] == connection.pk


@pytest.mark.parametrize(
    ("url", "model"), [(DIRECT, DirectPeeringSession), (IXP, InternetExchangePeeringSession)]
)
def test_session_password_is_write_only(api, db, url, model) -> None:
    if model is DirectPeeringSession:
        body = {"router": builders.router("r1").pk, "ip_address": "198.51.100.1"}
    else:
        body = {"ixp_connection": builders.connection().pk, "ip_address": "192.0.2.50"}
    body |= {"autonomous_system": builders.peer_as().pk, "password": PASSWORD}
    response = api.post(url, body)
    assert response.status_code == 201, response.content
    session = model.objects.get()
    token = session.password.token
    assert session.password.reveal() == PASSWORD
    detail = api.get(response.json()["url"])
    assert detail.json()["password_set"] is True
    for answer in (response, detail, api.get(url)):
        assert PASSWORD.encode() not in answer.content
        assert token.encode() not in answer.content
        assert b'"password"' not in answer.content
    api.patch(detail.json()["url"], {"description": "kept"})
    assert model.objects.get().password.reveal() == PASSWORD
    assert api.patch(detail.json()["url"], {"password": None}).json()["password_set"] is False
    assert model.objects.get().password is None


def test_sessions_show_their_polled_state_read_only(api, db) -> None:
    now = timezone.now()
    connection = builders.connection()
    session = InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=builders.peer_as(),
        ip_address="192.0.2.11",
        bgp_state=BGPState.ESTABLISHED,
        received_prefix_count=42,
        accepted_prefix_count=40,
        advertised_prefix_count=7,
        last_established_state=now - timedelta(hours=1),
        last_polled_at=now,
        configured_on_router=True,
    )
    shown = api.get(IXP).json()["results"][0]
    assert shown["bgp_state"] == "established"
    assert (shown["received_prefix_count"], shown["accepted_prefix_count"]) == (42, 40)
    assert shown["advertised_prefix_count"] == 7 and shown["configured_on_router"] is True
    assert shown["last_polled_at"] and shown["last_established_state"]
    assert shown["stale"] is None
    # Written values of the polled state are ignored.
    response = api.patch(shown["url"], {"bgp_state": "idle", "received_prefix_count": 1})
    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.bgp_state, session.received_prefix_count) == ("established", 42)
    # The router's last poll failed: the state is stale, and says why.
    Router.objects.filter(pk=connection.router_id).update(last_poll_error="timed out")
    stale = api.get(IXP).json()["results"][0]["stale"]
    assert stale["why"] == "the last poll failed: timed out"
    assert stale["since"] is not None


def test_session_filters_are_the_pages(api, db) -> None:
    r1, r2 = builders.router("r1"), builders.router("r2")
    peer, other = builders.peer_as(64501), builders.peer_as(64502)
    group = builders.bgp_group()
    a = DirectPeeringSession.objects.create(
        router=r1, autonomous_system=peer, ip_address="198.51.100.1", bgp_state="established"
    )
    b = DirectPeeringSession.objects.create(
        router=r2, autonomous_system=other, ip_address="198.51.100.2", bgp_group=group
    )
    c = DirectPeeringSession.objects.create(
        router=r2, autonomous_system=peer, ip_address="198.51.100.3", status="disabled"
    )
    assert ids(api.get(DIRECT, {"router": r2.pk})) == [b.pk, c.pk]
    assert ids(api.get(DIRECT, {"bgp_group": group.pk})) == [b.pk]
    assert ids(api.get(DIRECT, {"autonomous_system": other.pk})) == [b.pk]
    assert ids(api.get(DIRECT, {"bgp_state": "established"})) == [a.pk]
    assert ids(api.get(DIRECT, {"bgp_state": "unknown"})) == [b.pk, c.pk]
    assert ids(api.get(DIRECT, {"status": "disabled"})) == [c.pk]
    assert ids(api.get(DIRECT, {"q": "AS64502"})) == [b.pk]
    assert ids(api.get(DIRECT, {"q": "198.51.100.3"})) == [c.pk]
    assert_bad(api.get(DIRECT, {"bgp_state": "up"}), "bgp_state")
    connection = builders.connection("r1", "ix")
    other_connection = builders.connection("r2", "ix2")
    x = InternetExchangePeeringSession.objects.create(
        ixp_connection=connection, autonomous_system=peer, ip_address="192.0.2.11"
    )
    y = InternetExchangePeeringSession.objects.create(
        ixp_connection=other_connection,
        autonomous_system=other,
        ip_address="192.0.2.12",
        is_route_server=True,
    )
    ix2 = other_connection.internet_exchange
    assert ids(api.get(IXP, {"internet_exchange": ix2.pk})) == [y.pk]
    assert ids(api.get(IXP, {"router": r1.pk})) == [x.pk]
    assert ids(api.get(IXP, {"is_route_server": "true"})) == [y.pk]
    assert ids(api.get(IXP, {"q": "64501"})) == [x.pk]
    assert ids(api.get(ASES, {"q": "AS64502"})) == [other.pk]
    assert ids(api.get(ASES, {"affiliated": "true"})) == [r1.local_autonomous_system_id]
    assert ids(api.get(CONNECTIONS, {"router": r2.pk})) == [other_connection.pk]
    assert ids(api.get(IXPS, {"q": "ix2"})) == [ix2.pk]
    assert ids(api.get(GROUPS, {"q": group.slug})) == [group.pk]


BAD = [
    # (collection, change, field)
    (ASES, {"asn": 0}, "asn"),
    (ASES, {"asn": 23456}, "asn"),
    (ASES, {"asn": 2**32}, "asn"),
    (ASES, {"asn": 10**40}, "asn"),
    (ASES, {"asn": "AS64496"}, "asn"),
    (ASES, {"irr_as_set": "-R32 AS-FOO"}, "irr_as_set"),
    (ASES, {"ipv4_max_prefixes": -1}, "ipv4_max_prefixes"),
    (ASES, {"ipv4_max_prefixes": 2**31}, "ipv4_max_prefixes"),
    (ASES, {"peering_policy": "sometimes"}, "peering_policy"),
    (ASES, {"local_fields": ["asn"]}, "local_fields"),
    (ASES, {"local_fields": "name"}, "local_fields"),
    (ASES, {"name": "x" * 201}, "name"),
    (ASES, {"name": "\x00"}, "name"),
    (ASES, {"affiliated": "yes"}, "affiliated"),
    (IXPS, {"slug": "not a slug"}, "slug"),
    (IXPS, {"local_autonomous_system": "peer"}, "local_autonomous_system"),
    (IXPS, {"peeringdb_ix": 10**30}, "peeringdb_ix"),
    (CONNECTIONS, {"ipv4_address": "2001:db8::1/64"}, "ipv4_address"),
    (CONNECTIONS, {"ipv4_address": "192.0.2.1"}, "ipv4_address"),
    (CONNECTIONS, {"ipv4_address": "192.0.2.0/24"}, "ipv4_address"),
    (CONNECTIONS, {"ipv6_address": "192.0.2.1/24"}, "ipv6_address"),
    (CONNECTIONS, {"ipv4_address": "300.1.1.1/24"}, "ipv4_address"),
    (CONNECTIONS, {"ipv4_address": None, "ipv6_address": None}, "non_field_errors"),
    (CONNECTIONS, {"router": 999999}, "router"),
    (CONNECTIONS, {"vrf": ["red"]}, "vrf"),
    (GROUPS, {"status": 1}, "status"),
    (DIRECT, {"ip_address": "not an address"}, "ip_address"),
    (DIRECT, {"ip_address": "x" * 1000}, "ip_address"),
    (DIRECT, {"local_ip_address": "2001:db8::2"}, "local_ip_address"),
    (DIRECT, {"local_ip_address": "198.51.100.1"}, "local_ip_address"),
    (DIRECT, {"multihop_ttl": 0}, "multihop_ttl"),
    (DIRECT, {"multihop_ttl": 256}, "multihop_ttl"),
    (DIRECT, {"multihop_ttl": 10**30}, "multihop_ttl"),
    (DIRECT, {"password": "p" * 81}, "password"),
    (DIRECT, {"password": "naïve"}, "password"),
    (DIRECT, {"password": "line\nbreak"}, "password"),
    (DIRECT, {"password": "\x00"}, "password"),
    (DIRECT, {"local_autonomous_system": "peer"}, "local_autonomous_system"),
    (IXP, {"ip_address": "198.51.100.7"}, "ip_address"),
    (IXP, {"ip_address": "192.0.2.1"}, "ip_address"),
    (IXP, {"ixp_connection": 0}, "ixp_connection"),
    (IXP, {"is_route_server": None}, "is_route_server"),
]


def _valid_body(url: str) -> dict:
    ours, peer = builders.our_as(), builders.peer_as()
    return {
        ASES: {"asn": 64496, "name": "Example"},
        IXPS: {"name": "New IX", "slug": "new-ix", "local_autonomous_system": ours.pk},
        CONNECTIONS: {
            "internet_exchange": builders.internet_exchange().pk,
            "router": builders.router("r2").pk,
            "ipv4_address": "192.0.2.2/24",
        },
        GROUPS: {"name": "Transit", "slug": "transit2"},
        DIRECT: {
            "router": builders.router("r1").pk,
            "autonomous_system": peer.pk,
            "ip_address": "198.51.100.1",
        },
        IXP: {
            "ixp_connection": builders.connection().pk,
            "autonomous_system": peer.pk,
            "ip_address": "192.0.2.7",
        },
    }[url]


@pytest.mark.parametrize(("url", "change", "field"), BAD)
def test_bad_input_is_a_400_naming_the_field(api, db, url, change, field) -> None:
    body = _valid_body(url)
    change = {
        name: builders.peer_as().pk if value == "peer" else value for name, value in change.items()
    }
    response = api.post(url, {**body, **change})
    assert_bad(response, field)
    created = api.post(url, body)
    assert created.status_code == 201, created.content
    assert_bad(api.patch(created.json()["url"], change), field)


def test_duplicates_are_400(api, db) -> None:
    body = _valid_body(DIRECT)
    assert api.post(DIRECT, body).status_code == 201
    assert_bad(api.post(DIRECT, body), "non_field_errors")
    assert api.post(DIRECT, {**body, "vrf": "customers"}).status_code == 201
    body = _valid_body(IXP)
    assert api.post(IXP, body).status_code == 201
    assert_bad(api.post(IXP, body), "non_field_errors")
    assert_bad(api.post(ASES, {"asn": 64500, "name": "Again"}), "asn")


def test_deleting_what_is_used_is_a_409(api, db) -> None:
    session = DirectPeeringSession.objects.create(
        router=builders.router("r1"), autonomous_system=builders.peer_as(), ip_address="192.0.2.9"
    )
    for system in (session.autonomous_system, session.router.local_autonomous_system):
        response = api.delete(f"{ASES}{system.pk}/")
        assert response.status_code == 409, response.content
        assert "cannot be deleted" in response.json()["detail"]
    # What cascades or is set null deletes.
    builders.connection()
    group = builders.bgp_group()
    session.bgp_group = group
    session.save()
    assert api.delete(f"{GROUPS}{group.pk}/").status_code == 204
    assert api.delete(f"{IXPS}{builders.internet_exchange().pk}/").status_code == 204
    assert not Connection.objects.exists()
    assert api.delete(f"{DIRECT}{session.pk}/").status_code == 204


def test_an_edited_peeringdb_field_is_kept_local_as_on_the_page(api, db) -> None:
    factories.network(64496, "From PeeringDB", info_prefixes4=100, irr_as_set="AS-PDB")
    response = api.post(ASES, {"asn": 64496, "name": "Ours", "ipv4_max_prefixes": 100})
    assert response.status_code == 201, response.content
    created = response.json()
    # Differs from PeeringDB: kept local. The others follow PeeringDB.
    assert created["local_fields"] == ["name"]
    assert (created["name"], created["irr_as_set"]) == ("Ours", "AS-PDB")
    response = api.patch(created["url"], {"ipv4_max_prefixes": 150})
    assert response.json()["local_fields"] == ["name", "ipv4_max_prefixes"]
    response = api.patch(created["url"], {"local_fields": []})
    assert response.json()["name"] == "From PeeringDB"
    assert response.json()["ipv4_max_prefixes"] == 100
    assert AutonomousSystemChange.objects.filter(autonomous_system_id=created["id"]).exists()


def test_peeringdb_links_are_checked_as_on_the_page(api, db) -> None:
    demo = factories.ix("Demo IX", id=1)
    lan = factories.ixlan(demo, "192.0.2.0/24", id=1)
    elsewhere = factories.ixlan(factories.ix("Other IX", id=2), "198.51.100.0/24", id=2)
    ixp = builders.internet_exchange()
    body = {"internet_exchange": ixp.pk, "router": builders.router("r1").pk}
    response = api.post(
        CONNECTIONS, {**body, "ipv4_address": "192.0.2.1/24", "peeringdb_ixlan": elsewhere.pk}
    )
    assert_bad(response, "peeringdb_ixlan")
    assert "198.51.100.0/24" in response.json()["peeringdb_ixlan"][0]
    response = api.post(
        CONNECTIONS, {**body, "ipv4_address": "192.0.2.1/24", "peeringdb_ixlan": lan.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["peeringdb_ixlan"]["id"] == lan.pk
    # The exchange's IX must be its connections' IX LANs' IX.
    assert_bad(api.patch(f"{IXPS}{ixp.pk}/", {"peeringdb_ix": 2}), "peeringdb_ix")
    response = api.patch(f"{IXPS}{ixp.pk}/", {"peeringdb_ix": 1})
    assert response.status_code == 200, response.content
    assert response.json()["peeringdb_ix"]["name"] == "Demo IX"


def test_histories_are_read_only_lists(api, db) -> None:
    now = timezone.now()
    direct = DirectPeeringSession.objects.create(
        router=builders.router("r1"), autonomous_system=builders.peer_as(), ip_address="192.0.2.9"
    )
    ixp = InternetExchangePeeringSession.objects.create(
        ixp_connection=builders.connection(),
        autonomous_system=builders.peer_as(),
        ip_address="192.0.2.10",
    )
    old = BGPSessionStateChange.objects.create(
        direct_session=direct, from_state=None, to_state="idle", at=now - timedelta(hours=1)
    )
    new = BGPSessionStateChange.objects.create(
        ixp_session=ixp, from_state="idle", to_state="established", at=now
    )
    listed = api.get(STATE_CHANGES).json()["results"]
    assert [item["id"] for item in listed] == [new.pk, old.pk]
    assert listed[0]["ixp_session"]["id"] == ixp.pk and listed[0]["direct_session"] is None
    assert listed[1]["direct_session"]["ip_address"] == "192.0.2.9"
    assert ids(api.get(STATE_CHANGES, {"direct_session": direct.pk})) == [old.pk]
    assert ids(api.get(STATE_CHANGES, {"to_state": "established"})) == [new.pk]
    since = (now - timedelta(minutes=5)).isoformat()
    assert ids(api.get(STATE_CHANGES, {"since": since})) == [new.pk]
    assert ids(api.get(STATE_CHANGES, {"router": direct.router_id})) == [new.pk, old.pk]
    change = AutonomousSystemChange.objects.create(
        autonomous_system=direct.autonomous_system,
        field="name",
        old_value="A",
        new_value="B",
        at=now,
    )
    listed = api.get(AS_CHANGES, {"asn": direct.autonomous_system.asn}).json()["results"]
    assert [item["id"] for item in listed] == [change.pk]
    assert listed[0]["autonomous_system"]["asn"] == direct.autonomous_system.asn
    assert ids(api.get(AS_CHANGES, {"field": "irr_as_set"})) == []
    for url in (STATE_CHANGES, AS_CHANGES):
        assert api.post(url, {}).status_code == 405
        assert api.delete(f"{url}{change.pk}/").status_code == 405


def test_permissions(db) -> None:
    ours, peer = builders.our_as(), builders.peer_as()
    check_model_permissions(ASES, AutonomousSystem, {"asn": 64496, "name": "Example"})
    check_model_permissions(
        IXPS, InternetExchange, {"name": "X", "slug": "x", "local_autonomous_system": ours.pk}
    )
    check_model_permissions(GROUPS, BGPGroup, {"name": "G", "slug": "g"})
    check_model_permissions(
        CONNECTIONS,
        Connection,
        {
            "internet_exchange": builders.internet_exchange().pk,
            "router": builders.router("r1").pk,
            "ipv4_address": "192.0.2.1/24",
        },
    )
    check_model_permissions(
        DIRECT,
        DirectPeeringSession,
        {
            "router": builders.router("r1").pk,
            "autonomous_system": peer.pk,
            "ip_address": "10.0.0.1",
        },
    )
    check_model_permissions(
        IXP,
        InternetExchangePeeringSession,
        {
            "ixp_connection": Connection.objects.get().pk,
            "autonomous_system": peer.pk,
            "ip_address": "192.0.2.99",
        },
    )
    nobody = APIClient(permission_user("reader"))
    assert nobody.get(STATE_CHANGES).status_code == 403
    reader = APIClient(permission_user("reader2", "peering.view_bgpsessionstatechange"))
    assert reader.get(STATE_CHANGES).status_code == 200
