"""Routing policies, communities and tags on the pages: their own pages, the assignment
fields of every level's form, the lists' filters, the Tags page and the menu."""

from typing import Any

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.tests.builders import bgp_group, connection, internet_exchange, peer_as, router
from core.tests.html import visible_text
from core.tests.model_views import ModelPageCases
from peering.models import DirectPeeringSession, InternetExchangePeeringSession
from peering.policy_models import Community, RoutingPolicy


def policy(name: str = "accept-all", type: str = "import-export", **kwargs: Any) -> RoutingPolicy:
    return RoutingPolicy.objects.get_or_create(
        name=name, defaults={"slug": name, "type": type, **kwargs}
    )[0]


def community(value: str = "64500:100", name: str = "from-peers") -> Community:
    return Community.objects.get_or_create(value=value, defaults={"name": name, "slug": name})[0]


def direct_session(address: str = "198.51.100.1") -> DirectPeeringSession:
    return DirectPeeringSession.objects.create(
        router=router(), autonomous_system=peer_as(), ip_address=address
    )


class TestRoutingPolicyPages(ModelPageCases):
    model = RoutingPolicy
    # Local preference is set on routes received: an export policy cannot set it.
    invalid_changes = {"type": "export", "local_preference": "200"}
    invalid_field = "local_preference"

    def make(self) -> RoutingPolicy:
        return policy("prefer-customers", "import", local_preference=200)

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "to-transit",
            "slug": "to-transit",
            "type": "export",
            "address_family": "6",
            "weight": "10",
            "match_communities": [community().pk],
            "set_communities": [community("64500:1:2", "large-one").pk],
            "local_preference": "",
            "as_path_prepend": "2",
            "config_context": '{"term": 10}',
            "description": "Announce customers",
            "tags": "transit, ipv6",
        }

    def error_field(self) -> str:
        return "local_preference"


class TestCommunityPages(ModelPageCases):
    model = Community
    invalid_changes = {"value": "64500:70000"}

    def make(self) -> Community:
        return community("rt:64500:7", "target-seven")

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "blackhole",
            "slug": "blackhole",
            "value": "65535:666",
            "type": "egress",
            "description": "RFC 7999",
            "tags": "rfc",
        }


def test_a_community_value_is_stored_in_its_canonical_text(admin_client: Client, db) -> None:
    response = admin_client.post(
        "/peering/communities/add/",
        {"name": "target", "slug": "target", "value": " Target:64500:010 ", "type": ""},
    )
    assert response.status_code == 302
    stored = Community.objects.get(slug="target")
    assert (stored.value, stored.kind) == ("rt:64500:10", "extended")
    page = visible_text(admin_client.get(response["Location"]))
    assert "rt:64500:10" in page and "Extended" in page


def test_a_bad_community_value_says_what_is_wrong(admin_client: Client, db) -> None:
    response = admin_client.post(
        "/peering/communities/add/", {"name": "bad", "slug": "bad", "value": "64500:70000"}
    )
    assert response.status_code == 200
    assert "each half must be a number from 0 to 65535" in visible_text(response)
    assert not Community.objects.exists()


# --- assignments on every level's form --------------------------------------------------


def _form_of(client: Client, url: str) -> dict[str, Any]:
    """What a browser posts back for the edit page at `url`, unchanged."""
    form = client.get(url).context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item.pk if hasattr(item, "pk") else item) for item in value]
        else:
            data[name] = field.prepare_value(value) if name == "tags" else value
    data.pop("password", None)
    data.pop("napalm_password", None)
    return data


LEVELS = {
    "router": lambda: router(),
    "autonomous system": lambda: peer_as(),
    "internet exchange": lambda: internet_exchange(),
    "connection": lambda: connection(),
    "BGP group": lambda: bgp_group(),
    "direct session": lambda: direct_session(),
    "IXP session": lambda: InternetExchangePeeringSession.objects.create(
        ixp_connection=connection(), autonomous_system=peer_as(), ip_address="192.0.2.11"
    ),
}


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_assigns_policies_communities_and_tags(
    admin_client: Client, db, level: str
) -> None:
    from core.links import object_url

    obj = LEVELS[level]()
    importing, exporting, both = policy("in", "import"), policy("out", "export"), policy("any")
    data = _form_of(admin_client, object_url(obj, "edit"))
    data.update(
        import_routing_policies=[importing.pk, both.pk],
        export_routing_policies=[exporting.pk],
        communities=[community().pk],
        tags="gold, europe",
    )
    response = admin_client.post(object_url(obj, "edit"), data)
    assert response.status_code == 302, response.context["form"].errors
    obj.refresh_from_db()
    assert set(obj.import_routing_policies.all()) == {importing, both}
    assert list(obj.export_routing_policies.all()) == [exporting]
    assert list(obj.communities.all()) == [community()]
    assert sorted(obj.tags.names()) == ["europe", "gold"]
    page = admin_client.get(object_url(obj))
    text = visible_text(page).replace(" , ", ", ")  # links end where the comma starts
    assert "Import policies any, in" in text
    assert "Export policies out" in text
    assert "from-peers (64500:100)" in text
    html = page.content.decode()
    assert f'href="{object_url(importing)}"' in html
    assert '?tag=gold"' in html


