"""Keep the job table truthful: jobs whose worker is gone end errored, old jobs are pruned
(and old change-log entries, changelog.retention).

Workers run this when they start and every MAINTENANCE_INTERVAL seconds; `manage.py jobs
--sweep` and `--prune` run it by hand.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from changelog.retention import prune_changelog
from core.choices import JobStatus
from core.jobs import enqueue_next_run
from core.models import FINISHED_STATUSES, Job

logger = logging.getLogger(__name__)
MAINTENANCE_INTERVAL = 60  # seconds between a worker's sweeps
# A running job is abandoned when it outlives JOB_TIME_LIMIT by this much (its own limit
# fires first; this covers workers on other hosts that died).
STALE_GRACE = timedelta(seconds=120)
# A pending job is checked against the backend only after this long (it may still be on
# its way to the queue before that).
LOST_AFTER = timedelta(minutes=5)


@dataclass
class MaintenanceReport:
    swept: int = 0
    pruned: int = 0
    changes_pruned: int = 0  # change-log entries older than CHANGELOG_RETENTION_DAYS


def process_alive(pid: int) -> bool:
    """Whether a process of this host runs (a zombie, killed but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in {"Z", "X"}


def _stale_reason(host: str, pid: int | None, started: datetime | None, now: datetime) -> str:
    this_host = socket.gethostname()
    if host == this_host and pid and not process_alive(pid):
        return f"Its worker (process {pid} on {host}) stopped before the job finished."
    overdue = timedelta(seconds=settings.JOB_TIME_LIMIT) + STALE_GRACE
    if started is not None and now - started > overdue:
        return (
            f"It was still marked running {int(overdue.total_seconds())} s after it started, "
            f"beyond JOB_TIME_LIMIT; its worker (process {pid} on {host}) probably stopped."
        )
    return ""


def _lost_reason(task_id: str) -> str:
    if not task_id:
        return "It never reached the task queue."
    try:
        result = default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return "The task queue no longer has it."
    if result.is_finished:
        return f"The task queue ended it ({result.status.lower()}) without running it."
    return ""


class WorkerLost(Exception):
    """Recorded on the database backend's task when its worker died mid-job."""


def _fail_database_task(task_id: str, reason: str) -> None:
    """The database backend leaves a dead worker's task running forever: end it too."""
    if settings.TASKS_BACKEND != "database" or not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.filter(id=task_id, status="RUNNING").first()
    if task is not None:
        task.set_failed(WorkerLost(reason))


def _mark_errored(pk: Any, expected: str, reason: str, now: datetime) -> bool:
    job = Job.objects.filter(pk=pk, status=expected).only("log", "task_id").first()
    if job is None:
        return False
    message = f"{reason} Enqueue it again to retry."
    entry = {"at": now.isoformat(), "level": "error", "message": f"Errored: {message}"}
    # Conditional on the status read above: a job that just finished keeps its outcome.
    marked = Job.objects.filter(pk=pk, status=expected).update(
        status=JobStatus.ERRORED, finished=now, error=message, log=[*job.log, entry]
    )
    if marked and expected == JobStatus.RUNNING:
        _fail_database_task(job.task_id, reason)
    if marked:
        _repeat(pk)
    return bool(marked)


def _repeat(pk: Any) -> None:
    """A repeating job the sweep ends (its worker died, the queue lost it) is repeated, as
    the runner repeats the jobs it finishes."""
    job = Job.objects.select_related("user", "target_type").get(pk=pk)
    if not job.repeat_every:
        return
    try:
        enqueue_next_run(job)
    except Exception as exc:  # the target was deleted, the queue is down: not repeated
        logger.warning("job %s was not repeated: %s", pk, exc)


def sweep_stale_jobs() -> int:
    """Mark errored the running jobs whose worker is gone and the pending jobs the task
    queue lost; return how many."""
    now = timezone.now()
    stale: list[tuple[Any, str, str]] = []
    running = Job.objects.filter(status=JobStatus.RUNNING)
    for pk, host, pid, started in running.values_list("pk", "worker_host", "worker_pid", "started"):
        reason = _stale_reason(host, pid, started, now)
        if reason:
            stale.append((pk, JobStatus.RUNNING, reason))
    pending = Job.objects.filter(status=JobStatus.PENDING, created__lt=now - LOST_AFTER)
    try:
        for pk, task_id in pending.values_list("pk", "task_id"):
            reason = _lost_reason(task_id)
            if reason:
                stale.append((pk, JobStatus.PENDING, reason))
    except Exception as exc:  # the queue is unreachable: check pending jobs next time
        logger.warning("checking pending jobs against the task queue failed: %s", exc)
    swept = sum(_mark_errored(pk, status, reason, now) for pk, status, reason in stale)
    if swept:
        logger.warning("marked %d abandoned job(s) errored", swept)
    return swept


def prune_jobs(days: int | None = None) -> int:
    """Delete jobs (and the database backend's task records) finished more than `days`
    (JOB_RETENTION_DAYS; 0 keeps everything) ago; return how many jobs."""
    days = settings.JOB_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    pruned, _ = Job.objects.filter(status__in=FINISHED_STATUSES, finished__lt=cutoff).delete()
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return pruned


def run_maintenance(prune: bool = True) -> MaintenanceReport:
    """Sweep, then prune; never raises (a worker must keep working when this fails)."""
    report = MaintenanceReport()
    try:
        report.swept = sweep_stale_jobs()
        if prune:
            report.pruned = prune_jobs()
            report.changes_pruned = prune_changelog()
    except Exception:
        logger.exception("job maintenance failed")
    return report
