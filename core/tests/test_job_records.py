"""A command run without `--tasks` leaves one job per router on record, as a worker would
have recorded it: the same kind, arguments, status, output, result and error, started
through the command line by the OS user, and never a "running" job once it ends.

Routers answer through NAPALM's `mock` driver; a platform whose driver is not installed
fails at once, with no connection attempted.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changelog.context import os_user
from configs.deploy import DeployOptions, configure_routers
from configs.jobs import DeployJob, deploy_job
from configs.models import ConfigTemplate
from core.choices import JobOrigin, JobStatus
from core.job_maintenance import sweep_stale_jobs
from core.job_records import INTERRUPTED, record_jobs
from core.job_types import job_display
from core.jobs import enqueue, enqueue_next_run
from core.models import Job
from devices.models import Platform, Router
from devices.selection import select_routers
from peering.jobs import PollJob
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.polling import poll_routers
from peering.queries import session_lines
from peerkeeper.testing import mock_router, run_command, summary, summary_peer

SESSION_PASSWORD = "SessPw-Rec0rd42"
TEMPLATE = (
    "router bgp 64500\n{% for s in sessions %}neighbor {{ s.ip_address }} password "
    "{{ s.password }}\n{% endfor %}"
)
# What the router says differs: the candidate's line, with the session's password.
DIFF = f"+neighbor 192.0.2.11 password {SESSION_PASSWORD}\n"


def _deploying_router(tmp_path: Path, name: str = "m1") -> Router:
    router = mock_router(
        tmp_path / name,
        {
            "load_merge_candidate": {},
            "compare_config": {"diff": DIFF},
            "commit_config": {},
            "discard_config": {},
        },
        name,
        TEMPLATE,
    )
    exchange, _ = InternetExchange.objects.get_or_create(
        slug="ix",
        defaults={"name": "IX", "local_autonomous_system": router.local_autonomous_system},
    )
    link = Connection.objects.create(
        internet_exchange=exchange, router=router, ipv4_address="192.0.2.1/24"
    )
    peer, _ = AutonomousSystem.objects.get_or_create(asn=64501, defaults={"name": "Peer"})
    InternetExchangePeeringSession.objects.create(
        ixp_connection=link, autonomous_system=peer, ip_address="192.0.2.11",
        password=SESSION_PASSWORD,
    )  # fmt: skip
    return router


def _driverless(names: list[str]) -> list[Router]:
    """Routers whose platform's driver is not installed: each fails at once."""
    ours, _ = AutonomousSystem.objects.get_or_create(
        asn=64500, defaults={"name": "Us", "affiliated": True}
    )
    platform, _ = Platform.objects.get_or_create(
        slug="gone", defaults={"name": "Gone", "napalm_driver": "notinstalled"}
    )
    template, _ = ConfigTemplate.objects.get_or_create(name="main", defaults={"template": "x\n"})
    return [
        Router.objects.create(
            name=name, hostname="127.0.0.1", platform=platform,
            local_autonomous_system=ours, config_template=template,
        )
        for name in names
    ]  # fmt: skip


def _row_text(job: Job) -> str:
    """Every field of the job's row, as stored."""
    row = Job.objects.filter(pk=job.pk).values().get()
    return json.dumps(row, default=str)


def test_a_deploy_run_from_a_command_is_recorded_as_the_worker_records_it(
    db, tmp_path: Path
) -> None:
    _deploying_router(tmp_path, "m1")
    _driverless(["broken"])
    Router.objects.create(name="bare", hostname="127.0.0.1")  # skipped: no job

    status, out, _ = run_command("configure_routers", "--json")

    assert status == 1  # `broken` failed: what cron sees is unchanged
    printed = {result["router"]: result for result in json.loads(out)["results"]}
    assert printed["bare"]["status"] == "skipped" and printed["bare"]["job"] is None
    jobs = {job.target_name: job for job in Job.objects.all()}
    assert sorted(jobs) == ["broken", "m1"]
    done, failed = jobs["m1"], jobs["broken"]
    assert printed["m1"]["job"] == str(done.pk) and printed["broken"]["job"] == str(failed.pk)

    assert (done.kind, done.status, done.arguments) == (
        "deploy",
        JobStatus.COMPLETED,
        {"commit_check": True, "replace": False},
    )
    assert (done.origin, done.requested_by, done.user) == (JobOrigin.COMMAND, os_user(), None)
    assert done.result["status"] == "changed" and done.result["note"] == "committed"
    assert job_display(done).summary == "changed: committed"
    assert "+neighbor 192.0.2.11 password" in done.output
    assert done.duration_s == pytest.approx(printed["m1"]["duration_s"], abs=0.002)
    assert done.log[0]["message"].startswith("Started on ")
    assert done.log[-1]["message"].startswith("Completed in ")
    assert SESSION_PASSWORD not in _row_text(done)

    assert failed.status == JobStatus.FAILED
    assert failed.result["category"] == "driver not installed"
    assert failed.error == printed["broken"]["error"]
    assert failed.log[-1] == {**failed.log[-1], "level": "warning"}
    assert failed.log[-1]["message"] == f"Failed: {failed.error}"


