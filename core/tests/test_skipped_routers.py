"""A router NAPALM must not or cannot be used on (disabled, without a platform, or whose
platform has no driver) is skipped by every operation, as polls and deployments skip it:
a line that says why, never a failure. Commands exit 0 when nothing else failed, and a
discovery job whose connections were all skipped completes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.choices import JobStatus, Status
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import mock_answers, run_command, summary, summary_peer


@pytest.fixture
def fleet(db, tmp_path: Path) -> InternetExchange:
    """`up` answers through NAPALM's mock driver; `off` is disabled, `bare` has no
    platform, `nodriver`'s platform has no driver. All four are on one IXP (`off` twice)."""
    mock_answers(tmp_path, {"get_bgp_neighbors": summary({"192.0.2.11": summary_peer()})})
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    manual = Platform.objects.create(name="Manual", slug="manual", napalm_driver="")
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    routers = [
        ("bare", {"platform": None}),
        ("nodriver", {"platform": manual}),
        ("off", {"platform": mock, "status": Status.DISABLED}),
        ("up", {"platform": mock, "napalm_args": {"path": str(tmp_path)}}),
    ]
    for index, (name, fields) in enumerate(routers, start=1):
        router = Router.objects.create(name=name, hostname="127.0.0.1", **fields)
        Connection.objects.create(
            internet_exchange=ixp, router=router, ipv4_address=f"192.0.2.{index}/24"
        )
    off = Router.objects.get(name="off")
    Connection.objects.create(internet_exchange=ixp, router=off, ipv6_address="2001:db8::3/64")
    return ixp


SKIPPED = [
    "bare: skipped: the router has no platform",
    "nodriver: skipped: platform Manual has no NAPALM driver",
    "off: skipped: the router is disabled",
]


def test_ping_skips_the_routers_it_cannot_use(fleet) -> None:
    status, out, err = run_command("ping_routers")
    assert status == 0, out + err
    lines = out.splitlines()
    assert lines[:3] == SKIPPED
    assert lines[3].startswith("up: reachable (")
    assert lines[4] == "4 routers: 1 reachable, 0 failed, 3 skipped"

    status, out, _ = run_command("ping_routers", "--limit", "off", "--json")
    assert status == 0
    [result] = json.loads(out)["results"]
    assert (result["ok"], result["skipped"], result["error"]) == (
        True,
        "the router is disabled",
        None,
    )


def test_a_skipped_router_does_not_hide_a_failed_one(fleet) -> None:
    Router.objects.filter(name="up").update(napalm_args={"fail_on_open": True})
    status, out, _ = run_command("ping_routers")
    assert status == 1
    assert out.splitlines()[-1] == "4 routers: 0 reachable, 1 failed, 3 skipped"


def test_a_ping_job_of_a_skipped_router_says_so(fleet) -> None:
    """As a poll or a deployment job of one such router: what was asked was not done."""
    job = enqueue("ping", target=Router.objects.get(name="off"))
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error == "off was skipped: the router is disabled."
    assert job.output == "off: skipped: the router is disabled"
    assert job.result["skipped"] == "the router is disabled"


def test_discovery_skips_the_connections_of_routers_it_cannot_use(fleet) -> None:
    status, out, err = run_command("discover_ixp_sessions", "ix")
    assert status == 0, out + err
    lines = out.splitlines()
    for line in SKIPPED:
        assert f"IX on {line}" in lines
    # Both of off's connections say why.
    assert sum(line == "IX on off: skipped: the router is disabled" for line in lines) == 2
    assert "IX on up: 1 created, 0 already known, 0 ignored" in lines
    assert lines[-1] == "5 connections: 1 read, 0 failed, 4 skipped; 1 session created"
    assert InternetExchangePeeringSession.objects.get().ip_address == "192.0.2.11"

    status, out, _ = run_command("discover_ixp_sessions", "ix", "--json")
    reports = {(r["router"], r["skipped"]) for r in json.loads(out)["results"]}
    assert ("off", "the router is disabled") in reports
    assert all(r["ok"] for r in json.loads(out)["results"])


def test_a_discovery_job_with_only_skipped_connections_completes(fleet) -> None:
    Connection.objects.filter(router__name="up").delete()
    job = enqueue("discover", target=fleet)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.COMPLETED, job.error
    assert "IX on bare: skipped: the router has no platform" in job.output.splitlines()
    assert job.output.splitlines()[-1] == (
        "4 connections: 0 read, 0 failed, 4 skipped; 0 sessions created"
    )
