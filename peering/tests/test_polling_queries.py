"""Polling writes in bulk: the queries for a router do not grow with its sessions."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fleet import FleetProcess, FleetSpec, running_fleet
from bench.fleet.process import free_base_port
from bench.inventory import load_inventory
from devices.models import Router
from peering.models import BGPSessionStateChange, DirectPeeringSession
from peering.polling import poll_routers

SESSIONS = 1000


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    spec = FleetSpec(2, SESSIONS, base_port=free_base_port(2))
    with running_fleet(spec, ready_timeout=60) as process:
        yield process


def _poll_counting_queries(router: Router) -> int:
    with CaptureQueriesContext(connection) as queries:
        (result,) = poll_routers([router], prefer_detail=False)
    assert result.ok, result.error
    return len(queries)


def test_polling_1000_sessions_costs_as_many_queries_as_10(db, fleet) -> None:
    load_inventory(fleet.spec)
    big, small = Router.objects.select_related("platform").order_by("name")
    # The second router keeps 10 of its sessions in the inventory; it still reports 1,000.
    kept = DirectPeeringSession.objects.filter(router=small).values_list("pk", flat=True)[:10]
    DirectPeeringSession.objects.filter(router=small).exclude(pk__in=list(kept)).delete()

    big_queries = _poll_counting_queries(big)
    small_queries = _poll_counting_queries(small)

    assert DirectPeeringSession.objects.filter(
        router=big, last_polled_at__isnull=False
    ).count() == (SESSIONS)
    assert BGPSessionStateChange.objects.filter(direct_session__router=big).count() == SESSIONS
    assert big_queries == small_queries
    assert big_queries <= 9  # one of them reads the session passwords masked in errors