def test_an_import_list_offers_only_import_policies(admin_client: Client, db) -> None:
    policy("in", "import"), policy("out", "export"), policy("any")
    form = admin_client.get(f"/devices/routers/{router().pk}/edit/").context["form"]
    offered = {str(label) for _, label in form.fields["import_routing_policies"].choices}
    assert offered == {"in", "any"}
    offered = {str(label) for _, label in form.fields["export_routing_policies"].choices}
    assert offered == {"out", "any"}


def test_a_policy_of_the_wrong_direction_is_refused_by_name(admin_client: Client, db) -> None:
    session = direct_session()
    url = f"/peering/direct-sessions/{session.pk}/edit/"
    data = _form_of(admin_client, url)
    data["import_routing_policies"] = [policy("out", "export").pk]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "“out” (export) is not an import policy" in visible_text(response)
    assert 'id="id_import_routing_policies_error"' in response.content.decode()
    assert not session.import_routing_policies.exists()


# --- the policy's and the community's pages: where they are used ------------------------


def test_a_policy_page_shows_its_communities_and_where_it_is_used(admin_client: Client, db) -> None:
    used = policy("tag-customers", "import-export")
    used.match_communities.add(community())
    router().import_routing_policies.add(used)
    direct_session().export_routing_policies.add(used)
    direct_session("198.51.100.2").import_routing_policies.add(used)
    policy("unused")

    response = admin_client.get(f"/peering/routing-policies/{used.pk}/")
    text = visible_text(response)
    assert "from-peers (64500:100)" in text
    usage = {use.label: use for use in response.context["usage"]}
    assert usage["Routers"].count == 1
    assert usage["Direct peering sessions"].count == 2
    assert usage["Direct peering sessions"].detail == "1 import, 1 export"
    assert usage["Autonomous systems"].count == 0

    listed = admin_client.get(usage["Direct peering sessions"].url)
    assert len(listed.context["table"].rows) == 2
    listed = admin_client.get(f"/devices/routers/?routing_policy={policy('unused').pk}")
    assert len(listed.context["table"].rows) == 0


def test_a_community_page_shows_where_it_is_used(admin_client: Client, db) -> None:
    value = community()
    peer_as().communities.add(value)
    policy("sets-it").set_communities.add(value)
    response = admin_client.get(f"/peering/communities/{value.pk}/")
    usage = {use.label: use for use in response.context["usage"]}
    assert usage["Autonomous systems"].count == 1
    assert usage["Routing policies"].count == 1
    assert usage["Routing policies"].detail == "0 matching, 1 setting"
    listed = admin_client.get(usage["Routing policies"].url)
    assert [row.record.name for row in listed.context["table"].rows] == ["sets-it"]


# --- list filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, make",
    [
        ("/peering/direct-sessions/", lambda n: direct_session(f"198.51.100.{n}")),
        ("/peering/autonomous-systems/", lambda n: peer_as(64510 + n)),
        ("/peering/ixps/", lambda n: internet_exchange(f"ix-{n}")),
        ("/devices/routers/", lambda n: router(f"r{n}")),
    ],
)
def test_lists_filter_by_policy_community_and_tag(admin_client: Client, db, url, make) -> None:
    first, second, third = make(1), make(2), make(3)
    exporting = policy("out", "export")
    first.export_routing_policies.add(exporting)
    second.communities.add(community())
    second.tags.add("gold")
    third.tags.add("gold", "europe")

    def listed(**query: Any) -> set:
        response = admin_client.get(url, query)
        assert response.status_code == 200
        return {row.record.pk for row in response.context["table"].rows}

    assert listed(routing_policy=exporting.pk) == {first.pk}
    assert listed(community=community().pk) == {second.pk}
    assert listed(tag="gold") == {second.pk, third.pk}
    assert listed(tag=["gold", "europe"]) == {third.pk}
    # A tag shows as a badge linked to the list filtered by it.
    assert f'href="{url}?tag=europe"' in admin_client.get(url).content.decode()


