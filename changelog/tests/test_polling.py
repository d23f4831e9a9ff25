"""Polling stores each session's state every few minutes: that is the routers' news, not a
change of the inventory, and the change log stays as it was, from a command or a job, when
the poll succeeds and when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from auditlog.models import LogEntry

from changelog.registry import tracked_fields
from core.choices import BGPState, JobStatus
from core.job_runner import run
from core.jobs import enqueue
from devices.models import Router
from peering.models import AutonomousSystem, DirectPeeringSession, InternetExchangePeeringSession
from peerkeeper.testing import detail_peer, mock_router, run_command, summary, summary_peer

POLLED = [
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_established_state",
    "last_polled_at",
    "configured_on_router",
]


@pytest.fixture
def polled_router(db, tmp_path: Path) -> Router:
    """r1 on NAPALM's mock driver: 192.0.2.11 established, 192.0.2.12 active."""
    detail = {
        "global": {
            "64501": [
                detail_peer(),
                detail_peer(up=False, remote_address="192.0.2.12", connection_state="Active"),
            ]
        }
    }
    answers = {
        "get_bgp_neighbors_detail": detail,
        "get_bgp_neighbors": summary({"192.0.2.11": summary_peer()}),
    }
    router = mock_router(tmp_path, answers, name="r1", template=None)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One")
    for address in ("192.0.2.11", "192.0.2.12", "192.0.2.13"):
        DirectPeeringSession.objects.create(
            router=router, autonomous_system=peer, ip_address=address
        )
    return router


def test_a_poll_records_no_change(polled_router) -> None:
    before = LogEntry.objects.count()
    status, out, err = run_command("poll_bgp_sessions")
    assert status == 0, out + err
    states = dict(DirectPeeringSession.objects.values_list("ip_address", "bgp_state"))
    assert states == {
        "192.0.2.11": BGPState.ESTABLISHED,
        "192.0.2.12": BGPState.ACTIVE,
        "192.0.2.13": None,  # not on the router: marked so
    }
    assert DirectPeeringSession.objects.get(ip_address="192.0.2.13").configured_on_router is False
    assert Router.objects.get(pk=polled_router.pk).last_polled_at is not None
    assert LogEntry.objects.count() == before


def test_a_failed_poll_in_a_job_records_no_change(polled_router, tmp_path) -> None:
    polled_router.napalm_args = {"path": str(tmp_path / "nothing-here")}
    polled_router.save()
    before = LogEntry.objects.count()
    job = enqueue("poll", target=polled_router)
    assert run(str(job.pk)) == JobStatus.FAILED
    assert Router.objects.get(pk=polled_router.pk).last_poll_error
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("model", [DirectPeeringSession, InternetExchangePeeringSession, Router])
def test_what_a_poll_writes_is_not_followed(model) -> None:
    followed = set(tracked_fields(model))
    assert not followed & {*POLLED, "last_poll_error", "retired_session_passwords"}
    # ...while what users edit is.
    assert "description" in followed and "status" in followed
