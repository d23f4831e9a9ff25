"""Every list page costs a bounded number of queries, however many sessions (and changes
of them) exist."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changelog.context import recording
from changelog.entries import record_created
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)

LIST_PAGES = [
    "/devices/routers/",
    "/devices/platforms/",
    "/peering/autonomous-systems/",
    "/peering/ixps/",
    "/peering/connections/",
    "/peering/bgp-groups/",
    "/peering/direct-sessions/",
    "/peering/ixp-sessions/",
    "/peering/routing-policies/",
    "/peering/communities/",
    "/peering/tags/",
    "/configs/templates/",
    "/jobs/",
    "/changelog/",
    "/",
]
# Session, permission and user lookups, the count and page of the table, the rows' tags
# (one prefetch), the filter form's choices (one query per list: tags, routing policies,
# communities, routers...): whatever the number of rows.
MAX_QUERIES = 12
# A detail page shows its object's latest changes too (one query), what is assigned to it
# (its import and export policies, communities and tags: one query each) and the tags of
# the rows of its related tables (one query per table).
MAX_DETAIL_QUERIES = MAX_QUERIES + 5
# A session's page also shows its effective policies and communities, resolved from its
# levels alone (configs.session_policies: three assignments per level, the policies,
# their match and set communities, the communities, their tags) and the pages of those
# policies and communities (two), whatever the size of its router.
MAX_SESSION_DETAIL_QUERIES = MAX_DETAIL_QUERIES + 5 * 3 + 5 + 2


@pytest.fixture
def thousand_changes(thousand_sessions: int) -> int:
    """The thousand sessions' creation in the change log, and twelve changes of r1."""
    with recording(origin="command", actor_name="cron"):
        record_created(
            {
                DirectPeeringSession: DirectPeeringSession.objects.values_list("pk", flat=True),
                InternetExchangePeeringSession: (
                    InternetExchangePeeringSession.objects.values_list("pk", flat=True)
                ),
            }
        )
        r1 = Router.objects.get(name="r1")
        for n in range(12):
            r1.description = f"change {n}"
            r1.save()
    return LogEntry.objects.count()


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_list_page_with_a_thousand_sessions(
    admin_client, thousand_sessions, thousand_changes, django_assert_max_num_queries, url
) -> None:
    assert thousand_sessions == 1000 and thousand_changes > 1000
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(url, {"per_page": 500})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/peering/direct-sessions/", "/peering/ixp-sessions/", "/changelog/"]
)
def test_a_full_page_of_sessions_costs_what_a_short_one_does(
    admin_client, thousand_sessions, thousand_changes, url
) -> None:
    def queries(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(url, {"per_page": per_page})
        assert len(response.context["table"].page.object_list) == per_page
        return len(captured)

    assert queries(500) == queries(5)


def _detail_pages() -> list[str]:
    return [
        f"/devices/routers/{Router.objects.get(name='r1').pk}/",
        f"/peering/ixps/{InternetExchange.objects.get(slug='ix-0').pk}/",
        f"/peering/connections/{Connection.objects.order_by('pk').first().pk}/",
        f"/peering/autonomous-systems/{AutonomousSystem.objects.get(asn=65000).pk}/",
        f"/peering/ixp-sessions/{InternetExchangePeeringSession.objects.order_by('pk')[0].pk}/",
        f"/peering/direct-sessions/{DirectPeeringSession.objects.order_by('pk')[0].pk}/",
    ]


def test_detail_pages_with_a_thousand_sessions(
    admin_client, thousand_sessions, thousand_changes, django_assert_max_num_queries
) -> None:
    for url in _detail_pages():
        session = "-sessions/" in url
        with django_assert_max_num_queries(
            MAX_SESSION_DETAIL_QUERIES if session else MAX_DETAIL_QUERIES
        ):
            response = admin_client.get(url)
        assert response.status_code == 200, url
        assert 'id="changes"' in response.content.decode(), url
