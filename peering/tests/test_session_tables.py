"""What the session tables tell a peering engineer: counts with thousands separators (AS
numbers without: they are identifiers), how long an established session has been up as
the router reported it, when each session was last polled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import BGPState
from core.durations import short_duration
from core.tests.html import visible_text
from devices.models import Router
from peering.models import AutonomousSystem, DirectPeeringSession, InternetExchangePeeringSession

LISTS = ["/peering/ixp-sessions/", "/peering/direct-sessions/"]


@pytest.fixture
def polled(ui_inventory: Router) -> Router:
    """r1 polled 5 minutes ago: its IXP session up for 3 d 4 h now with big counts, its direct
    session idle since an unknown time, on a 4-byte AS."""
    at = timezone.now() - timedelta(minutes=5)
    AutonomousSystem.objects.filter(asn=64501).update(asn=4_200_000_001)
    InternetExchangePeeringSession.objects.update(
        bgp_state=BGPState.ESTABLISHED,
        received_prefix_count=1_234_567,
        accepted_prefix_count=987_654,
        advertised_prefix_count=1_000,
        # 3 d 3 h 58 min at the poll, 3 d 4 h 3 min now: the tables count up to now.
        last_established_state=at - timedelta(days=3, hours=3, minutes=58),
        last_polled_at=at,
        configured_on_router=True,
    )
    DirectPeeringSession.objects.update(
        bgp_state=BGPState.IDLE, received_prefix_count=0, last_polled_at=at
    )
    Router.objects.filter(pk=ui_inventory.pk).update(last_polled_at=at)
    return ui_inventory


@pytest.mark.parametrize("url", [*LISTS, "router", "ixp"])
def test_sessions_show_uptime_counts_and_last_poll(viewer_client, polled, url) -> None:
    if url == "router":
        url = f"/devices/routers/{polled.pk}/"
    elif url == "ixp":
        url = f"/peering/ixps/{polled.connections.get().internet_exchange_id}/"
    response = viewer_client.get(url)
    text = visible_text(response)
    if url != LISTS[1]:
        assert re.search(
            r"192\.0\.2\.11 AS4200000001 Peer One .*Established for 3 d 4 h "
            r"1,234,567 987,654 1,000 5 min ago",
            text,
        ), text
    if "ixp" not in url:
        # Idle since a time nobody knows: the state alone.
        assert re.search(r"198\.51\.100\.1 AS4200000001 Peer One .*Idle 0 — — 5 min ago", text)
    assert "4,200,000,001" not in text
    page = response.content.decode()
    # The exact moments are in the tooltips.
    polled_at = InternetExchangePeeringSession.objects.get().last_polled_at
    local = timezone.localtime(polled_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f'title="{local} UTC">5 min ago</time>' in page


def test_a_session_established_without_a_known_start_shows_just_the_state(
    viewer_client, polled
) -> None:
    InternetExchangePeeringSession.objects.update(last_established_state=None)
    text = visible_text(viewer_client.get(LISTS[0]))
    assert "Established 1,234,567" in text
    assert "Established for" not in text


def test_a_session_that_went_down_does_not_show_its_old_uptime(viewer_client, polled) -> None:
    # last_established_state is kept when the session goes down: it is not an uptime then.
    InternetExchangePeeringSession.objects.update(bgp_state=BGPState.ACTIVE)
    text = visible_text(viewer_client.get(LISTS[0]))
    assert "Active 1,234,567" in text
    assert " for 3 d" not in text


def test_the_local_address_is_under_the_peers(viewer_client, polled) -> None:
    DirectPeeringSession.objects.update(local_ip_address="198.51.100.0")
    text = visible_text(viewer_client.get(LISTS[1]))
    assert "198.51.100.1 from 198.51.100.0 AS4200000001 Peer One r1 Transit" in text


def test_a_never_polled_session_says_never(viewer_client, ui_inventory) -> None:
    text = visible_text(viewer_client.get(LISTS[1]))
    assert re.search(r"198\.51\.100\.1 .*unknown — — — never", text), text


def test_the_as_list_separates_max_prefixes(viewer_client, ui_inventory) -> None:
    AutonomousSystem.objects.filter(asn=64501).update(ipv4_max_prefixes=1_500_000)
    text = visible_text(viewer_client.get("/peering/autonomous-systems/"))
    assert "64501 Peer One 1,500,000" in text


@pytest.mark.parametrize(
    ("length", "shown"),
    [
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h"),
        (timedelta(days=12), "12 d"),
        (timedelta(hours=2, minutes=5, seconds=9), "2 h 5 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(minutes=7, seconds=59), "7 min"),
        (timedelta(seconds=12), "12 s"),
        (timedelta(seconds=-3), "0 s"),
    ],
)
def test_lengths_of_time_in_two_units(length, shown) -> None:
    assert short_duration(length) == shown


def test_a_session_the_router_does_not_have_says_so(viewer_client, polled) -> None:
    InternetExchangePeeringSession.objects.update(bgp_state=None, configured_on_router=False)
    for url in (LISTS[0], f"/devices/routers/{polled.pk}/"):
        text = visible_text(viewer_client.get(url))
        assert re.search(r"192\.0\.2\.11 AS4200000001 Peer One .*not on router", text), text


def test_a_sessions_page_separates_its_counts(viewer_client, polled) -> None:
    session = InternetExchangePeeringSession.objects.get()
    text = visible_text(viewer_client.get(f"/peering/ixp-sessions/{session.pk}/"))
    assert "Prefixes received 1,234,567" in text
    assert "Prefixes accepted 987,654" in text
    assert "4,200,000,001" not in text
