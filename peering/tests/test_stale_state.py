"""A session state read by a poll that is no longer current never looks current.

Once a router's poll fails (or nothing polls it), every page and job line that shows its
sessions' state shows it as stale, with when it was read and why it is not current.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.choices import BGPState
from core.tests.html import visible_text
from core.tests.test_list_queries import MAX_QUERIES
from devices.models import Router
from peering.models import DirectPeeringSession, InternetExchangePeeringSession
from peering.queries import direct_sessions, ixp_sessions, session_lines, sessions_by_state
from peering.staleness import session_staleness

ERROR = "Cannot reach r1 (127.0.0.1:9): Connection refused."
POLLED_AGO = timedelta(hours=2)


@pytest.fixture
def polled(ui_inventory: Router) -> Router:
    """r1 polled successfully two hours ago: 192.0.2.11 established, 198.51.100.1 idle."""
    at = timezone.now() - POLLED_AGO
    InternetExchangePeeringSession.objects.update(
        last_polled_at=at, last_established_state=at - timedelta(days=1), configured_on_router=True
    )
    DirectPeeringSession.objects.update(
        bgp_state=BGPState.IDLE, last_polled_at=at, configured_on_router=True
    )
    Router.objects.filter(pk=ui_inventory.pk).update(last_polled_at=at)
    ui_inventory.refresh_from_db()
    return ui_inventory


@pytest.fixture
def failed(polled: Router) -> Router:
    """r1's last poll, after the successful one, failed."""
    Router.objects.filter(pk=polled.pk).update(last_poll_error=ERROR)
    polled.refresh_from_db()
    return polled


def _when(router: Router) -> str:
    return timezone.localtime(router.last_polled_at).strftime("%Y-%m-%d %H:%M")


def _row(text: str, address: str) -> str:
    """The visible text of a table row, from its address to the next address."""
    match = re.search(re.escape(address) + r" .*?(?= \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3} |$)", text)
    assert match, f"no row for {address}"
    return match.group(0)


def _established_badges(html: str) -> int:
    return html.count('class="badge state-established"')


@pytest.mark.parametrize(
    "url",
    [
        "/peering/ixp-sessions/",
        "/peering/direct-sessions/",
        "router",
        "ixp",
        "autonomous-system",
    ],
)
def test_session_tables_show_a_failed_router_s_sessions_as_stale(
    viewer_client: Client, failed: Router, url: str
) -> None:
    session = InternetExchangePeeringSession.objects.select_related("ixp_connection").get()
    pages = {
        "router": f"/devices/routers/{failed.pk}/",
        "ixp": f"/peering/ixps/{session.ixp_connection.internet_exchange_id}/",
        "autonomous-system": f"/peering/autonomous-systems/{session.autonomous_system_id}/",
    }
    response = viewer_client.get(pages.get(url, url))
    html, text = response.content.decode(), visible_text(response)
    assert _established_badges(html) == 0
    address = "198.51.100.1" if "direct" in url else "192.0.2.11"
    state = "Idle" if "direct" in url else "Established"
    row = _row(text, address)
    note = f"as of the last successful poll, {_when(failed)} (2 hours ago); "
    if url == "router":
        # The router page says when and why once, above its tables.
        assert f"{state} (stale)" in row and note not in row
    else:
        assert f"{state} (stale) {note}the last poll failed: {ERROR}" in row
    assert f'title="{state}: {note}the last poll failed: {ERROR}"' in html.replace("\xa0", " ")
    assert re.search(r'<tr [^>]*class="[^"]*\bstale\b', html)


def test_the_router_page_says_its_sessions_are_not_current(
    viewer_client: Client, failed: Router
) -> None:
    text = visible_text(viewer_client.get(f"/devices/routers/{failed.pk}/"))
    assert (
        "Not current: the BGP state and prefix counts of the sessions below are as of the last "
        f"successful poll, {_when(failed)}"
    ) in text
    assert f"the last poll failed: {ERROR}" in text


def test_the_router_list_says_which_router_failed_its_last_poll(
    viewer_client: Client, failed: Router
) -> None:
    response = viewer_client.get("/devices/routers/")
    assert f"{_when(failed)} poll failed" in visible_text(response)
    assert f'title="{ERROR}">poll failed</span>' in response.content.decode()


def test_the_session_page_shows_its_state_as_stale(viewer_client: Client, failed: Router) -> None:
    session = InternetExchangePeeringSession.objects.get()
    response = viewer_client.get(f"/peering/ixp-sessions/{session.pk}/")
    text = visible_text(response)
    assert _established_badges(response.content.decode()) == 0
    assert (
        "Not current: the state and prefix counts below are as of the last successful poll, "
        f"{_when(failed)}"
    ) in text
    assert f"the last poll failed: {ERROR}" in text
    assert "BGP state Established (stale) Prefixes received 42" in text


