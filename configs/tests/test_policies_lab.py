"""Routing policies and communities deployed to the lab's real FRR router r1."""

import ipaddress

from configs.context import build_context
from peering.models import Community, InternetExchangePeeringSession, RoutingPolicy
from peerkeeper.testing import run_command, wait_for

P1 = "192.0.2.11"
FROM_P1 = "64500:4011"
# p4's routes (the transit group), which the demo's TRANSIT-IN marks with this community.
LEARNED_TRANSIT = "64500:2000"
P4_ROUTES = ipaddress.ip_network("198.51.100.128/25")


def _give_p1_its_own_policies() -> None:
    """p1's IPv4 session: an import policy that marks its routes, an export policy that
    sends it only the routes learned from transit. Nearer than the IXP's, so they win."""
    from_p1 = Community.objects.create(name="From p1", slug="from-p1", value=FROM_P1)
    marker = RoutingPolicy.objects.create(name="P1 in", slug="p1-in", type="import")
    marker.set_communities.add(from_p1)
    only_transit = RoutingPolicy.objects.create(name="P1 out", slug="p1-out", type="export")
    only_transit.match_communities.add(Community.objects.get(value=LEARNED_TRANSIT))
    session = InternetExchangePeeringSession.objects.get(ip_address=P1)
    session.import_routing_policies.add(marker)
    session.export_routing_policies.add(only_transit)


def _advertised_to_p1(r1) -> set[str]:
    answer = r1.json(f"show bgp ipv4 unicast neighbors {P1} advertised-routes json")
    return set(answer.get("advertisedRoutes", {}))


def _received_by_p1(p1) -> set[str]:
    answer = p1.json("show bgp ipv4 unicast json")
    return {
        prefix
        for prefix, paths in answer["routes"].items()
        if any(path.get("peerId") == "192.0.2.1" for path in paths)
    }


def _marked_routes(r1) -> dict[str, set[str]]:
    """The routes r1 holds with FROM_P1, by the peer each came from."""
    answer = r1.json(f"show bgp ipv4 unicast community {FROM_P1} json")
    peers: dict[str, set[str]] = {}
    for prefix, paths in answer.get("routes", {}).items():
        for path in paths:
            peers.setdefault(path["peerId"], set()).add(prefix)
    return peers


def test_a_sessions_policies_mark_what_it_receives_and_filter_what_it_is_sent(
    demo_inventory, lab
) -> None:
    r1, p1 = lab.router("r1"), lab.router("p1")
    _give_p1_its_own_policies()
    session = next(s for s in build_context(demo_inventory)["sessions"] if s["ip_address"] == P1)
    assert [p["slug"] for p in session["import_policies"]] == ["p1-in"]

    status, out, _ = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out
    assert "r1: changed: committed" in out

    neighbor = r1.json(f"show bgp neighbors {P1} json")[P1]["addressFamilyInfo"]["ipv4Unicast"]
    assert neighbor["routeMapForIncomingAdvertisements"] == "PEER-192_0_2_11-IN"
    assert neighbor["routeMapForOutgoingAdvertisements"] == "PEER-192_0_2_11-OUT"
    in_map = r1.vtysh("show route-map PEER-192_0_2_11-IN")
    assert "Call P1-IN" in in_map and "Call IXP-IN" not in in_map

    # Every route from p1, and only those, carries the community its import policy sets.
    marked = wait_for(lambda: _marked_routes(r1), 30, "p1's routes marked with " + FROM_P1)
    assert set(marked) == {P1}
    received = r1.json(f"show bgp ipv4 unicast neighbors {P1} routes json")["routes"]
    assert marked[P1] == set(received) and len(received) >= 50
    # ...and the community of the IXP level (ingress, large) besides.
    one = r1.json(f"show bgp ipv4 unicast {sorted(received)[0]} json")["paths"][0]
    assert "64500:1:1" in one["largeCommunity"]["string"]

    # The export policy lets through only p4's routes: p2's 10,000 stay with r1.
    def only_p4_routes() -> set[str] | None:
        sent = _advertised_to_p1(r1)
        in_p4 = {prefix for prefix in sent if ipaddress.ip_network(prefix).subnet_of(P4_ROUTES)}
        return sent if sent and sent == in_p4 else None

    sent = wait_for(only_p4_routes, 30, "r1 sending p1 only the routes from transit")
    assert len(sent) == 5
    assert wait_for(lambda: _received_by_p1(p1) == sent, 30, "p1 holding just those")
    assert "198.19.0.0/32" not in _received_by_p1(p1)  # one of p2's

    status, out, _ = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out
    assert "r1: unchanged: nothing to change" in out


def test_removing_a_policy_leaves_no_reference_to_it(demo_inventory, lab) -> None:
    r1 = lab.router("r1")
    _give_p1_its_own_policies()
    assert run_command("configure_routers", "--limit", "r1")[0] == 0
    InternetExchangePeeringSession.objects.get(ip_address=P1).export_routing_policies.clear()
    status, out, _ = run_command("configure_routers", "--limit", "r1")
    assert status == 0, out
    assert "r1: changed: committed" in out
    out_map = r1.vtysh("show route-map PEER-192_0_2_11-OUT")
    # p1 falls back to the IXP's export policy.
    assert "Call PEERS-OUT" in out_map and "Call P1-OUT" not in out_map
    running = r1.vtysh("show running-config")
    called = {line.split()[1] for line in running.splitlines() if line.startswith(" call ")}
    defined = {line.split()[1] for line in running.splitlines() if line.startswith("route-map ")}
    assert called <= defined
    assert (
        "r1: unchanged: nothing to change" in run_command("configure_routers", "--limit", "r1")[1]
    )
