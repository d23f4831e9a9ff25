"""Peering pages: forms validate as the models do, filters, the IXP and session pages."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from core.models import Job
from core.tests.builders import connection, our_as, peer_as, router
from core.tests.html import visible_text
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    BGPSession,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.queries import (
    SESSION_KINDS,
    SessionKind,
    find_ixp,
    router_sessions,
    session_kind,
    session_lines,
)
from peering.staleness import session_staleness


def _client(make_user, *permissions: str) -> Client:
    client = Client()
    client.force_login(make_user(*permissions, username="peering-editor"))
    return client


def _rows(response) -> list:
    return [row.record for row in response.context["table"].paginated_rows]


def test_an_invalid_asn_is_reported_beside_its_field(make_user, db) -> None:
    client = _client(make_user, "peering.add_autonomoussystem")
    response = client.post(
        "/peering/autonomous-systems/add/", {"asn": "4294967296", "name": "Too big"}
    )
    assert list(response.context["form"].errors) == ["asn"]
    assert 'id="id_asn_error"' in response.content.decode()
    response = client.post("/peering/autonomous-systems/add/", {"asn": "64510", "name": "Fine"})
    created = AutonomousSystem.objects.get(asn=64510)
    assert response["Location"] == f"/peering/autonomous-systems/{created.pk}/"


def test_an_ixp_session_outside_the_connections_subnet_is_refused(make_user, ui_inventory) -> None:
    client = _client(make_user, "peering.add_internetexchangepeeringsession")
    connection = Connection.objects.get()
    data = {
        "ixp_connection": connection.pk,
        "autonomous_system": AutonomousSystem.objects.get(asn=64501).pk,
        "ip_address": "198.51.100.7",
        "status": "enabled",
    }
    response = client.post("/peering/ixp-sessions/add/", data)
    errors = response.context["form"].errors
    assert errors["ip_address"] == [
        "198.51.100.7 is not inside the connection's subnet 192.0.2.0/24."
    ]
    assert "is not inside the connection" in visible_text(response)

    response = client.post("/peering/ixp-sessions/add/", {**data, "ip_address": "192.0.2.020"})
    assert "is not an IP address" in response.context["form"].errors["ip_address"][0]

    response = client.post(
        "/peering/ixp-sessions/add/", {**data, "ip_address": "192.0.2.12", "password": "s3cret"}
    )
    session = InternetExchangePeeringSession.objects.get(ip_address="192.0.2.12")
    assert response.status_code == 302
    assert session.password.reveal() == "s3cret"


def test_a_connection_needs_an_address(make_user, ui_inventory) -> None:
    client = _client(make_user, "peering.add_connection")
    ixp = Connection.objects.get().internet_exchange
    response = client.post(
        "/peering/connections/add/",
        {"internet_exchange": ixp.pk, "router": ui_inventory.pk, "status": "enabled"},
    )
    assert response.context["form"].non_field_errors() == [
        "A connection needs an IPv4 address, an IPv6 address or both."
    ]
    assert "A connection needs an IPv4 address" in visible_text(response)


def test_a_duplicate_direct_session_is_refused(make_user, ui_inventory) -> None:
    client = _client(make_user, "peering.add_directpeeringsession")
    existing = DirectPeeringSession.objects.get()
    response = client.post(
        "/peering/direct-sessions/add/",
        {
            "router": ui_inventory.pk,
            "autonomous_system": existing.autonomous_system_id,
            "ip_address": "198.51.100.1",
            "status": "enabled",
        },
    )
    assert response.status_code == 200
    assert "already exists" in visible_text(response)
    assert DirectPeeringSession.objects.count() == 1


def test_the_add_form_takes_initial_values_from_the_link(make_user, ui_inventory) -> None:
    client = _client(make_user, "peering.add_internetexchangepeeringsession")
    connection = Connection.objects.get()
    response = client.get(f"/peering/ixp-sessions/add/?ixp_connection={connection.pk}")
    assert str(response.context["form"]["ixp_connection"].value()) == str(connection.pk)


def test_sessions_are_found_by_asn_state_and_ixp(viewer_client, thousand_sessions) -> None:
    by_asn = _rows(viewer_client.get("/peering/ixp-sessions/", {"q": "AS65007", "per_page": 100}))
    assert {s.autonomous_system.asn for s in by_asn} == {65007}
    assert len(by_asn) == 5
    unknown = _rows(viewer_client.get("/peering/direct-sessions/", {"bgp_state": "unknown"}))
    assert unknown and all(s.bgp_state is None for s in unknown)
    up = viewer_client.get("/peering/ixp-sessions/", {"bgp_state": "established", "per_page": 500})
    assert (
        len(_rows(up))
        == InternetExchangePeeringSession.objects.filter(bgp_state="established").count()
    )


def test_sorting_by_a_related_column(viewer_client, thousand_sessions) -> None:
    rows = _rows(viewer_client.get("/peering/direct-sessions/", {"sort": "-autonomous_system"}))
    assert rows[0].autonomous_system.asn == 65099


def test_the_session_page_shows_its_state_history(viewer_client, ui_inventory) -> None:
    session = InternetExchangePeeringSession.objects.get()
    now = timezone.now()
    BGPSessionStateChange.objects.create(
        ixp_session=session, from_state=None, to_state="active", at=now - timedelta(hours=2)
    )
    BGPSessionStateChange.objects.create(
        ixp_session=session, from_state="active", to_state="established", at=now
    )
    response = viewer_client.get(f"/peering/ixp-sessions/{session.pk}/")
    text = visible_text(response)
    assert "BGP state Established" in text
    assert "Prefixes received 42" in text
    assert "Password stored (write-only)" in text
    assert "session-secret" not in response.content.decode()
    history = text[text.index("State history") :]
    assert history.index("Active → Established") < history.index("unknown → Active")


def test_the_ixp_page_lists_connections_and_sessions_and_discovers(
    viewer_client, make_user, ui_inventory
) -> None:
    ixp = Connection.objects.get().internet_exchange
    response = viewer_client.get(f"/peering/ixps/{ixp.pk}/")
    text = visible_text(response)
    assert "Demo IX on r1" in text
    assert "192.0.2.11 AS64501 Peer One r1" in text
    assert "Discover sessions" in text
    assert "Create discovered sessions" not in text

    viewer_client.post(f"/peering/ixps/{ixp.pk}/discover/")
    job = Job.objects.get()
    assert (job.kind, job.arguments, job.target, job.target_name) == (
        "discover",
        {"dry_run": True},
        ixp,
        "Demo IX",
    )
    assert viewer_client.post(f"/peering/ixps/{ixp.pk}/discover/create/").status_code == 403

    creator = _client(make_user, "peering.add_internetexchangepeeringsession")
    assert "Create discovered sessions" in visible_text(creator.get(f"/peering/ixps/{ixp.pk}/"))
    creator.post(f"/peering/ixps/{ixp.pk}/discover/create/")
    assert Job.objects.filter(target_id=ixp.pk, arguments={"dry_run": False}).count() == 1


def test_autonomous_systems_are_found_by_asn_and_ownership(viewer_client, ui_inventory) -> None:
    def asns(**query: str) -> list[int]:
        response = viewer_client.get("/peering/autonomous-systems/", query)
        return [asys.asn for asys in _rows(response)]

    assert asns() == [64500, 64501]
    assert asns(affiliated="true") == [64500]
    assert asns(affiliated="false") == [64501]
    assert asns(q="as64501") == [64501]
    assert asns(q="peer") == [64501]


def test_every_session_model_is_a_session_kind() -> None:
    sessions = {model for model in apps.get_models() if issubclass(model, BGPSession)}
    assert {kind.model for kind in SESSION_KINDS} == sessions


def _session_in_vrf(kind: SessionKind, vrf: str) -> BGPSession:
    if kind.model is DirectPeeringSession:
        return DirectPeeringSession.objects.create(
            router=router(),
            autonomous_system=peer_as(),
            ip_address="198.51.100.1",
            vrf=vrf,
            bgp_state="established",
        )
    ixp_connection = connection()
    Connection.objects.filter(pk=ixp_connection.pk).update(vrf=vrf)
    return InternetExchangePeeringSession.objects.create(
        ixp_connection=ixp_connection,
        autonomous_system=peer_as(),
        ip_address="192.0.2.11",
        bgp_state="established",
    )


@pytest.mark.parametrize("kind", SESSION_KINDS, ids=lambda kind: kind.name)
def test_a_session_kind_reaches_its_sessions_router_and_vrf(
    kind: SessionKind, db, django_assert_num_queries
) -> None:
    session = _session_in_vrf(kind, "blue")
    other = Router.objects.create(name="r9", hostname="198.18.0.9")
    r1 = router()
    assert session_kind(session) is kind and session_kind(kind.model) is kind
    assert list(kind.of_router(r1)) == list(kind.of_router(r1.pk)) == [session]
    assert not kind.of_router(other).exists()
    rows = kind.of_routers([r1.pk, other.pk]).values_list(
        kind.router_field, "pk", kind.vrf_field, "ip_address"
    )
    assert list(rows) == [(r1.pk, session.pk, "blue", session.ip_address)]
    assert list(Router.objects.filter(**{kind.from_router: session})) == [r1]
    assert kind.router_id_of(session) == r1.pk
    assert kind.router_id_of(kind.model()) is None
    change_field = BGPSessionStateChange._meta.get_field(kind.state_change_field)
    assert change_field.related_model is kind.model
    loaded = kind.for_pages().get(pk=session.pk)
    with django_assert_num_queries(0):  # a page's sessions come with what it shows of them
        assert kind.router_of(loaded) == r1
        assert str(loaded) and session_staleness(loaded) is None


def test_a_routers_sessions_come_by_family_then_address(db, django_assert_num_queries) -> None:
    ixp_connection, peer = connection(), peer_as()
    for address in ["192.0.2.100", "2001:db8::5", "192.0.2.11"]:
        InternetExchangePeeringSession.objects.create(
            ixp_connection=ixp_connection,
            autonomous_system=peer,
            ip_address=address,
            bgp_state="idle",
        )
    for address in ["2001:db8:1::1", "198.51.100.1", "10.0.0.1"]:
        DirectPeeringSession.objects.create(
            router=ixp_connection.router,
            autonomous_system=peer,
            ip_address=address,
            bgp_state="idle",
        )
    r1 = Router.objects.select_related("platform").get(pk=ixp_connection.router_id)
    with django_assert_num_queries(2):
        sessions = router_sessions(r1)
        # What is printed of each, and whether its state is current, is loaded with it.
        assert all(str(session) and session_staleness(session) is None for session in sessions)
    assert [session.ip_address for session in sessions] == [
        "10.0.0.1",
        "192.0.2.11",
        "192.0.2.100",
        "198.51.100.1",
        "2001:db8::5",
        "2001:db8:1::1",
    ]
    with django_assert_num_queries(3):
        lines = session_lines(r1)
    assert lines[:2] == [
        "10.0.0.1 AS64501 Peer 64501: idle",
        "192.0.2.11 AS64501 Peer 64501: idle",
    ]


def test_an_ixp_is_found_by_slug_before_name(db) -> None:
    first = InternetExchange.objects.create(
        name="ix-b", slug="ix-a", local_autonomous_system=our_as()
    )
    second = InternetExchange.objects.create(
        name="IX B", slug="ix-b", local_autonomous_system=our_as()
    )
    assert (find_ixp("ix-a"), find_ixp("ix-b"), find_ixp("IX B")) == (first, second, second)
    assert find_ixp("IX C") is None
