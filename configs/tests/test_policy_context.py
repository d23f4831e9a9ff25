"""Routing policies, communities and tags in the template context: the nearest level wins."""

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from configs.context import build_context
from configs.models import ConfigTemplate
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Community,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
    RoutingPolicy,
)


def _policy(slug: str, **fields) -> RoutingPolicy:
    return RoutingPolicy.objects.create(name=slug.upper(), slug=slug, **fields)


def _community(slug: str, value: str, **fields) -> Community:
    return Community.objects.create(name=slug.title(), slug=slug, value=value, **fields)


def _session(context: dict, address: str) -> dict:
    return next(s for s in context["sessions"] if s["ip_address"] == address)


def _names(policies: list[dict]) -> list[tuple[str, str]]:
    return [(p["slug"], p["source"]) for p in policies]


@pytest.fixture
def inventory(make_inventory):
    """r1 with IXP sessions 198.18.0.3 (v4) and 2001:db8:1::3 (v6), direct 198.51.100.1."""
    router = make_inventory(ixp_sessions=2, direct_sessions=1)
    return {
        "router": router,
        "ixp_v4": InternetExchangePeeringSession.objects.get(ip_address="198.18.0.3"),
        "ixp_v6": InternetExchangePeeringSession.objects.get(ip_address="2001:db8:1::3"),
        "direct": DirectPeeringSession.objects.get(),
        "connection": Connection.objects.get(),
        "ixp": InternetExchange.objects.get(),
        "group": BGPGroup.objects.get(),
    }


IXP_LEVELS = ["ixp_v4", "connection", "ixp", "peer", "router"]
IXP_SOURCES = ["session", "connection", "internet_exchange", "autonomous_system", "router"]
DIRECT_LEVELS = ["direct", "group", "peer", "router"]
DIRECT_SOURCES = ["session", "bgp_group", "autonomous_system", "router"]


def _object(inventory: dict, level: str, session: str):
    if level == "peer":
        return inventory[session].autonomous_system
    return inventory[level]


@pytest.mark.parametrize("direction", ["import", "export"])
@pytest.mark.parametrize(
    "session,levels,sources,address",
    [
        ("ixp_v4", IXP_LEVELS, IXP_SOURCES, "198.18.0.3"),
        ("direct", DIRECT_LEVELS, DIRECT_SOURCES, "198.51.100.1"),
    ],
)
def test_the_nearest_level_with_policies_wins(
    inventory, direction, session, levels, sources, address
) -> None:
    levels = [session, *levels[1:]]
    # Assign one policy per level, from the farthest; each time the new level wins.
    for index in reversed(range(len(levels))):
        policy = _policy(f"{direction}-{sources[index]}")
        target = _object(inventory, levels[index], session)
        getattr(target, f"{direction}_routing_policies").add(policy)
        data = _session(build_context(inventory["router"]), address)
        assert _names(data[f"{direction}_policies"]) == [(policy.slug, sources[index])]
        other = "export" if direction == "import" else "import"
        assert data[f"{other}_policies"] == []


def test_policies_of_a_level_come_by_weight_then_name(inventory) -> None:
    connection = inventory["connection"]
    connection.import_routing_policies.add(
        _policy("zeta", weight=1), _policy("beta", weight=5), _policy("alpha", weight=5)
    )
    inventory["router"].import_routing_policies.add(_policy("router-default"))
    data = _session(build_context(inventory["router"]), "198.18.0.3")
    assert _names(data["import_policies"]) == [
        ("zeta", "connection"),
        ("alpha", "connection"),
        ("beta", "connection"),
    ]


def test_a_policy_of_the_other_family_does_not_make_its_level_win(inventory) -> None:
    inventory["ixp"].import_routing_policies.add(_policy("v6-only", address_family=6))
    inventory["router"].import_routing_policies.add(
        _policy("v4-default", address_family=4), _policy("both", address_family=0)
    )
    context = build_context(inventory["router"])
    v4, v6 = _session(context, "198.18.0.3"), _session(context, "2001:db8:1::3")
    assert _names(v4["import_policies"]) == [("both", "router"), ("v4-default", "router")]
    assert _names(v6["import_policies"]) == [("v6-only", "internet_exchange")]


