"""Jobs against the lab's real routers: polls on two RQ workers, a deploy on the database
worker."""

import re

from core.choices import JobStatus
from core.jobs import enqueue
from core.models import Job
from devices.models import Router
from peering.models import (
    POLLED_FIELDS,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import run_command, wait_for_job

JOB_LINE = re.compile(r"^(?P<router>\S+): queued job (?P<job>[0-9a-f-]{36})$", re.MULTILINE)
# A session's state; the times (polled at, established since) differ from poll to poll.
COMPARED = [
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "configured_on_router",
]


def _queued(out: str) -> dict[str, Job]:
    return {m["router"]: Job.objects.get(pk=m["job"]) for m in JOB_LINE.finditer(out)}


def _mirror(router: Router, name: str) -> Router:
    """A second inventory router on the same lab device, with the same sessions."""
    mirror = Router.objects.get(pk=router.pk)
    mirror.pk, mirror.name = None, name
    mirror.save()
    for session in DirectPeeringSession.objects.filter(router=router):
        session.pk, session.router = None, mirror
        session.save()
    for connection in Connection.objects.filter(router=router):
        sessions = list(connection.sessions.all())
        connection.pk, connection.router = None, mirror
        connection.save()
        for session in sessions:
            session.pk, session.ixp_connection = None, connection
            session.save()
    return mirror


def _polled_state() -> dict[tuple[str, str], tuple]:
    state = {}
    for model, router in (
        (DirectPeeringSession, "router__name"),
        (InternetExchangePeeringSession, "ixp_connection__router__name"),
    ):
        for row in model.objects.values(router, "ip_address", *COMPARED):
            key = (row.pop(router), row.pop("ip_address"))
            state[key] = tuple(row[name] for name in COMPARED)
    return state


def _forget_polled_state() -> None:
    for model in (DirectPeeringSession, InternetExchangePeeringSession):
        model.objects.update(**dict.fromkeys(POLLED_FIELDS))


def test_poll_tasks_on_two_rq_workers_store_what_a_direct_poll_stores(
    demo_inventory, lab, rq_backend, job_workers
) -> None:
    _mirror(demo_inventory, "r1-mirror")
    quiet = _mirror(demo_inventory, "r1-quiet")
    Router.objects.filter(pk=quiet.pk).update(poll_bgp_sessions_state=False)
    lab.wait_established("r1", timeout=30, prefixes=True)
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    direct = _polled_state()
    _forget_polled_state()

    job_workers.start()
    job_workers.start()
    status, out, _ = run_command("poll_bgp_sessions", "--tasks")
    assert status == 0, out
    assert "r1-quiet: skipped: polling is disabled for this router" in out
    jobs = _queued(out)
    assert set(jobs) == {"r1", "r1-mirror"}
    for router, job in jobs.items():
        job = wait_for_job(job, timeout=90)
        assert job.status == JobStatus.COMPLETED, job.error
        assert job.kind == "poll" and job.target.name == router
        assert job.output.startswith(f"{router}: 6 sessions, ")
        assert "192.0.2.12 AS64502 Peer Two: established (10000 received" in job.output
        assert "192.0.2.13 AS64503 Peer Three: not configured on the router" in job.output
    assert _polled_state() == direct


def test_deploy_task_on_the_database_worker_deploys_and_keeps_the_diff(
    demo_inventory, lab, job_worker
) -> None:
    assert "192.0.2.13" not in lab.router("r1").vtysh("show running-config")
    status, out, _ = run_command("configure_routers", "--tasks", "--limit", "r1")
    assert status == 0, out
    job = wait_for_job(_queued(out)["r1"], timeout=90)
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.kind == "deploy"
    assert "neighbor 192.0.2.13 remote-as 64503" in job.output
    assert job.result["status"] == "changed" and job.result["committed"] is True
    assert "configure r1: changed: committed" in [entry["message"] for entry in job.log]
    assert "neighbor 192.0.2.13 remote-as 64503" in lab.router("r1").vtysh("show running-config")

    status, out, _ = run_command("configure_routers", "--tasks", "--dry-run", "--limit", "r1")
    again = wait_for_job(_queued(out)["r1"], timeout=90)
    assert again.kind == "deploy_dry_run"
    assert again.status == JobStatus.COMPLETED, again.error
    assert again.output.startswith("r1: unchanged")


def test_ping_and_discovery_jobs_read_the_lab_router(demo_inventory, lab, job_worker) -> None:
    ping = wait_for_job(enqueue("ping", target=demo_inventory), timeout=60)
    assert ping.status == JobStatus.COMPLETED, ping.error
    assert re.fullmatch(r"r1: reachable \([\d.]+ ms\)", ping.output)

    ixp = InternetExchange.objects.get(slug="demo-ix")
    InternetExchangePeeringSession.objects.filter(ip_address="192.0.2.12").delete()
    discovery = wait_for_job(enqueue("discover", target=ixp, arguments={"dry_run": True}), 60)
    assert discovery.status == JobStatus.COMPLETED, discovery.error
    assert discovery.target == ixp
    assert "  would create 192.0.2.12 AS64502" in discovery.output.splitlines()
    [report] = discovery.result["results"]
    assert report["created"] == [{"address": "192.0.2.12", "asn": 64502, "why": ""}]
    assert not InternetExchangePeeringSession.objects.filter(ip_address="192.0.2.12").exists()