def test_policy_and_community_lists_filter(admin_client: Client, db) -> None:
    policy("in4", "import", address_family=4).tags.add("core")
    policy("out6", "export", address_family=6)
    community("64500:1:2", "large")
    community("rt:64500:1", "ext").tags.add("core")

    def names(url: str, **query: Any) -> set[str]:
        response = admin_client.get(url, query)
        return {row.record.name for row in response.context["table"].rows}

    assert names("/peering/routing-policies/", type="export") == {"out6"}
    assert names("/peering/routing-policies/", address_family=4) == {"in4"}
    assert names("/peering/routing-policies/", tag="core") == {"in4"}
    assert names("/peering/routing-policies/", q="out") == {"out6"}
    assert names("/peering/communities/", kind="large") == {"large"}
    assert names("/peering/communities/", tag="core") == {"ext"}
    assert names("/peering/communities/", q="64500:1:2") == {"large"}


def test_a_list_of_tagged_sessions_costs_the_same_whatever_its_length(
    admin_client: Client, db
) -> None:
    assigned = policy("in", "import")
    for n in range(1, 31):
        session = direct_session(f"198.51.100.{n}")
        session.tags.add("gold", f"t{n}")
        session.import_routing_policies.add(assigned)

    def queries(per_page: int) -> int:
        with CaptureQueriesContext(db_connection) as captured:
            response = admin_client.get("/peering/direct-sessions/", {"per_page": per_page})
        assert len(response.context["table"].page.object_list) == per_page
        assert "t1<" in response.content.decode() or per_page < 30
        return len(captured)

    assert queries(30) == queries(3)


# --- the Tags page and the menu ---------------------------------------------------------


def test_the_tags_page_counts_each_kind_and_links_to_the_lists(admin_client: Client, db) -> None:
    router().tags.add("gold")
    router("r2").tags.add("gold")
    peer_as().tags.add("gold", "europe")
    policy("any").tags.add("europe")

    response = admin_client.get("/peering/tags/")
    assert response.status_code == 200
    summaries = {summary.tag.name: summary for summary in response.context["tags"]}
    assert set(summaries) == {"gold", "europe"}
    gold = {use.label: use.count for use in summaries["gold"].usage}
    assert gold["Routers"] == 2 and gold["Autonomous systems"] == 1 and gold["Communities"] == 0
    assert summaries["gold"].total == 3
    assert summaries["europe"].total == 2
    html = response.content.decode()
    assert 'href="/devices/routers/?tag=gold">2<' in html
    assert 'href="/peering/routing-policies/?tag=europe">1<' in html


def test_the_tags_page_needs_the_permission_to_view_tags(client: Client, db) -> None:
    from core.tests.model_views import user_with

    client.force_login(user_with("devices.view_router"))
    assert client.get("/peering/tags/").status_code == 403
    client.force_login(user_with("taggit.view_tag", username="tagger"))
    assert client.get("/peering/tags/").status_code == 200


def test_the_menu_lists_policies_communities_and_tags(admin_client: Client, db) -> None:
    text = visible_text(admin_client.get("/peering/routing-policies/"))
    assert "Routing policies" in text and "Communities" in text and "Tags" in text
    html = admin_client.get("/").content.decode()
    for url in ("/peering/routing-policies/", "/peering/communities/", "/peering/tags/"):
        assert f'href="{url}"' in html


# --- a session's effective policies -----------------------------------------------------


def test_a_session_page_shows_its_effective_policies_and_where_each_comes_from(
    admin_client: Client, db
) -> None:
    from core.links import object_url

    session = DirectPeeringSession.objects.create(
        router=router(),
        bgp_group=bgp_group(),
        autonomous_system=peer_as(),
        ip_address="2001:db8::2",
        password="never-shown-here",
    )
    router().import_routing_policies.add(policy("router-default-in", "import"))
    router().export_routing_policies.add(policy("router-default-out", "export"))
    # The group's IPv4-only import policy does not apply to an IPv6 session: the
    # nearest level with an IPv6 import policy is the peer's AS.
    bgp_group().import_routing_policies.add(policy("group-v4", "import", address_family=4))
    peer_as().import_routing_policies.add(policy("peer-in", "import"))
    session.communities.add(community())
    router().communities.add(community("64500:1:2", "large-one"))

    response = admin_client.get(object_url(session))
    effective = response.context["effective"]
    assert [(p.name, p.source) for p in effective.import_policies] == [("peer-in", "peer AS")]
    assert [(p.name, p.source) for p in effective.export_policies] == [
        ("router-default-out", "router")
    ]
    assert [(c.name, c.source) for c in effective.communities] == [
        ("from-peers", "this session"),
        ("large-one", "router"),
    ]
    html = response.content.decode()
    assert f'href="{object_url(policy("peer-in"))}"' in html
    assert f'href="{object_url(peer_as())}"' in html
    assert "group-v4" not in visible_text(response).split("Effective policies")[1]
    assert "never-shown-here" not in html
