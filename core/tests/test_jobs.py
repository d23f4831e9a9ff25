"""Jobs without a worker: enqueueing the apps' jobs, the jobs commands, the sweep and the
retention. (The job framework itself, with job types of its own: test_jobs_types.py.)"""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from configs.jobs import MIN_COMMIT_CONFIRM
from core.choices import JobStatus
from core.job_maintenance import sweep_stale_jobs
from core.job_runner import run
from core.job_types import get_job_type, kind_choices
from core.jobs import enqueue
from core.models import Job
from devices.models import Platform, Router
from peering.models import InternetExchange
from peerkeeper.testing import run_command


@pytest.fixture
def routers(db) -> dict[str, Router]:
    platform = Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")
    return {
        "edge1": Router.objects.create(name="edge1", hostname="127.0.0.1", platform=platform),
        "edge2": Router.objects.create(
            name="edge2", hostname="127.0.0.2", platform=platform, poll_bgp_sessions_state=False
        ),
        "bare": Router.objects.create(name="bare", hostname="127.0.0.3"),
    }


def _job(router: Router | None, status: str, age: timedelta = timedelta(0), **fields) -> Job:
    name = router.name if router else ""
    job = Job.objects.create(kind="ping", target=router, target_name=name, status=status, **fields)
    moment = timezone.now() - age
    finished = moment if status in {"completed", "failed", "errored"} else None
    Job.objects.filter(pk=job.pk).update(created=moment, started=moment, finished=finished)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("kind", "arguments", "message"),
    [
        ("ping", {"commit_check": True}, "does not take commit_check"),
        ("deploy", {"commit_check": "yes"}, "commit_check must be true or false"),
        ("deploy", {"commit_confirm": 2}, "at least 5 seconds"),
        ("discover", {"dry_run": True}, "needs an Internet exchange"),
        ("discover", {"ixp": 1}, "does not take ixp"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_queued(
    routers, kind, arguments, message
) -> None:
    router = None if kind == "discover" else routers["edge1"]
    with pytest.raises(ValueError, match=message):
        enqueue(kind, target=router, arguments=arguments)
    assert not Job.objects.exists()


def test_a_router_job_needs_a_router_and_a_discovery_an_exchange(routers) -> None:
    with pytest.raises(ValueError, match="A Poll BGP sessions job needs a router."):
        enqueue("poll")
    ixp = InternetExchange(name="IX", slug="ix")
    with pytest.raises(ValueError, match="runs on a router, not on an Internet exchange"):
        enqueue("ping", target=ixp)
    with pytest.raises(ValueError, match="runs on an Internet exchange, not on a router"):
        enqueue("discover", target=routers["edge1"])
    assert not Job.objects.exists()


def test_every_kind_of_the_apps_is_registered_with_its_label(db) -> None:
    assert kind_choices() == [
        ("deploy_dry_run", "Configuration diff (dry run)"),
        ("deploy", "Deploy configuration"),
        ("discover", "Discover IXP sessions"),
        ("irr_refresh", "IRR prefix list refresh"),
        ("peeringdb_sync", "PeeringDB synchronisation"),
        ("ping", "Ping"),
        ("poll", "Poll BGP sessions"),
        ("render", "Render configuration"),
    ]
    # One minimum for a confirmed commit: the deploy job's and configure_routers'.
    [confirm] = [a for a in get_job_type("deploy").arguments if a.name == "commit_confirm"]
    assert confirm.minimum == MIN_COMMIT_CONFIRM == 5


def test_poll_tasks_queue_one_job_per_usable_router_and_print_their_ids(
    routers, transactional_db
) -> None:
    status, out, _ = run_command("poll_bgp_sessions", "--tasks")
    assert status == 0, out
    lines = out.splitlines()
    assert "edge2: skipped: polling is disabled for this router" in lines
    assert "bare: skipped: the router has no platform" in lines
    queued = [line for line in lines if line.startswith("edge1: queued job ")]
    assert len(queued) == 1
    job = Job.objects.get(pk=queued[0].rsplit(" ", 1)[1])
    assert (job.kind, job.target, job.status) == ("poll", routers["edge1"], "pending")
    assert job.target_name == "edge1"
    # The database backend holds the task a worker will take.
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    assert lines[-1] == "3 routers: 1 job queued, 2 skipped"


def test_configure_tasks_skip_routers_without_template_as_a_direct_run_does(
    routers, transactional_db
) -> None:
    status, out, _ = run_command("configure_routers", "--tasks", "--dry-run")
    assert status == 0, out
    assert "edge1: skipped: no configuration template" in out
    assert not Job.objects.exists()


def test_a_job_the_queue_cannot_take_is_errored_and_the_command_fails(
    routers, transactional_db, settings
) -> None:
    # RQ on a closed port of this machine: Redis is "down".
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {settings.JOB_QUEUE: {"URL": "redis://127.0.0.1:9/0"}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [settings.JOB_QUEUE]}
    }
    status, out, _ = run_command("poll_bgp_sessions", "--tasks", "--limit", "edge1")
    assert status == 1
    assert "edge1: not queued: The job could not be queued (rq backend)" in out
    job = Job.objects.get()
    assert job.status == JobStatus.ERRORED
    assert "could not be queued" in job.error


def test_a_finished_job_is_never_run_again(routers) -> None:
    job = _job(routers["edge1"], JobStatus.COMPLETED, output="edge1: reachable (3.1 ms)")
    before = Job.objects.values().get(pk=job.pk)
    assert run(str(job.pk)) == JobStatus.COMPLETED
    assert Job.objects.values().get(pk=job.pk) == before


def test_jobs_lists_recent_jobs_filtered_by_status_and_router(routers) -> None:
    failed = _job(routers["edge1"], JobStatus.FAILED, error="Cannot reach edge1 (127.0.0.1).")
    _job(routers["edge2"], JobStatus.FAILED, error="Cannot reach edge2.")
    _job(routers["edge1"], JobStatus.COMPLETED, output="edge1: reachable (2.0 ms)")
    status, out, _ = run_command("jobs", "--status", "failed", "--router", "edge1")
    assert status == 0
    header, line = out.splitlines()  # a header row, then one line per job
    assert header.startswith("ID ") and "OUTCOME" in header
    assert line.startswith(str(failed.pk))
    assert "failed" in line and "Cannot reach edge1" in line
    status, out, _ = run_command("jobs")
    assert len(out.splitlines()) == 1 + 3
    status, out, _ = run_command("jobs", "--target", "EDGE2", "--kind", "ping")
    assert status == 0 and len(out.splitlines()) == 1 + 1 and "Cannot reach edge2" in out
    status, out, _ = run_command("jobs", "--target", "edge3")
    assert out.strip() == "No jobs."


def test_jobs_json_names_the_target_and_its_type(routers) -> None:
    _job(routers["edge1"], JobStatus.COMPLETED)
    status, out, _ = run_command("jobs", "--json")
    assert status == 0
    [job] = json.loads(out)
    assert (job["target"], job["target_type"], job["router"]) == (
        "edge1",
        "devices.router",
        "edge1",
    )


def test_job_shows_its_log_output_and_error(routers) -> None:
    job = _job(
        routers["edge1"],
        JobStatus.FAILED,
        log=[{"at": "2026-01-01T10:00:00+00:00", "level": "warning", "message": "Failed: no."}],
        output="edge1: unreachable",
        error="Cannot reach edge1 (127.0.0.1): Connection refused.",
    )
    status, out, _ = run_command("job", str(job.pk)[:8])
    assert status == 0, out
    assert f"Job:       {job.pk}" in out
    assert "Kind:      Ping" in out
    assert "Target:    edge1 (router)" in out
    assert "Status:    failed" in out
    assert "warning  Failed: no." in out
    assert "Error:\nCannot reach edge1 (127.0.0.1): Connection refused." in out
    assert "Output:\nedge1: unreachable" in out
    status, _, err = run_command("job", "00000000-0000-0000-0000-000000000000")
    assert status == 1 and "No job" in err
    status, out, _ = run_command("job", str(job.pk), "--json")
    shown = json.loads(out)
    assert (shown["target"], shown["target_type"], shown["router"]) == (
        "edge1",
        "devices.router",
        "edge1",
    )


def test_a_job_keeps_its_targets_name_when_the_target_is_deleted(routers) -> None:
    job = _job(routers["edge1"], JobStatus.COMPLETED)
    assert list(routers["edge1"].jobs.all()) == [job]
    routers["edge1"].delete()
    job = Job.objects.get(pk=job.pk)  # the job is history: it stays
    assert (job.target, job.target_name, job.target_noun) == (None, "edge1", "router")
    _, out, _ = run_command("job", str(job.pk))
    assert "Target:    edge1 (router, deleted)" in out
    _, out, _ = run_command("jobs", "--router", "edge1")
    assert out.splitlines()[1].startswith(str(job.pk))


def test_sweep_errors_jobs_whose_worker_is_gone_and_only_those(routers) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(gone.stdout)
    host = socket.gethostname()
    abandoned = _job(routers["edge1"], JobStatus.RUNNING, worker_host=host, worker_pid=dead_pid)
    alive = _job(routers["edge1"], JobStatus.RUNNING, worker_host=host, worker_pid=os.getpid())
    elsewhere_recent = _job(routers["edge1"], JobStatus.RUNNING, worker_host="other", worker_pid=7)
    elsewhere_overdue = _job(
        routers["edge1"], JobStatus.RUNNING, timedelta(hours=2), worker_host="other", worker_pid=7
    )
    status, out, _ = run_command("jobs", "--sweep")
    assert status == 0
    assert out.strip() == "2 abandoned job(s) marked errored"
    jobs = (abandoned, alive, elsewhere_recent, elsewhere_overdue)
    statuses = {job.pk: Job.objects.get(pk=job.pk) for job in jobs}
    assert statuses[abandoned.pk].status == JobStatus.ERRORED
    assert f"process {dead_pid} on {host}" in statuses[abandoned.pk].error
    assert statuses[abandoned.pk].log[-1]["level"] == "error"
    assert statuses[elsewhere_overdue.pk].status == JobStatus.ERRORED
    assert statuses[alive.pk].status == JobStatus.RUNNING
    assert statuses[elsewhere_recent.pk].status == JobStatus.RUNNING
    assert sweep_stale_jobs() == 0


def test_sweep_errors_pending_jobs_the_queue_lost(routers) -> None:
    lost = _job(routers["edge1"], JobStatus.PENDING, timedelta(minutes=10), task_id="")
    fresh = _job(routers["edge1"], JobStatus.PENDING, task_id="")
    assert sweep_stale_jobs() == 1
    assert Job.objects.get(pk=lost.pk).status == JobStatus.ERRORED
    assert "never reached the task queue" in Job.objects.get(pk=lost.pk).error
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.PENDING


def test_prune_deletes_finished_jobs_older_than_the_retention(routers, settings) -> None:
    settings.JOB_RETENTION_DAYS = 30
    old = _job(routers["edge1"], JobStatus.COMPLETED, timedelta(days=31))
    recent = _job(routers["edge1"], JobStatus.FAILED, timedelta(days=29))
    old_running = _job(routers["edge1"], JobStatus.RUNNING, timedelta(days=31))
    status, out, _ = run_command("jobs", "--prune")
    assert status == 0 and out.splitlines()[0] == "1 old job(s) deleted"
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, old_running.pk}
    assert not Job.objects.filter(pk=old.pk).exists()
    settings.JOB_RETENTION_DAYS = 0  # keep forever
    _job(routers["edge1"], JobStatus.COMPLETED, timedelta(days=3000))
    run_command("jobs", "--prune")
    assert Job.objects.count() == 3
