"""Where the change log is read: the list at /changelog/ with its filters (for users with
auditlog.view_logentry, in the menu), one entry's page, and the "Changes" card of every
inventory object's page."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.test import Client

from changelog.context import recording
from changelog.display import ACTION_VERBS
from changelog.tests.recorded import logged_in
from configs.models import ConfigTemplate
from core.models import Job
from core.tests.builders import bgp_group, platform, router
from core.tests.html import visible_text
from devices.models import Router
from peering.models import BGPGroup
from peerkeeper.testing import run_command

VIEW = "auditlog.view_logentry"


@pytest.fixture
def history(db, make_user) -> dict[str, object]:
    """Changes by three doors: alice on the pages, bob through the API, cron's command."""
    alice, bob = make_user(username="alice"), make_user(username="bob")
    with recording(user=alice, origin="page"):
        r1 = router("r1")
        r1.description = "edge"
        r1.save()
    with recording(user=bob, origin="api"):
        transit = bgp_group("transit")
        transit.delete()
    with recording(origin="command", actor_name="cron"):
        platform("eos")
    return {"r1": r1, "alice": alice, "bob": bob}


def _objects(response) -> list[str]:
    return [
        f"{row.record.object_repr} {ACTION_VERBS[row.record.action]}"
        for row in response.context["table"].paginated_rows
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "devices.router"}, ["r1 changed", "r1 created"]),
        ({"action": "2"}, ["Transit deleted"]),
        ({"actor": "BOB"}, ["Transit deleted", "Transit created"]),
        ({"actor": "cron"}, ["Platform eos created"]),
        ({"origin": "api"}, ["Transit deleted", "Transit created"]),
        ({"q": "r1"}, ["r1 changed", "r1 created"]),
        ({"type": "peering.bgpgroup", "origin": "page"}, []),
    ],
)
def test_the_list_filters(history, make_user, query, expected) -> None:
    client = logged_in(make_user, VIEW, username="reader")
    response = client.get("/changelog/", query)
    assert response.status_code == 200
    assert _objects(response) == expected


def test_the_list_says_who_how_and_what(history, make_user) -> None:
    client = logged_in(make_user, VIEW, username="reader")
    r1 = history["r1"]
    text = visible_text(client.get("/changelog/", {"type": "devices.router"}))
    assert "alice Web page changed Router r1 Description: edge" in text
    page = client.get("/changelog/").content.decode()
    # The router still exists: linked; the deleted group: its name only.
    assert f'<a href="/devices/routers/{r1.pk}/">r1</a>' in page
    assert re.search(r"<td >Transit</td>", page)
    assert "REST API" in page and "Command" in page


def test_the_list_and_the_menu_need_the_view_permission(history, make_user) -> None:
    viewer = logged_in(make_user, username="viewer")  # may view every inventory page
    assert viewer.get("/changelog/").status_code == 403
    assert "Change log" not in visible_text(viewer.get("/"))
    reader = logged_in(make_user, VIEW, username="reader")
    assert "Change log" in visible_text(reader.get("/"))
    entry = LogEntry.objects.latest("pk")
    assert viewer.get(f"/changelog/{entry.pk}/").status_code == 403
    assert reader.get(f"/changelog/{entry.pk}/").status_code == 200


def test_an_object_s_page_shows_its_changes_to_whoever_may_view_it(history, make_user) -> None:
    r1 = history["r1"]
    viewer = logged_in(make_user, username="viewer")
    text = visible_text(viewer.get(f"/devices/routers/{r1.pk}/"))
    assert "Changes Time Who Origin Action Changes" in text
    assert "alice Web page changed Description: edge" in text
    assert "alice Web page created Name: r1" in text
    page = viewer.get(f"/devices/routers/{r1.pk}/").content.decode()
    assert "/changelog/" not in page  # no link where the user may not go
    reader = logged_in(make_user, VIEW, username="reader")
    page = reader.get(f"/devices/routers/{r1.pk}/").content.decode()
    assert f'href="/changelog/?type=devices.router&amp;object_id={r1.pk}"' in page


def test_the_card_shows_the_latest_ten_and_links_to_all(history, make_user) -> None:
    r1 = history["r1"]
    with recording(user=history["alice"], origin="page"):
        for n in range(12):
            r1.description = f"take {n}"
            r1.save()
    reader = logged_in(make_user, VIEW, username="reader")
    text = visible_text(reader.get(f"/devices/routers/{r1.pk}/"))
    assert "Description: take 10 → take 11" in text
    assert "take 0 → take 1 " not in text and "Name: r1" not in text
    assert "All the changes of this router" in text
    response = reader.get("/changelog/", {"type": "devices.router", "object_id": r1.pk})
    assert response.context["table"].paginator.count == 14
    other = router("r2")
    response = reader.get("/changelog/", {"type": "devices.router", "object_id": other.pk})
    assert response.context["table"].paginator.count == 1


def test_a_page_of_something_not_followed_has_no_card(db, admin_client: Client) -> None:
    job = Job.objects.create(kind="ping", target_name="r1")
    response = admin_client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    assert 'id="changes"' not in response.content.decode()


def test_an_entry_s_page_shows_a_template_s_change_as_a_diff(db, admin_client: Client) -> None:
    template = ConfigTemplate.objects.create(name="main", template="router bgp 1\n neighbor a\n")
    template.template = "router bgp 1\n neighbor b\n"
    template.save()
    entry = LogEntry.objects.latest("pk")
    response = admin_client.get(f"/changelog/{entry.pk}/")
    page = response.content.decode()
    assert "Config template main changed" in visible_text(response)
    assert '<span class="diff-del">- neighbor a</span>' in page
    assert '<span class="diff-add">+ neighbor b</span>' in page
    assert f'<a href="/configs/templates/{template.pk}/">main</a>' in page


def test_an_entry_of_a_deleted_object_says_so(db, admin_client: Client) -> None:
    group = BGPGroup.objects.create(name="Customers", slug="customers")
    group.delete()
    entry = LogEntry.objects.latest("pk")
    text = visible_text(admin_client.get(f"/changelog/{entry.pk}/"))
    assert "BGP group Customers deleted" in text
    assert "Customers (no longer exists)" in text
    assert "Name Customers —" in text


def test_the_command_lists_what_the_page_lists(history) -> None:
    status, out, _ = run_command("changelog", "--who", "alice", "--type", "devices.router")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("alice         page     Router r1 changed: Description: — → edge")
    assert Router.objects.filter(name="r1").exists()
