"""The demo's communities, routing policies and tags, and how its FRR template renders
them."""

import io
import re

from django.core.management import call_command

from configs.context import build_context
from configs.rendering import render_router_config
from devices.models import Router
from peering.models import Community, InternetExchange, RoutingPolicy


def _load() -> Router:
    call_command("load_demo", stdout=io.StringIO())
    return Router.objects.get(name="r1")


def _session(context: dict, address: str) -> dict:
    return next(s for s in context["sessions"] if s["ip_address"] == address)


def test_the_demo_has_communities_of_every_kind_and_policies_at_several_levels(db) -> None:
    router = _load()
    kinds = set(Community.objects.values_list("kind", "type"))
    assert {kind for kind, _ in kinds} == {"standard", "extended", "large"}
    assert {"ingress", "egress"} <= {kind for _, kind in kinds}
    context = build_context(router)
    p1 = _session(context, "192.0.2.11")
    assert [(p["slug"], p["source"]) for p in p1["import_policies"]] == [
        ("ixp-in", "internet_exchange")
    ]
    (ixp_in,) = p1["import_policies"]
    assert ixp_in["local_preference"] == 200
    assert [c["type"] for c in ixp_in["set_communities"]] == ["ingress"]
    assert [c["value"] for c in p1["export_policies"][0]["match_communities"]] == ["64500:100"]
    assert [(c["value"], c["source"]) for c in p1["communities"]] == [
        ("64500:1:1", "internet_exchange"),
        ("soo:64500:1", "router"),
    ]
    transit = _session(context, "198.51.100.1")
    assert [(p["slug"], p["source"]) for p in transit["import_policies"]] == [
        ("transit-in", "bgp_group")
    ]
    assert transit["export_policies"][0]["as_path_prepend"] == 1
    assert context["router"]["tags"] == ["demo", "edge"]
    assert context["bgp_groups"][0]["tags"] == ["transit"]
    assert _session(context, "192.0.2.12")["tags"] == ["high-volume"]
    assert [p["slug"] for p in context["routing_policies"]] == [
        "ixp-in",
        "peers-out",
        "transit-in",
        "transit-out",
    ]


def test_loading_the_demo_again_keeps_a_removed_assignment_removed(db) -> None:
    _load()
    counts = (Community.objects.count(), RoutingPolicy.objects.count())
    ixp = InternetExchange.objects.get(slug="demo-ix")
    ixp.export_routing_policies.clear()
    _load()
    assert (Community.objects.count(), RoutingPolicy.objects.count()) == counts
    assert not ixp.export_routing_policies.exists()


def test_the_frr_template_applies_each_sessions_policies_in_its_route_maps(db) -> None:
    text = render_router_config(_load())
    assert "bgp community-list standard CUSTOMER-ROUTES seq 5 permit 64500:100\n" in text
    # p1's IPv4 session: the IXP's import policy is entry 10 (its sets, then on to 65000,
    # which tags the route with the IXP's ingress community); anything else is denied.
    p1_in = text[text.index("no route-map PEER-192_0_2_11-IN\n") :]
    assert p1_in.startswith(
        "no route-map PEER-192_0_2_11-IN\n"
        "route-map PEER-192_0_2_11-IN permit 10\n description IXP in\n"
        " on-match goto 65000\n set community 64500:1000 additive\n"
        " set local-preference 200\nexit\n"
        "route-map PEER-192_0_2_11-IN deny 64999\nexit\n"
        "route-map PEER-192_0_2_11-IN permit 65000\n set large-community 64500:1:1 additive\n"
    )
    p1_out = text[text.index("no route-map PEER-192_0_2_11-OUT\n") :].split("router bgp")[0]
    assert (
        "route-map PEER-192_0_2_11-OUT permit 10\n description Peers out\n"
        " match community CUSTOMER-ROUTES\n on-match goto 65000\nexit\n"
    ) in p1_out
    assert "route-map PEER-192_0_2_11-OUT permit 65000\n set extcommunity soo 64500:1\n" in text
    # The transit session prepends our AS once on what it sends.
    transit_out = text[text.index("no route-map PEER-198_51_100_1-OUT\n") :].split("exit\n")[0]
    assert " set as-path prepend 64500\n" in transit_out
    assert "  neighbor 192.0.2.11 route-map PEER-192_0_2_11-IN in\n" in text
    assert "  neighbor 192.0.2.11 route-map PEER-192_0_2_11-OUT out\n" in text
    assert "  neighbor 198.51.100.1 route-map PEER-198_51_100_1-IN in\n" in text
    # Every route-map a neighbour names and every community list an entry matches is defined.
    defined = set(re.findall(r"^route-map (\S+) (?:permit|deny)", text, re.MULTILINE))
    used = set(re.findall(r"route-map (\S+) (?:in|out)$", text, re.MULTILINE))
    assert used and used <= defined
    lists = set(re.findall(r"^bgp \S*community-list standard (\S+)", text, re.MULTILINE))
    matched = set(re.findall(r"^ match \S*community (\S+)$", text, re.MULTILINE))
    assert matched and matched <= lists
