"""Parsing BIRD 2.0.12's `show protocols all` and `show status` (captured output)."""

from __future__ import annotations

from datetime import datetime

from napalm.base import models
from napalm.base.test.helpers import test_model as matches_model
from napalm_bird.bgp import bgp_neighbors, bgp_neighbors_detail
from napalm_bird.protocols import BGPProtocol, bgp_protocols, status, uptime_seconds


def test_sessions_are_keyed_by_neighbour_address_with_counts_per_family(captured):
    parsed = status(captured("rs1-status.txt"))
    result = bgp_neighbors(
        bgp_protocols(captured("rs1-protocols-all.txt")), parsed.router_id, parsed.server_time
    )
    peers = result["global"]["peers"]
    assert result["global"]["router_id"] == "192.0.2.100"
    assert set(peers) == {"192.0.2.1", "2001:db8:1::1", "192.0.2.13"}
    v4 = peers["192.0.2.1"]
    assert v4["is_up"] and v4["is_enabled"]
    assert (v4["local_as"], v4["remote_as"], v4["remote_id"]) == (65100, 64500, "192.0.2.1")
    assert v4["description"] == "r1 over IPv4"
    # 58 imported, 10000 filtered: received counts what the import filter dropped too
    assert v4["address_family"] == {
        "ipv4": {"received_prefixes": 10058, "accepted_prefixes": 58, "sent_prefixes": 0}
    }
    assert peers["2001:db8:1::1"]["address_family"]["ipv6"]["accepted_prefixes"] == 6
    assert "ipv4" not in peers["2001:db8:1::1"]["address_family"]
    assert v4["uptime"] >= 0
    disabled = peers["192.0.2.13"]
    assert not disabled["is_up"] and not disabled["is_enabled"]
    assert disabled["uptime"] == -1
    for peer in peers.values():
        assert set(peer) == set(models.BGPStateNeighborDict.__annotations__)


def test_a_session_that_is_trying_is_enabled_and_down(captured):
    [r1_v4, r1_v6] = bgp_protocols(captured("p3-protocols-all.txt"))
    assert (r1_v4.name, r1_v4.neighbor, r1_v6.neighbor) == ("r1_v4", "192.0.2.1", "2001:db8:1::1")
    assert r1_v4.is_enabled and not r1_v4.is_up
    assert r1_v4.last_error.startswith("Socket: Connection")


def test_non_bgp_protocols_are_left_out(captured):
    names = [p.name for p in bgp_protocols(captured("p3-protocols-all.txt"))]
    assert "device1" not in names and "announced_ipv4" not in names


def test_details_per_remote_as(captured):
    details = bgp_neighbors_detail(bgp_protocols(captured("p2-protocols-all.txt")), "192.0.2.12")
    [peer] = details["global"][64500]
    assert peer["up"] and peer["remote_address"] == "192.0.2.1"
    assert peer["accepted_prefix_count"] == 58 and peer["advertised_prefix_count"] == 10000
    assert (peer["holdtime"], peer["keepalive"]) == (9, 3)
    assert matches_model(models.PeerDetailsDict, peer)
    assert bgp_neighbors_detail(
        bgp_protocols(captured("p2-protocols-all.txt")), "x", "10.9.9.9"
    ) == {"global": {}}


def _up(since: str) -> BGPProtocol:
    return BGPProtocol("x", "up", since, "Established", bgp_state="Established", neighbor="a")


def test_uptime_from_birds_time_of_day_and_dates():
    now = datetime(2026, 12, 1, 0, 10, 0)
    assert uptime_seconds(_up("00:09:30.500"), now) == 30
    assert uptime_seconds(_up("23:10:00.000"), now) == 3600  # yesterday's evening
    assert uptime_seconds(_up("2026-11-29"), now) == 2 * 86400 + 600
    assert uptime_seconds(_up("2026-11-30 23:00:00"), now) == 4200
    assert uptime_seconds(_up("00:09:30"), None) == -1


def test_status_gives_version_router_id_and_hostname(captured):
    parsed = status(captured("p3-status.txt"))
    assert (parsed.version, parsed.router_id, parsed.hostname) == ("2.0.12", "192.0.2.13", "p3")
    assert parsed.server_time is not None