def test_the_home_page_counts_stale_sessions_apart(viewer_client: Client, failed: Router) -> None:
    response = viewer_client.get("/")
    text = visible_text(response)
    states = text[text.index("BGP sessions by state") :]
    assert "Established" not in states[: states.index("Stale")]
    assert "Stale state not current: their router's last poll failed" in states
    assert re.search(r"Stale .*? 2\b", states)
    routers = text[text.index("Routers") : text.index("BGP sessions by state")]
    assert "r1 Enabled FRRouting 2 hours ago poll failed sessions not current: " in routers
    assert f"the last poll failed: {ERROR}" in routers


def test_job_lines_say_a_state_is_stale(failed: Router) -> None:
    when = timezone.localtime(failed.last_polled_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert session_lines(failed) == [
        "192.0.2.11 AS64501 Peer One: established (42 received) [stale: as of the last "
        f"successful poll, {when}; the last poll failed: {ERROR}]",
        "198.51.100.1 AS64501 Peer One: idle [stale: as of the last successful poll, "
        f"{when}; the last poll failed: {ERROR}]",
    ]


def test_a_successful_poll_makes_the_state_current_again(
    viewer_client: Client, failed: Router
) -> None:
    """What a successful poll writes: its time, and no error."""
    Router.objects.filter(pk=failed.pk).update(last_poll_error="", last_polled_at=timezone.now())
    for url in [f"/devices/routers/{failed.pk}/", "/peering/ixp-sessions/", "/"]:
        response = viewer_client.get(url)
        assert "stale" not in visible_text(response).lower(), url
        assert _established_badges(response.content.decode()) == 1, url
    assert session_lines(failed)[0] == "192.0.2.11 AS64501 Peer One: established (42 received)"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"poll_bgp_sessions_state": False}, "not polled: polling is disabled for this router"),
        ({"status": "disabled"}, "not polled: the router is disabled"),
        ({"platform": None}, "not polled: the router has no platform"),
    ],
)
def test_a_router_no_longer_polled_has_stale_sessions(
    viewer_client: Client, polled: Router, change: dict, why: str
) -> None:
    Router.objects.filter(pk=polled.pk).update(**change)
    text = visible_text(viewer_client.get("/peering/ixp-sessions/"))
    assert f"Established (stale) as of the last successful poll, {_when(polled)}" in text
    assert why in text
    assert why in visible_text(viewer_client.get("/"))


def test_a_session_never_polled_is_unknown_not_stale(viewer_client: Client, failed: Router) -> None:
    DirectPeeringSession.objects.update(bgp_state=None, last_polled_at=None)
    text = visible_text(viewer_client.get("/peering/direct-sessions/"))
    assert "198.51.100.1" in text and "stale" not in _row(text, "198.51.100.1")


@pytest.mark.parametrize("url", ["/peering/direct-sessions/", "/peering/ixp-sessions/", "/"])
def test_stale_lists_cost_what_current_ones_do(
    admin_client: Client, thousand_sessions: int, django_assert_max_num_queries, url: str
) -> None:
    """Half the routers failed their last poll: the pages still cost a fixed few queries."""
    Router.objects.filter(name__in=["r1", "r2"]).update(last_poll_error=ERROR)
    DirectPeeringSession.objects.update(last_polled_at=timezone.now())
    InternetExchangePeeringSession.objects.update(last_polled_at=timezone.now())
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(url, {"per_page": 500})
    assert response.status_code == 200
    assert "(stale)" in response.content.decode() or "Stale" in visible_text(response)


def test_the_home_page_count_and_the_lists_agree_on_what_is_stale(thousand_sessions: int) -> None:
    """The home page counts in SQL what the lists decide in Python: each reason, both ways."""
    Router.objects.filter(name="r1").update(last_poll_error=ERROR)
    Router.objects.filter(name="r2").update(poll_bgp_sessions_state=False)
    Router.objects.filter(name="r3").update(status="disabled")
    DirectPeeringSession.objects.filter(
        pk__in=DirectPeeringSession.objects.order_by("pk")[:300].values("pk")
    ).update(last_polled_at=timezone.now())
    sessions = [*direct_sessions(), *ixp_sessions()]
    stale = [s for s in sessions if session_staleness(s) is not None]
    assert 0 < len(stale) < len(sessions)
    assert sessions_by_state().stale == len(stale)
    current = sum(count for _, count in sessions_by_state().by_state)
    assert current == len(sessions) - len(stale)
