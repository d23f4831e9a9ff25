"""A poll with the detailed getter reads uptimes (a second getter call) only when a session
needs them: it is seen established and its established-since is not known yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.choices import BGPState
from devices.models import Router
from peering.models import AutonomousSystem, DirectPeeringSession
from peering.neighbors import Neighbor
from peering.polling import _needs_uptimes, _StoredSession, poll_routers
from peerkeeper.testing import detail_peer, mock_router, summary, summary_peer

SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def _stored(state: str | None, since: datetime | None) -> _StoredSession:
    return _StoredSession(DirectPeeringSession, 1, "", "192.0.2.11", state, 5, 5, 1, since, True)


def _neighbor(state: BGPState, uptime: float | None = None, address: str = "192.0.2.11"):
    return Neighbor("", address, 64501, state, 5, 5, 1, uptime)


@pytest.mark.parametrize(
    ("stored", "seen", "needed"),
    [
        # Came up since the last poll, or first poll: the summary getter dates it.
        (_stored(BGPState.IDLE, None), _neighbor(BGPState.ESTABLISHED), True),
        (_stored(None, None), _neighbor(BGPState.ESTABLISHED), True),
        (_stored(BGPState.ACTIVE, SINCE), _neighbor(BGPState.ESTABLISHED), True),
        # Up before and still up: its established-since is known.
        (_stored(BGPState.ESTABLISHED, SINCE), _neighbor(BGPState.ESTABLISHED), False),
        # Up, but established-since was never recorded.
        (_stored(BGPState.ESTABLISHED, None), _neighbor(BGPState.ESTABLISHED), True),
        # Not up: nothing to date.
        (_stored(BGPState.ESTABLISHED, SINCE), _neighbor(BGPState.ACTIVE), False),
        # The getter gave the uptime already (the summary getter itself).
        (_stored(None, None), _neighbor(BGPState.ESTABLISHED, uptime=30.0), False),
        # A neighbour that is not in the inventory does not matter.
        (_stored(None, None), _neighbor(BGPState.ESTABLISHED, address="192.0.2.99"), False),
    ],
)
def test_uptimes_are_read_only_for_sessions_that_need_them(
    stored: _StoredSession, seen: Neighbor, needed: bool
) -> None:
    assert _needs_uptimes([stored], [seen]) is needed


@pytest.fixture
def mocked_router(db, tmp_path: Path) -> tuple[Router, Path]:
    """A router behind NAPALM's mock driver, which answers with the files of `tmp_path`."""
    router = mock_router(tmp_path, {}, name="r1", template=None)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One")
    for address in ("192.0.2.11", "192.0.2.12"):
        DirectPeeringSession.objects.create(
            router=router, autonomous_system=peer, ip_address=address
        )
    detail = {
        "global": {
            "64501": [
                detail_peer(),
                detail_peer(up=False, remote_address="192.0.2.12", connection_state="Active"),
            ]
        }
    }
    (tmp_path / "get_bgp_neighbors_detail.1").write_text(json.dumps(detail))
    return Router.objects.select_related("platform").get(pk=router.pk), tmp_path


def test_a_detailed_poll_dates_a_session_by_the_uptime_the_router_reports(mocked_router) -> None:
    router, files = mocked_router
    answer = summary({"192.0.2.11": summary_peer()})
    (files / "get_bgp_neighbors.1").write_text(json.dumps(answer))
    [result] = poll_routers([router])
    assert result.ok, result.error
    up = DirectPeeringSession.objects.get(ip_address="192.0.2.11")
    assert up.bgp_state == BGPState.ESTABLISHED
    assert abs(up.last_established_state - (up.last_polled_at - timedelta(hours=2))) < timedelta(
        seconds=1
    )
    assert DirectPeeringSession.objects.get(ip_address="192.0.2.12").last_established_state is None


def test_a_failing_uptime_read_does_not_fail_the_poll(mocked_router, caplog) -> None:
    """NAPALM drivers have raised AttributeError from get_bgp_neighbors: the state was read
    already, so the session is stored, dated by the poll."""
    router, files = mocked_router
    error = {"exception": "AttributeError", "args": ["'NoneType' object has no attribute 'group'"]}
    (files / "get_bgp_neighbors.1").write_text(json.dumps(error))
    [result] = poll_routers([router])
    assert result.ok, result.error
    up = DirectPeeringSession.objects.get(ip_address="192.0.2.11")
    assert up.bgp_state == BGPState.ESTABLISHED
    assert up.last_established_state == up.last_polled_at
    [warning] = [r.message for r in caplog.records if r.name == "peering.polling"]
    assert warning.startswith("polling r1: no session uptimes from get_bgp_neighbors (")
    assert "'NoneType' object has no attribute 'group'" in warning