def test_communities_merge_from_every_level_nearest_first(inventory) -> None:
    blackhole = _community("blackhole", "65535:666")
    from_ixp = _community("from-ixp", "64500:1000", type="ingress")
    large = _community("large-ixp", "64500:1:2", type="ingress")
    rt = _community("route-target", "rt:64500:7", type="egress")
    inventory["ixp_v4"].communities.add(blackhole)
    inventory["connection"].communities.add(large)
    inventory["ixp"].communities.add(from_ixp, large)
    inventory["ixp_v4"].autonomous_system.communities.add(rt)
    inventory["router"].communities.add(blackhole, from_ixp)
    context = build_context(inventory["router"])
    data = _session(context, "198.18.0.3")
    assert [(c["value"], c["source"], c["kind"]) for c in data["communities"]] == [
        ("65535:666", "session", "standard"),
        ("64500:1:2", "connection", "large"),
        ("64500:1000", "internet_exchange", "standard"),
        ("rt:64500:7", "autonomous_system", "extended"),
    ]
    assert data["communities"][1]["type"] == "ingress"
    # Another session of the same IXP has only what its levels give.
    other = _session(context, "2001:db8:1::3")
    assert [(c["value"], c["source"]) for c in other["communities"]] == [
        ("64500:1:2", "connection"),
        ("64500:1000", "internet_exchange"),
        ("65535:666", "router"),
    ]
    # The direct session (to the same peer AS): the AS's, then the router's.
    direct = _session(context, "198.51.100.1")
    assert [(c["value"], c["source"]) for c in direct["communities"]] == [
        ("rt:64500:7", "autonomous_system"),
        ("64500:1000", "router"),
        ("65535:666", "router"),
    ]


def test_policy_dicts_carry_their_fields_and_communities(inventory) -> None:
    customers = _community("customers", "64500:100")
    peers = _community("peers", "64500:200:1")
    tagged = _community("tagged", "64500:300")
    tagged.tags.add("internal")
    policy = _policy(
        "ixp-in",
        type="import",
        address_family=4,
        weight=10,
        description="From the IXP",
        local_preference=200,
        config_context={"med": 5},
    )
    policy.match_communities.add(peers, customers)
    policy.set_communities.add(tagged)
    policy.tags.add("ixp", "filtered")
    inventory["ixp"].import_routing_policies.add(policy)
    context = build_context(inventory["router"])
    (data,) = _session(context, "198.18.0.3")["import_policies"]
    assert data == {
        "name": "IXP-IN",
        "slug": "ixp-in",
        "type": "import",
        "address_family": 4,
        "weight": 10,
        "description": "From the IXP",
        "match_communities": [
            {
                "name": "Customers",
                "slug": "customers",
                "value": "64500:100",
                "kind": "standard",
                "type": "",
                "description": "",
                "tags": [],
            },
            {
                "name": "Peers",
                "slug": "peers",
                "value": "64500:200:1",
                "kind": "large",
                "type": "",
                "description": "",
                "tags": [],
            },
        ],
        "set_communities": [
            {
                "name": "Tagged",
                "slug": "tagged",
                "value": "64500:300",
                "kind": "standard",
                "type": "",
                "description": "",
                "tags": ["internal"],
            }
        ],
        "local_preference": 200,
        "as_path_prepend": 0,
        "config_context": {"med": 5},
        "tags": ["filtered", "ixp"],
        "source": "internet_exchange",
    }


def test_top_level_lists_hold_what_the_sessions_use(inventory) -> None:
    matched = _community("matched", "64500:10")
    added = _community("added", "64500:20:30")
    on_session = _community("on-session", "soo:192.0.2.1:7")
    _community("unused", "64500:99")
    unused_policy = _policy("shadowed", weight=0)
    unused_policy.match_communities.add(_community("shadowed-match", "64500:98"))
    inventory["router"].import_routing_policies.add(unused_policy)
    first = _policy("first", weight=5)
    first.match_communities.add(matched)
    second = _policy("second", weight=1)
    second.set_communities.add(added)
    inventory["ixp"].import_routing_policies.add(first)
    inventory["group"].export_routing_policies.add(second)
    inventory["ixp"].export_routing_policies.add(first)
    inventory["direct"].communities.add(on_session)
    context = build_context(inventory["router"])
    # The direct session still imports "shadowed" (the router's): it is used.
    assert [p["slug"] for p in context["routing_policies"]] == ["shadowed", "second", "first"]
    assert all("source" not in p for p in context["routing_policies"])
    assert [c["value"] for c in context["communities"]] == [
        "64500:10",
        "64500:20:30",
        "64500:98",
        "soo:192.0.2.1:7",
    ]
    assert all("source" not in c for c in context["communities"])
    # Once IXP sessions and the direct one have nearer import policies, "shadowed" goes.
    inventory["group"].import_routing_policies.add(second)
    context = build_context(inventory["router"])
    assert [p["slug"] for p in context["routing_policies"]] == ["second", "first"]
    assert "64500:98" not in [c["value"] for c in context["communities"]]


