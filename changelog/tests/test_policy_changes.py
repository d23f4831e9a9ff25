"""Routing policies, communities and tags in the change log: the new objects are recorded,
and assigning or removing a policy, a community or a tag shows in the change log of the
object it was assigned to, whatever the door."""

from __future__ import annotations

from auditlog.models import LogEntry

from changelog import display
from changelog.context import recording
from changelog.tests.recorded import entries, logged_in, who
from core.tests.api import APIClient
from core.tests.builders import peer_as, router
from devices.models import Router
from peering.models import DirectPeeringSession
from peering.policy_models import Community, RoutingPolicy

CREATED, CHANGED = LogEntry.Action.CREATE, LogEntry.Action.UPDATE


def _shown(entry: LogEntry) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in display.shown_changes(entry)}


def test_policies_and_communities_are_recorded(db, make_user) -> None:
    client = logged_in(
        make_user,
        "peering.add_community",
        "peering.add_routingpolicy",
        username="alice",
    )
    response = client.post(
        "/peering/communities/add/",
        {"name": "from-peers", "slug": "from-peers", "value": "64500:100", "tags": "core"},
    )
    assert response.status_code == 302
    community = Community.objects.get()
    response = client.post(
        "/peering/routing-policies/add/",
        {
            "name": "tag-peers",
            "slug": "tag-peers",
            "type": "import",
            "address_family": "0",
            "weight": "0",
            "set_communities": [community.pk],
            "as_path_prepend": "0",
            "config_context": "{}",
        },
    )
    assert response.status_code == 302

    [created] = entries(Community, action=CREATED)
    assert who(created)[:2] == ("alice", "page")
    assert _shown(created)["Value"] == ("", "64500:100")
    assert _shown(entries(Community, action=CHANGED)[0])["Tags"] == ("", "+ core")
    [created] = entries(RoutingPolicy, action=CREATED)
    assert _shown(created)["Name"] == ("", "tag-peers")
    [added] = entries(RoutingPolicy, action=CHANGED)
    assert _shown(added)["Set communities"] == ("", "+ from-peers (64500:100)")


def test_assigning_and_removing_on_a_page_shows_on_the_objects_change_log(db, admin_client) -> None:
    kept = RoutingPolicy.objects.create(name="kept", slug="kept", type="import")
    dropped = RoutingPolicy.objects.create(name="dropped", slug="dropped", type="import")
    r1 = router()
    r1.import_routing_policies.add(kept, dropped)
    r1.tags.add("old")
    before = LogEntry.objects.count()

    form = admin_client.get(f"/devices/routers/{r1.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        import_routing_policies=[kept.pk],
        napalm_args="{}",
        tags="new",
        poll_bgp_sessions_state="on",
    )
    data.pop("napalm_password", None)
    assert admin_client.post(f"/devices/routers/{r1.pk}/edit/", data).status_code == 302

    changes = {}
    for entry in LogEntry.objects.order_by("pk")[before:]:
        assert entry.object_id == r1.pk and entry.action == CHANGED
        assert who(entry)[1] == "page"
        changes.update(_shown(entry))
    assert changes["Import policies"] == ("- dropped", "")
    # Tags: one entry for what was added, one for what was removed.
    tag_entries = [
        _shown(entry)["Tags"]
        for entry in LogEntry.objects.order_by("pk")[before:]
        if "Tags" in _shown(entry)
    ]
    assert sorted(tag_entries) == [("", "+ new"), ("- old", "")]

    # The router's page shows it in its changes card.
    page = admin_client.get(f"/devices/routers/{r1.pk}/").content.decode()
    assert "- dropped" in page and "+ new" in page


def test_assignments_through_the_api_are_recorded_without_secrets(db, admin_user) -> None:
    session = DirectPeeringSession.objects.create(
        router=router(),
        autonomous_system=peer_as(),
        ip_address="198.51.100.1",
        password="session-secret-77",
    )
    community = Community.objects.create(name="c", slug="c", value="64500:1:2")
    api = APIClient(admin_user)
    before = LogEntry.objects.count()
    response = api.patch(
        f"/api/peering/direct-sessions/{session.pk}/",
        {"communities": [community.pk], "tags": ["gold"], "password": "session-secret-78"},
    )
    assert response.status_code == 200, response.content
    recorded = list(LogEntry.objects.order_by("pk")[before:])
    shown = {}
    for entry in recorded:
        assert who(entry)[1] == "api"
        shown.update(_shown(entry))
    assert shown["Communities"] == ("", "+ c (64500:1:2)")
    assert shown["Tags"] == ("", "+ gold")
    for entry in recorded:
        text = str(entry.changes) + str(display.as_dict(entry))
        assert "session-secret" not in text


def test_a_change_outside_any_door_is_recorded_too(db) -> None:
    policy = RoutingPolicy.objects.create(name="p", slug="p", type="export")
    with recording(origin="command", actor_name="cron"):
        router().export_routing_policies.add(policy)
    [entry] = entries(Router, action=CHANGED)
    assert _shown(entry)["Export policies"] == ("", "+ p")
    assert who(entry) == (None, "command", "cron")
