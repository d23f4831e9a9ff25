"""The AS page's IRR section: the AS-set, its counts per family, when fetched, the lists."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from irr.models import PrefixList
from irr.refresh import refresh
from irr.testing import CLOSED_IRR_HOST
from peering.models import AutonomousSystem

pytestmark = pytest.mark.django_db


def _page(client, system: AutonomousSystem) -> str:
    response = client.get(reverse("peering:autonomoussystem", args=[system.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="irr"') : html.index("</section>", html.index('id="irr"'))]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_the_refreshed_lists(local_irr, viewer_client) -> None:
    system = AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-PEERONE")
    assert refresh([64501]).ok
    fetched = PrefixList.objects.get().fetched_at

    section = _page(viewer_client, system)

    text = _text(section)
    assert "AS-set AS-PEERONE ." in text
    assert f"Fetched {fetched.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in text
    # Entries, and the prefixes they accept: p1's 50 IPv4 /30s and 5 IPv6 /48s.
    assert "IPv4 3 50" in text and "IPv6 2 5" in text and "Origin ASNs 2" in text
    assert "203.0.113.0/25 ge 30 le 30\n203.0.113.128/26 ge 30 le 30" in section
    assert "2001:db8:104::/48" in section
    assert "AS64501 AS64511" in section
    assert '<details id="irr-ipv4" open>' in section  # short lists are open
    assert "error-box" not in section


def test_an_as_without_as_set_uses_its_asn_and_says_so(viewer_client) -> None:
    system = AutonomousSystem.objects.create(asn=64502, name="Peer Two")

    text = _text(_page(viewer_client, system))

    assert "AS-set AS64502 (no IRR AS-SET is set: the AS's own ASN is expanded)" in text
    assert (
        "Not fetched yet: AS64502 is not filtered by prefix list until a refresh succeeds; "
        "manage.py irr_refresh --as 64502 fetches it."
    ) in text


def test_a_failed_refresh_shows_why_and_the_list_it_keeps(local_irr, viewer_client, settings):
    system = AutonomousSystem.objects.create(asn=64503, name="Peer 3", irr_as_set="AS-PEERTHREE")
    assert refresh([64503]).ok
    settings.IRR_HOST = CLOSED_IRR_HOST
    assert not refresh([64503]).ok
    row = PrefixList.objects.get()

    text = _text(_page(viewer_client, system))

    assert (
        f"The last refresh, {row.failed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, failed: the "
        "IRR server 127.0.0.1:1 is unreachable: connection refused. The list fetched "
        f"{row.fetched_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC is kept."
    ) in text
    assert "IPv4 1 4" in text and "203.0.113.224/27 ge 29 le 29" in text


def test_a_long_list_is_collapsed(viewer_client) -> None:
    system = AutonomousSystem.objects.create(asn=64520, name="Big", irr_as_set="AS-BIG")
    PrefixList.objects.create(
        as_set="AS-BIG",
        ipv4=[{"prefix": f"198.19.{n}.0/24", "exact": True} for n in range(0, 200, 2)],
        asns=[64520],
        fetched_at=timezone.now() - timedelta(hours=2),
    )

    section = _page(viewer_client, system)

    assert '<details id="irr-ipv4">' in section
    assert "IPv4 prefix list: 100 entries" in section
    assert "198.19.198.0/24" in section
    assert '<details id="irr-ipv6" open>' in section  # empty: nothing to collapse
    assert (
        "IPv6 prefix list: 0 entries Nothing registered: the filter denies every route of "
        "this family." in _text(section)
    )


def test_the_section_costs_one_query(viewer_client) -> None:
    system = AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-X")
    with CaptureQueriesContext(connection) as queries:
        _page(viewer_client, system)
    assert sum("irr_prefixlist" in q["sql"] for q in queries.captured_queries) == 1


def test_times_are_utc_whatever_the_time_zone(viewer_client, settings) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    system = AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-X")
    fetched = timezone.now() - timedelta(days=1)
    PrefixList.objects.create(as_set="AS-X", asns=[64501], fetched_at=fetched)

    assert f"Fetched {fetched.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in _text(
        _page(viewer_client, system)
    )


def test_a_list_never_fetched_after_a_failure_says_the_peer_is_not_filtered(
    viewer_client,
) -> None:
    system = AutonomousSystem.objects.create(asn=64502, name="Peer Two", irr_as_set="AS-TWO")
    failed = timezone.now()
    PrefixList.objects.create(as_set="AS-TWO", error="AS-TWO: refused", failed_at=failed)

    assert (
        f"The last refresh, {failed.astimezone(UTC):%Y-%m-%d %H:%M} UTC, failed: AS-TWO: "
        "refused. No list has been fetched yet: AS64502 is not filtered by prefix list until "
        "a refresh succeeds."
    ) in _text(_page(viewer_client, system))


def test_a_renamed_as_set_shows_the_list_it_keeps(viewer_client) -> None:
    from irr.prefix_lists import keep_lists

    system = AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-OLD")
    old = PrefixList.objects.create(
        as_set="AS-OLD",
        ipv4=[{"prefix": "203.0.113.0/30", "exact": True}],
        fetched_at=timezone.now(),
    )
    keep_lists([(system.pk, old)])
    system.irr_as_set = "AS-NEW"
    system.save()
    page = viewer_client.get(reverse("peering:autonomoussystem", args=[system.pk]))
    text = page.content.decode()
    assert "AS-NEW has no list yet: the list of AS-OLD" in text
    assert "203.0.113.0/30" in text