def test_tags_everywhere(inventory) -> None:
    inventory["router"].tags.add("edge", "amsterdam")
    inventory["ixp"].tags.add("ixp")
    inventory["connection"].tags.add("primary")
    inventory["group"].tags.add("transit")
    inventory["ixp_v4"].tags.add("rs", "critical")
    inventory["direct"].tags.add("paid")
    inventory["ixp_v4"].autonomous_system.tags.add("tier1")
    AutonomousSystem.objects.get(asn=64500).tags.add("ours")
    context = build_context(inventory["router"])
    assert context["router"]["tags"] == ["amsterdam", "edge"]
    assert context["local_as"]["tags"] == ["ours"]
    (ixp,) = context["internet_exchanges"]
    assert ixp["tags"] == ["ixp"]
    assert ixp["local_as"]["tags"] == ["ours"]
    assert ixp["connections"][0]["tags"] == ["primary"]
    assert context["bgp_groups"][0]["tags"] == ["transit"]
    v4 = _session(context, "198.18.0.3")
    assert v4["tags"] == ["critical", "rs"]
    assert v4["autonomous_system"]["tags"] == ["tier1"]
    assert v4["connection"]["tags"] == ["primary"]
    assert v4["internet_exchange"]["tags"] == ["ixp"]
    assert _session(context, "2001:db8:1::3")["tags"] == []
    direct = _session(context, "198.51.100.1")
    assert direct["tags"] == ["paid"]
    assert direct["bgp_group"]["tags"] == ["transit"]
    by_asn = {a["asn"]: a["tags"] for a in context["autonomous_systems"]}
    assert by_asn[inventory["ixp_v4"].autonomous_system.asn] == ["tier1"]


def _assign_everywhere(router: Router) -> None:
    """Policies, communities and tags at every level of every session of `router`."""
    import_policy, export_policy = _policy("in", type="import"), _policy("out", type="export")
    import_policy.match_communities.add(_community("match", "64500:1"))
    export_policy.set_communities.add(_community("set", "64500:2:3"))
    import_policy.tags.add("policy")
    community = _community("level", "rt:64500:9", type="ingress")
    community.tags.add("community")
    levels = [
        router,
        *InternetExchange.objects.all(),
        *Connection.objects.all(),
        *BGPGroup.objects.all(),
        *AutonomousSystem.objects.all(),
        *InternetExchangePeeringSession.objects.all(),
        *DirectPeeringSession.objects.all(),
    ]
    for level in levels:
        level.import_routing_policies.add(import_policy)
        level.export_routing_policies.add(export_policy)
        level.communities.add(community)
        level.tags.add("tagged")


def _context_queries(router: Router) -> tuple[dict, int]:
    with CaptureQueriesContext(db_connection) as queries:
        context = build_context(router)
    return context, len(queries)


def test_the_query_count_does_not_grow_with_sessions_policies_and_levels(
    make_inventory,
) -> None:
    router = make_inventory(ixp_sessions=1, direct_sessions=1)
    _, bare = _context_queries(router)
    _assign_everywhere(router)
    small, small_queries = _context_queries(router)
    for model in (
        InternetExchangePeeringSession,
        DirectPeeringSession,
        Connection,
        Router,
        ConfigTemplate,
        Platform,
        InternetExchange,
        BGPGroup,
        AutonomousSystem,
        RoutingPolicy,
        Community,
    ):
        model.objects.all().delete()
    router = make_inventory(ixp_sessions=100, direct_sessions=100)
    _assign_everywhere(router)
    big, big_queries = _context_queries(router)
    assert len(small["sessions"]) == 2 and len(big["sessions"]) == 200
    assert all(s["import_policies"] and s["communities"] and s["tags"] for s in big["sessions"])
    assert big_queries == small_queries
    # Each relation of each kind of level is one query, whatever the number of objects.
    assert small_queries - bare <= 7 * 3 + 3 + 1
