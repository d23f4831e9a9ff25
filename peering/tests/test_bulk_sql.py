"""Bulk writes in one statement: what is read back is what was written, on either database."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import BGPState
from devices.models import Router
from peering.bulk_sql import insert_rows, update_rows
from peering.models import (
    POLLED_FIELDS,
    AutonomousSystem,
    BGPSessionStateChange,
    DirectPeeringSession,
)

WHEN = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@pytest.fixture
def sessions(db) -> list[DirectPeeringSession]:
    router = Router.objects.create(name="r1", hostname="127.0.0.1")
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    return DirectPeeringSession.objects.bulk_create(
        DirectPeeringSession(router=router, autonomous_system=peer, ip_address=f"192.0.2.{n}")
        for n in range(1, 4)
    )


def test_update_rows_gives_each_row_its_own_values(sessions) -> None:
    first, second, third = (s.pk for s in sessions)
    rows = [
        (first, BGPState.ESTABLISHED, 10, 9, 8, WHEN - timedelta(hours=1), WHEN, True),
        (second, BGPState.IDLE, 0, None, None, None, WHEN, False),
        (third, None, None, None, None, None, None, None),
    ]
    with CaptureQueriesContext(connection) as queries:
        update_rows(DirectPeeringSession, POLLED_FIELDS, rows)
    assert len(queries) == 1
    stored = {
        row[0]: row
        for row in DirectPeeringSession.objects.values_list("pk", *POLLED_FIELDS).order_by("pk")
    }
    assert stored[first] == (first, "established", 10, 9, 8, WHEN - timedelta(hours=1), WHEN, True)
    assert stored[second] == (second, "idle", 0, None, None, None, WHEN, False)
    assert stored[third] == (third, *[None] * 7)


def test_fields_that_prepare_their_values_still_do(sessions) -> None:
    update_rows(
        DirectPeeringSession,
        ["password", "ip_address"],
        [(sessions[0].pk, "s3cret", "2001:DB8:0::0:1")],
    )
    session = DirectPeeringSession.objects.get(pk=sessions[0].pk)
    assert session.ip_address == "2001:db8::1"
    assert session.password.reveal() == "s3cret"
    raw = DirectPeeringSession.objects.filter(pk=session.pk).values_list("password", flat=True)
    assert "s3cret" not in raw[0].token, "stored encrypted"


def test_insert_rows_writes_every_row_in_one_statement(sessions) -> None:
    rows = [(s.pk, None, None, BGPState.ACTIVE, WHEN) for s in sessions]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(
            BGPSessionStateChange,
            ["direct_session", "ixp_session", "from_state", "to_state", "at"],
            rows,
        )
    assert len(queries) == 1
    changes = BGPSessionStateChange.objects.values_list("direct_session", "to_state", "at")
    assert sorted(changes) == sorted((s.pk, "active", WHEN) for s in sessions)


def test_nothing_to_write_sends_nothing(db) -> None:
    with CaptureQueriesContext(connection) as queries:
        update_rows(DirectPeeringSession, POLLED_FIELDS, [])
        insert_rows(BGPSessionStateChange, ["to_state"], [])
    assert len(queries) == 0
