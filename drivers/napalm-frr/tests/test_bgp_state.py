"""get_bgp_neighbors / get_bgp_neighbors_detail parsing, on JSON captured from FRR 8.4.

The capture has: the default VRF and VRF CUST (and EMPTY, a BGP instance with no
neighbour), IPv4 and IPv6 sessions, a session that is down (192.0.2.99), one that is
administratively shut down (192.0.2.98), and an IPv6 neighbour activated for IPv4
that the peer did not negotiate (2001:db8:2::1 in CUST).
"""

from __future__ import annotations

import pytest
from napalm.base import models
from napalm.base.test.helpers import test_model as matches_model
from napalm_frr.bgp_state import bgp_neighbors, bgp_neighbors_detail


@pytest.fixture
def neighbors(captured):
    return bgp_neighbors(
        captured.json("bgp_vrf_all_summary.json"), captured.json("bgp_vrf_all_neighbors.json")
    )


@pytest.fixture
def detail(captured):
    return bgp_neighbors_detail(
        captured.json("bgp_vrf_all_summary.json"), captured.json("bgp_vrf_all_neighbors.json")
    )


def test_every_vrf_is_listed_with_its_router_id(neighbors):
    assert set(neighbors) == {"global", "CUST", "EMPTY"}
    assert neighbors["global"]["router_id"] == "192.0.2.1"
    assert neighbors["CUST"]["router_id"] == "198.51.100.0"
    assert neighbors["EMPTY"]["peers"] == {}


def test_peers_are_keyed_by_address_in_each_vrf(neighbors):
    assert set(neighbors["global"]["peers"]) == {
        "192.0.2.11",
        "192.0.2.98",
        "192.0.2.99",
        "2001:db8:1::11",
    }
    assert set(neighbors["CUST"]["peers"]) == {"198.51.100.1", "2001:db8:2::1"}


def test_shapes_follow_napalm_models(neighbors):
    for vrf in neighbors.values():
        assert isinstance(vrf["router_id"], str)
        for peer in vrf["peers"].values():
            assert matches_model(models.PeerDict, peer)
            for family in peer["address_family"].values():
                assert matches_model(models.AFDict, family)


def test_established_ipv4_session(neighbors):
    p1 = neighbors["global"]["peers"]["192.0.2.11"]
    assert p1["is_up"] and p1["is_enabled"]
    assert (p1["local_as"], p1["remote_as"], p1["remote_id"]) == (64500, 64501, "192.0.2.11")
    assert p1["description"] == "p1 over the IXP"
    assert p1["uptime"] >= 0
    assert p1["address_family"] == {
        "ipv4": {"received_prefixes": 5, "accepted_prefixes": 5, "sent_prefixes": 2}
    }


def test_ipv6_session_reports_the_ipv6_family_only(neighbors):
    p1_v6 = neighbors["global"]["peers"]["2001:db8:1::11"]
    assert p1_v6["is_up"]
    assert p1_v6["address_family"] == {
        "ipv6": {"received_prefixes": 3, "accepted_prefixes": 3, "sent_prefixes": 4}
    }


def test_session_that_is_down_is_still_enabled(neighbors):
    down = neighbors["global"]["peers"]["192.0.2.99"]
    assert not down["is_up"]
    assert down["is_enabled"]
    assert down["uptime"] == -1
    assert down["remote_id"] == "0.0.0.0"
    assert down["local_as"] == 64999  # its local-as override
    assert down["address_family"]["ipv4"]["received_prefixes"] == 0


def test_administratively_shut_down_session_is_disabled(neighbors):
    shut = neighbors["global"]["peers"]["192.0.2.98"]
    assert not shut["is_up"]
    assert not shut["is_enabled"]
    assert shut["description"] == "shut down"


def test_vrf_sessions_and_a_family_the_peer_did_not_negotiate(neighbors):
    cust = neighbors["CUST"]["peers"]
    assert cust["198.51.100.1"]["address_family"]["ipv4"]["received_prefixes"] == 5
    v6 = cust["2001:db8:2::1"]
    assert v6["is_up"]
    assert v6["address_family"]["ipv4"] == {
        "received_prefixes": 0,
        "accepted_prefixes": 0,
        "sent_prefixes": 0,
    }
    assert v6["address_family"]["ipv6"]["received_prefixes"] == 3


def test_no_bgp_configured_gives_no_vrf():
    assert bgp_neighbors({}, {}) == {}


def test_detail_is_grouped_by_vrf_and_remote_as(detail):
    assert set(detail) == {"global", "CUST"}
    assert sorted(detail["global"]) == [64501, 64598, 64599]
    assert {d["remote_address"] for d in detail["global"][64501]} == {
        "192.0.2.11",
        "2001:db8:1::11",
    }
    for by_as in detail.values():
        for remote_as, peers in by_as.items():
            assert isinstance(remote_as, int)
            for peer in peers:
                assert matches_model(models.PeerDetailsDict, peer)


def test_detail_of_an_established_session(detail):
    (p1,) = [d for d in detail["global"][64501] if d["remote_address"] == "192.0.2.11"]
    assert p1["up"] and p1["connection_state"] == "Established"
    assert p1["local_address"] == "192.0.2.1"
    assert p1["remote_port"] == 179 or p1["local_port"] == 179
    assert (p1["import_policy"], p1["export_policy"]) == ("IXP-IN", "IXP-OUT")
    assert (p1["holdtime"], p1["keepalive"]) == (9, 3)
    assert p1["received_prefix_count"] == 5
    assert p1["advertised_prefix_count"] == 2
    assert p1["routing_table"] == "default"


def test_detail_of_a_down_session(detail):
    (down,) = detail["global"][64599]
    assert not down["up"]
    assert down["local_address"] == ""  # FRR says "Unknown"
    assert (down["local_port"], down["remote_port"]) == (0, 0)
    assert down["local_address_configured"]  # update-source
    assert down["multihop"]  # ebgp-multihop 3
    assert down["remove_private_as"]
    assert not down["local_as_prepend"]  # local-as ... no-prepend
    assert down["local_as"] == 64999


def test_detail_for_one_neighbour(captured):
    only = bgp_neighbors_detail(
        captured.json("bgp_vrf_all_summary.json"),
        captured.json("bgp_vrf_all_neighbors.json"),
        "2001:DB8:2:0::1",
    )
    assert list(only) == ["CUST"]
    assert [d["remote_address"] for d in only["CUST"][64501]] == ["2001:db8:2::1"]
