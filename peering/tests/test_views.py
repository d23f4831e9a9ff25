"""Peering pages: forms validate as the models do, filters, the IXP and session pages."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from core.choices import JobKind
from core.models import Job
from core.tests.html import visible_text
from peering.models import (
    AutonomousSystem,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)


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
    assert (job.kind, job.arguments, job.router) == (
        JobKind.DISCOVER,
        {"ixp": ixp.pk, "dry_run": True},
        None,
    )
    assert viewer_client.post(f"/peering/ixps/{ixp.pk}/discover/create/").status_code == 403

    creator = _client(make_user, "peering.add_internetexchangepeeringsession")
    assert "Create discovered sessions" in visible_text(creator.get(f"/peering/ixps/{ixp.pk}/"))
    creator.post(f"/peering/ixps/{ixp.pk}/discover/create/")
    assert Job.objects.filter(arguments={"ixp": ixp.pk, "dry_run": False}).count() == 1


def test_autonomous_systems_are_found_by_asn_and_ownership(viewer_client, ui_inventory) -> None:
    def asns(**query: str) -> list[int]:
        response = viewer_client.get("/peering/autonomous-systems/", query)
        return [asys.asn for asys in _rows(response)]

    assert asns() == [64500, 64501]
    assert asns(affiliated="true") == [64500]
    assert asns(affiliated="false") == [64501]
    assert asns(q="as64501") == [64501]
    assert asns(q="peer") == [64501]
