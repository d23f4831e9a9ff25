"""What polling r1 of the lab stores is current and dated right: established-since is when
FRR says the session came up, and a failed poll leaves the state marked stale."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from core.choices import BGPState
from core.tests.html import visible_text
from devices.models import Router
from peering.models import DirectPeeringSession, InternetExchangePeeringSession
from peerkeeper.testing import run_command, wait_for

ESTABLISHED_PEERS = ["192.0.2.11", "2001:db8:1::11", "192.0.2.12", "198.51.100.1"]
# Long enough that "first seen by a poll" and "came up" cannot be mistaken for each other.
UP_AT_LEAST_S = 6
# FRR reports whole seconds; the poll and the vtysh read below are a moment apart.
TOLERANCE = timedelta(seconds=2)


def _came_up(lab) -> dict[str, datetime]:
    """When each established neighbour of r1 came up, by FRR's own timer."""
    neighbors = lab.router("r1").json("show bgp vrf all neighbors json")
    read_at = timezone.now()
    return {
        address: read_at - timedelta(milliseconds=data["bgpTimerUpMsec"])
        for vrf in neighbors.values()
        for address, data in vrf.items()
        if isinstance(data, dict) and data.get("bgpState") == "Established"
    }


def _session(address: str):
    session = InternetExchangePeeringSession.objects.filter(ip_address=address).first()
    return session or DirectPeeringSession.objects.get(ip_address=address)


def test_established_since_is_when_the_session_came_up_from_the_first_poll(
    demo_inventory, lab
) -> None:
    assert demo_inventory.platform.poll_with_detail
    wait_for(
        lambda: all(
            _came_up(lab).get(a, timezone.now()) < timezone.now() - timedelta(seconds=UP_AT_LEAST_S)
            for a in ESTABLISHED_PEERS
        ),
        60,
        f"r1's sessions to be up for {UP_AT_LEAST_S} s",
    )
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    came_up = _came_up(lab)
    for address in ESTABLISHED_PEERS:
        session = _session(address)
        assert session.bgp_state == BGPState.ESTABLISHED
        assert abs(session.last_established_state - came_up[address]) <= TOLERANCE, address

    # A later poll keeps it: the session did not go down in between.
    first = {a: _session(a).last_established_state for a in ESTABLISHED_PEERS}
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    assert {a: _session(a).last_established_state for a in ESTABLISHED_PEERS} == first


def test_a_session_that_comes_up_between_polls_is_dated_by_the_router(demo_inventory, lab) -> None:
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    lab.router("p2").stop()
    wait_for(lambda: "192.0.2.12" not in _came_up(lab), 20, "r1 to see p2 go down")
    run_command("poll_bgp_sessions")
    assert _session("192.0.2.12").bgp_state != BGPState.ESTABLISHED
    lab.reset()
    wait_for(
        lambda: (
            _came_up(lab).get("192.0.2.12", timezone.now())
            < timezone.now() - timedelta(seconds=UP_AT_LEAST_S)
        ),
        60,
        f"p2's session to be up again for {UP_AT_LEAST_S} s",
    )
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    p2 = _session("192.0.2.12")
    assert p2.bgp_state == BGPState.ESTABLISHED
    assert abs(p2.last_established_state - _came_up(lab)["192.0.2.12"]) <= TOLERANCE


def _current_state_html(response) -> str:
    """The page without a session's state history (past changes keep their colours)."""
    return response.content.decode().split("<h2>State history</h2>")[0]


def _pages(router: Router) -> list[str]:
    return [
        f"/devices/routers/{router.pk}/",
        "/peering/ixp-sessions/",
        "/peering/direct-sessions/",
        f"/peering/ixp-sessions/{_session('192.0.2.11').pk}/",
        f"/peering/direct-sessions/{_session('198.51.100.1').pk}/",
        "/",
    ]


def test_a_failed_poll_leaves_every_state_stale_until_a_poll_succeeds(
    demo_inventory, lab, closed_port, admin_client: Client
) -> None:
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    polled_at = Router.objects.get(pk=demo_inventory.pk).last_polled_at
    reachable = {"hostname": demo_inventory.hostname, "napalm_args": demo_inventory.napalm_args}
    Router.objects.filter(pk=demo_inventory.pk).update(
        hostname="127.0.0.1", napalm_args={**demo_inventory.napalm_args, "port": closed_port}
    )
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1
    assert out.startswith(f"r1: failed (unreachable): Cannot reach r1 (127.0.0.1:{closed_port})")

    when = timezone.localtime(polled_at).strftime("%Y-%m-%d %H:%M")
    for url in _pages(demo_inventory):
        response = admin_client.get(url)
        html, text = _current_state_html(response), visible_text(response)
        assert 'class="badge state-established"' not in html, url
        if url != "/":
            assert "Established (stale)" in text, url
            assert f"as of the last successful poll, {when}" in text, url
        assert f"Cannot reach r1 (127.0.0.1:{closed_port})" in text, url
    home = visible_text(admin_client.get("/"))
    states = home[home.index("BGP sessions by state") :]
    assert "Stale state not current" in states and "Established" not in states

    Router.objects.filter(pk=demo_inventory.pk).update(**reachable)
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    for url in _pages(demo_inventory):
        response = admin_client.get(url)
        assert 'class="badge state-established"' in _current_state_html(response), url
        assert "stale" not in visible_text(response).lower(), url