def test_a_dry_run_is_recorded_as_a_diff_job(db, tmp_path: Path) -> None:
    _deploying_router(tmp_path, "m1")
    status, out, _ = run_command("configure_routers", "--dry-run", "--limit", "m1")
    job = Job.objects.get()
    assert status == 0 and "would change (dry run)" in out
    assert (job.kind, job.arguments, job.status) == (
        "deploy_dry_run",
        {"replace": False},
        JobStatus.COMPLETED,
    )
    assert SESSION_PASSWORD not in _row_text(job)


def test_routers_the_job_type_skips_get_no_job(db, tmp_path: Path) -> None:
    Router.objects.create(name="bare", hostname="127.0.0.1")
    _driverless(["broken"])
    Router.objects.filter(name="broken").update(poll_bgp_sessions_state=False)

    status, out, _ = run_command("poll_bgp_sessions")

    assert "bare: skipped" in out and "broken: skipped" in out
    assert status == 0 and not Job.objects.exists()


@pytest.fixture
def interrupting_port() -> Iterator[int]:
    """A loopback port whose server, when a router's connection reaches it, interrupts
    this process (SIGINT: Ctrl-C) and then never answers: Ctrl-C mid-batch."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted: list[socket.socket] = []

    def serve() -> None:
        try:
            accepted.append(listener.accept()[0])
        except OSError:  # closed at teardown without a connection
            return
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    # Ctrl-C as a shell delivers it: an earlier test in this process (a worker's graceful
    # stop) may have left its own SIGINT handler.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield listener.getsockname()[1]
    finally:
        signal.signal(signal.SIGINT, previous)
    listener.close()
    for client in accepted:
        client.close()
    thread.join(5)


def test_ctrl_c_mid_batch_leaves_no_running_job(db, interrupting_port: int) -> None:
    [hung] = _driverless(["hung"])
    hung.platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
    hung.napalm_args, hung.napalm_timeout = {"port": interrupting_port}, 3
    hung.save()
    _driverless(["broken"])

    with pytest.raises(SystemExit) as exit_status:
        run_command("configure_routers")

    assert exit_status.value.code == 130
    jobs = list(Job.objects.all())
    assert len(jobs) == 2
    assert {job.status for job in jobs} == {JobStatus.FAILED}
    assert {job.error for job in jobs} == {INTERRUPTED}
    assert all(job.finished is not None for job in jobs)


def test_an_abandoned_record_is_ended_by_the_stale_job_sweep(db, tmp_path: Path) -> None:
    [router] = _driverless(["broken"])
    records = record_jobs(DeployJob, [router], {"commit_check": True})
    records.__enter__()  # the command's process dies here, before any outcome
    job = Job.objects.get()
    assert (job.status, job.worker_pid) == (JobStatus.RUNNING, os.getpid())
    # As seen from another process: this one's pid is gone.
    Job.objects.filter(pk=job.pk).update(worker_pid=2**22 + 1)

    assert sweep_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.ERRORED and "stopped before the job finished" in job.error


@pytest.mark.parametrize("count", [1, 20])
def test_recording_takes_the_same_queries_for_1_or_20_routers(db, count: int) -> None:
    routers = _driverless([f"r{index:02}" for index in range(count)])
    routers = select_routers(None)
    options = DeployOptions()
    results = configure_routers(routers, options)
    job_type, arguments = deploy_job(options)

    with (
        CaptureQueriesContext(connection) as queries,
        record_jobs(job_type, routers, arguments) as records,
    ):
        records.finish(results)

    assert len(queries) == 2  # one insert, one update
    assert Job.objects.filter(status=JobStatus.FAILED).count() == count


def test_a_discovery_run_links_its_changes_to_its_job(db, tmp_path: Path) -> None:
    neighbours = {"get_bgp_neighbors": summary({"192.0.2.12": summary_peer(remote_as=64502)})}
    router = mock_router(tmp_path / "r1", neighbours, "r1", None)
    exchange = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    Connection.objects.create(
        internet_exchange=exchange, router=router, ipv4_address="192.0.2.1/24"
    )

    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    status, out, _ = run_command("discover_ixp_sessions", "ix", "--json")

    job = Job.objects.get()
    assert status == 0 and json.loads(out)["job"] == str(job.pk)
    assert (job.kind, job.target_name, job.status) == ("discover", "IX", JobStatus.COMPLETED)
    created = LogEntry.objects.filter(pk__gt=before, action=LogEntry.Action.CREATE)
    assert created.exists()
    assert {entry.additional_data.get("job") for entry in created} == {str(job.pk)}


def test_each_door_names_itself_and_who_asked(db, admin_user, client, api) -> None:
    [router] = _driverless(["r1"])
    client.force_login(admin_user)
    client.post(reverse("devices:router_ping", args=[router.pk]))
    from_page = Job.objects.get()
    assert (from_page.origin, from_page.requested_by) == (JobOrigin.PAGE, admin_user.username)

    response = api.post(f"/api/devices/routers/{router.pk}/ping/", {})
    assert response.status_code == 202, response.content
    from_api = Job.objects.get(pk=response.json()["id"])
    assert (from_api.origin, from_api.requested_by) == (JobOrigin.API, admin_user.username)
    assert response.json()["origin"] == "api"

    repeating = enqueue("ping", router, admin_user, repeat_every=60, origin=JobOrigin.API)
    next_run = enqueue_next_run(repeating)
    assert (next_run.origin, next_run.requested_by) == (JobOrigin.SCHEDULE, admin_user.username)

    run_command("configure_routers", "--tasks", "--limit", "r1")
    queued = Job.objects.get(kind="deploy")
    assert (queued.origin, queued.requested_by) == (JobOrigin.COMMAND, os_user())

    page = client.get(reverse("core:job_list"), {"origin": "schedule"}).content.decode()
    assert f"{admin_user.username} · schedule" in page and "· page" not in page


@pytest.mark.parametrize("count", [1, 20])
def test_recording_polls_takes_the_same_queries_for_1_or_20_routers(
    db, tmp_path: Path, count: int
) -> None:
    answers = {"get_bgp_neighbors": summary({"192.0.2.11": summary_peer()})}
    routers = [mock_router(tmp_path / f"m{i}", answers, f"m{i:02}") for i in range(count)]
    link = _deploying_router(tmp_path, "other").connections.get()
    link.router = routers[0]
    link.save()  # m00 has a session, polled: its job lists it
    routers = select_routers(None)
    polled = [router for router in routers if router.name != "other"]
    results = poll_routers(polled)

    with (
        CaptureQueriesContext(connection) as queries,
        record_jobs(PollJob, polled) as records,
    ):
        records.finish(results)

    assert len(queries) == 5  # insert; the routers and their sessions of two kinds; update
    first = Job.objects.get(target_name="m00")
    assert first.status == JobStatus.COMPLETED
    assert first.output == "\n".join([results[0].summary, *session_lines(polled[0])])
    assert "192.0.2.11 AS64501 Peer: established" in first.output


def test_the_jobs_command_lists_who_started_each_job_and_its_outcome(db) -> None:
    _driverless(["broken"])
    run_command("configure_routers")
    job = Job.objects.get()

    _, out, _ = run_command("jobs", "--origin", "command")

    header, line = out.splitlines()
    assert header.split() == [
        "ID", "CREATED", "KIND", "TARGET", "STATUS", "ORIGIN", "BY", "DURATION", "OUTCOME"
    ]  # fmt: skip
    # The outcome's line, shortened to 60 characters.
    assert line.startswith(str(job.pk)) and job_display(job).summary[:50] in line
    assert line.split()[4:8] == ["broken", "failed", "command", os_user()]
    assert run_command("jobs", "--origin", "page")[1] == "No jobs.\n"
