"""The REST API of routing policies and communities, and the assignment fields (ids) and
tags (names) of every level."""

from __future__ import annotations

import pytest

from core.tests import builders
from core.tests.api import APIClient, assert_bad, ids
from peering.models import DirectPeeringSession
from peering.policy_models import Community, RoutingPolicy

API = "/api/peering"
POLICIES, COMMUNITIES = f"{API}/routing-policies/", f"{API}/communities/"


def _community(api: APIClient, value: str, name: str) -> dict:
    response = api.post(COMMUNITIES, {"name": name, "slug": name, "value": value})
    assert response.status_code == 201, response.content
    return response.json()


def _policy(api: APIClient, name: str, type: str, **fields) -> dict:
    response = api.post(POLICIES, {"name": name, "slug": name, "type": type, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def test_community_crud_stores_the_canonical_value(api: APIClient, db) -> None:
    created = _community(api, " Target:64500:010 ", "target")
    assert (created["value"], created["kind"]) == ("rt:64500:10", "extended")
    response = api.patch(created["url"], {"tags": ["rt", "core"], "type": "ingress"})
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["core", "rt"]
    assert api.get(COMMUNITIES, {"kind": "extended"}).json()["count"] == 1
    assert api.get(COMMUNITIES, {"kind": "large"}).json()["count"] == 0
    assert api.get(COMMUNITIES, {"tag": "core"}).json()["count"] == 1
    assert api.delete(created["url"]).status_code == 204
    assert not Community.objects.exists()


@pytest.mark.parametrize("value", ["64500:70000", "rt:64500", "64500", "a:b", "4294967296:1:1"])
def test_a_bad_community_value_is_a_400_saying_why(api: APIClient, db, value: str) -> None:
    response = api.post(COMMUNITIES, {"name": "bad", "slug": "bad", "value": value})
    assert_bad(response, "value")
    assert value in response.json()["value"][0]


def test_policy_crud_with_its_communities(api: APIClient, db) -> None:
    matched = _community(api, "64500:100", "from-customers")
    created = _policy(
        api,
        "prefer-customers",
        "import",
        address_family=4,
        local_preference=200,
        match_communities=[matched["id"]],
        config_context={"term": 10},
        tags=["core"],
    )
    assert created["match_communities"] == [matched["id"]]
    assert created["config_context"] == {"term": 10} and created["tags"] == ["core"]
    assert ids(api.get(POLICIES, {"type": "import"})) == [created["id"]]
    assert ids(api.get(POLICIES, {"type": "export"})) == []
    assert ids(api.get(POLICIES, {"address_family": 4})) == [created["id"]]
    assert ids(api.get(POLICIES, {"community": matched["id"]})) == [created["id"]]
    response = api.patch(created["url"], {"match_communities": []})
    assert response.status_code == 200 and response.json()["match_communities"] == []


def test_a_policy_refuses_what_its_direction_cannot_do(api: APIClient, db) -> None:
    assert_bad(
        api.post(POLICIES, {"name": "x", "slug": "x", "type": "export", "local_preference": 5}),
        "local_preference",
    )
    assert_bad(
        api.post(POLICIES, {"name": "y", "slug": "y", "type": "import", "as_path_prepend": 2}),
        "as_path_prepend",
    )
    assert_bad(
        api.post(POLICIES, {"name": "z", "slug": "z", "match_communities": [2**70]}),
        "match_communities",
    )
    assert not RoutingPolicy.objects.exists()


LEVELS = {
    "devices/routers": lambda: builders.router(),
    "peering/autonomous-systems": lambda: builders.peer_as(),
    "peering/ixps": lambda: builders.internet_exchange(),
    "peering/connections": lambda: builders.connection(),
    "peering/bgp-groups": lambda: builders.bgp_group(),
    "peering/direct-sessions": lambda: DirectPeeringSession.objects.create(
        router=builders.router(),
        autonomous_system=builders.peer_as(),
        ip_address="198.51.100.1",
        password="session-secret-41",
    ),
}


@pytest.mark.parametrize("collection", LEVELS)
def test_every_level_writes_its_policies_communities_and_tags(
    api: APIClient, db, collection: str
) -> None:
    obj = LEVELS[collection]()
    url = f"/api/{collection}/{obj.pk}/"
    importing = _policy(api, "in", "import")
    both = _policy(api, "any", "import-export")
    exporting = _policy(api, "out", "export")
    value = _community(api, "64500:1:2", "large")

    response = api.patch(
        url,
        {
            "import_routing_policies": [importing["id"], both["id"]],
            "export_routing_policies": [exporting["id"]],
            "communities": [value["id"]],
            "tags": ["gold", " europe ", "gold"],
        },
    )
    assert response.status_code == 200, response.content
    body = api.get(url).json()
    assert sorted(body["import_routing_policies"]) == sorted([importing["id"], both["id"]])
    assert body["export_routing_policies"] == [exporting["id"]]
    assert body["communities"] == [value["id"]]
    assert body["tags"] == ["europe", "gold"]
    assert "session-secret-41" not in response.content.decode()

    list_url = f"/api/{collection}/"
    assert ids(api.get(list_url, {"tag": "gold"})) == [obj.pk]
    assert ids(api.get(list_url, {"routing_policy": exporting["id"]})) == [obj.pk]
    assert ids(api.get(list_url, {"community": value["id"]})) == [obj.pk]

    # A wrong direction is a 400 naming the policy; nothing changes.
    response = api.patch(url, {"export_routing_policies": [importing["id"]]})
    assert_bad(response, "export_routing_policies")
    assert "“in” (import) is not an export policy" in response.json()["export_routing_policies"][0]
    assert api.get(url).json()["export_routing_policies"] == [exporting["id"]]

    response = api.patch(url, {"tags": []})
    assert response.status_code == 200 and response.json()["tags"] == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"tags": "gold"}, "tags"),
        ({"tags": [""]}, "tags"),
        ({"tags": [5]}, "tags"),
        ({"communities": [999999]}, "communities"),
        ({"communities": ["x"]}, "communities"),
        ({"import_routing_policies": [2**64]}, "import_routing_policies"),
    ],
)
def test_bad_assignments_are_400s_naming_the_field(
    api: APIClient, db, change: dict, field: str
) -> None:
    url = f"/api/devices/routers/{builders.router().pk}/"
    assert_bad(api.patch(url, change), field)


def test_an_address_family_is_0_4_or_6(api: APIClient, db) -> None:
    assert_bad(
        api.post(POLICIES, {"name": "v5", "slug": "v5", "address_family": 5}), "address_family"
    )
    assert _policy(api, "v6", "export", address_family=6)["address_family"] == 6
