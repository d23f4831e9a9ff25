"""What keeps a policy doing what its users assigned it for: its type cannot drop a direction
it is used in, a community it matches on cannot vanish (the policy would accept every
route), and a tag is one tag whatever case or punctuation its name is typed with."""

from __future__ import annotations

import pytest
from django.test import Client

from configs.context import build_context
from core.tests.api import APIClient
from core.tests.html import visible_text
from peering.assignments import tags_from_string
from peering.models import AutonomousSystem, DirectPeeringSession
from peering.policy_models import Community, RoutingPolicy
from peering.tests.test_policy_pages import _form_of, direct_session

API = "/api/peering"


@pytest.fixture
def both_ways(db) -> tuple[RoutingPolicy, DirectPeeringSession]:
    """An import-export policy that a session and its AS import with."""
    policy = RoutingPolicy.objects.create(name="Both ways", slug="both-ways", local_preference=90)
    session = direct_session()
    session.import_routing_policies.add(policy)
    session.autonomous_system.import_routing_policies.add(policy)
    return policy, session


def test_a_policy_in_use_on_import_cannot_become_export_only(
    api: APIClient, admin_client: Client, both_ways
) -> None:
    policy, session = both_ways
    response = api.patch(
        f"{API}/routing-policies/{policy.pk}/", {"type": "export", "local_preference": None}
    )
    assert response.status_code == 400, response.content
    said = response.json()["type"][0]
    assert "“Both ways” cannot be export only" in said
    assert "import policy of 1 autonomous system, 1 direct peering session" in said
    policy.refresh_from_db()
    assert policy.type == "import-export"

    data = _form_of(admin_client, f"/peering/routing-policies/{policy.pk}/edit/")
    data.update(type="export", local_preference="")
    page = admin_client.post(f"/peering/routing-policies/{policy.pk}/edit/", data)
    assert page.status_code == 200
    assert "cannot be export only" in visible_text(page)
    assert RoutingPolicy.objects.get(pk=policy.pk).type == "import-export"

    # Off those lists, the change goes through; as it does for the direction still allowed.
    session.import_routing_policies.clear()
    session.autonomous_system.import_routing_policies.clear()
    response = api.patch(
        f"{API}/routing-policies/{policy.pk}/", {"type": "export", "local_preference": None}
    )
    assert response.status_code == 200, response.content


def test_a_policy_whose_type_changed_behind_the_forms_is_not_applied_the_wrong_way(
    both_ways,
) -> None:
    policy, session = both_ways
    RoutingPolicy.objects.filter(pk=policy.pk).update(type="export")
    router = session.router
    [found] = [s for s in build_context(router)["sessions"] if s["id"] == session.pk]
    assert found["import_policies"] == []


def test_a_community_a_policy_matches_on_is_kept(api: APIClient, admin_client: Client, db) -> None:
    matched = Community.objects.create(name="Customers", slug="customers", value="64500:100")
    added = Community.objects.create(name="Learned", slug="learned", value="64500:1000")
    strict = RoutingPolicy.objects.create(name="Strict in", slug="strict-in", type="import")
    strict.match_communities.add(matched)
    strict.set_communities.add(added)

    response = api.delete(f"{API}/communities/{matched.pk}/")
    assert response.status_code == 409, response.content
    assert "Strict in" in response.json()["detail"]
    page = admin_client.post(f"/peering/communities/{matched.pk}/delete/", follow=True)
    assert "cannot be deleted while it is used by: Strict in" in visible_text(page)
    admin_page = admin_client.get(f"/admin/peering/community/{matched.pk}/delete/")
    assert "Strict in (matches on" in visible_text(admin_page)
    assert list(strict.match_communities.all()) == [matched]

    # One the policy only sets narrows nothing when it goes.
    assert api.delete(f"{API}/communities/{added.pk}/").status_code == 204
    assert not strict.set_communities.exists()


@pytest.mark.parametrize("second", ["tier 1", "Tier-1", "TIER 1", "tier-1"])
def test_a_tag_is_one_whatever_case_or_punctuation_it_is_typed_with(
    api: APIClient, admin_client: Client, db, second: str
) -> None:
    first, other = (
        AutonomousSystem.objects.create(asn=64501, name="One"),
        AutonomousSystem.objects.create(asn=64502, name="Two"),
    )
    response = api.patch(f"{API}/autonomous-systems/{first.pk}/", {"tags": ["Tier 1"]})
    assert response.status_code == 200, response.content
    url = f"/peering/autonomous-systems/{other.pk}/edit/"
    data = _form_of(admin_client, url)
    data["tags"] = second
    assert admin_client.post(url, data).status_code == 302

    assert list(other.tags.values_list("slug", flat=True)) == ["tier-1"]
    tagged = api.get(f"{API}/autonomous-systems/", {"tag": "tier-1"}).json()
    assert sorted(row["asn"] for row in tagged["results"]) == [64501, 64502]


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("Tier 1, gold", ["Tier 1", "gold"]),
        ('"Paris, FR", core', ["Paris, FR", "core"]),
        ("  ,  , ", []),
        ("gold,gold", ["gold"]),
    ],
)
def test_a_tags_box_is_comma_separated(typed: str, names: list[str]) -> None:
    assert tags_from_string(typed) == names


def test_a_huge_tags_box_is_an_error_beside_the_field(admin_client: Client, db) -> None:
    asys = AutonomousSystem.objects.create(asn=64501, name="One")
    url = f"/peering/autonomous-systems/{asys.pk}/edit/"
    data = _form_of(admin_client, url)
    data["tags"] = "x" * 200_000
    page = admin_client.post(url, data)
    assert page.status_code == 200
    assert "A tag is at most 100 characters" in visible_text(page)
    assert not asys.tags.exists()
