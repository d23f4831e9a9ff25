"""Run one job inside a worker: claim it, load its target, run its type under the time
limit, record the outcome, and queue the next run of a repeating job. The same code runs
under every task backend."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from changelog.context import Origin, recording
from core.choices import JobStatus
from core.interrupts import Interrupt
from core.job_log import JobLog
from core.job_types import JobOutcome, JobType, captured_loggers, get_job_type, with_article
from core.jobs import JobNotQueued, enqueue_next_run
from core.log_format import storable
from core.models import Job

logger = logging.getLogger(__name__)
STOPPED = (
    "The worker was stopped while the job was running; what it did on the router is "
    "unknown. Enqueue it again to retry."
)


class TimeLimitExceeded(Interrupt):
    """Raised in the job's thread at JOB_TIME_LIMIT. A BaseException, so that no service's
    `except Exception` swallows it, and an Interrupt, so that no driver guard does."""


def run(job_id: str) -> str:
    """Run the job if it is still pending; return its status either way."""
    job = _claim(job_id)
    if job is None:
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        logger.warning("job %s not run: %s", job_id, f"it is {status}" if status else "no such job")
        return status or "missing"
    log = JobLog(job.pk)
    started = time.monotonic()
    # What is recorded if the worker is shut down (SystemExit, KeyboardInterrupt) mid-job.
    outcome = JobOutcome.errored(STOPPED)
    try:
        with log.capturing(captured_loggers()):
            log.info(started_line(job))
            outcome = _outcome(job, log)
    finally:
        _finish(job, outcome, log, time.monotonic() - started)
    return outcome.status


def started_line(job: Job) -> str:
    """The first line of a job's log: where it runs."""
    return f"Started on {job.worker_host} (process {job.worker_pid})."


def _claim(job_id: str) -> Job | None:
    """Mark the job running, atomically, only if it is pending: a job runs at most once."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        started=timezone.now(),
        worker_host=socket.gethostname()[:255],
        worker_pid=os.getpid(),
    )
    if not claimed:
        return None
    return Job.objects.select_related("user", "target_type").get(pk=job_id)


def _outcome(job: Job, log: JobLog) -> JobOutcome:
    try:
        job_type = get_job_type(job.kind)
    except ValueError as exc:
        return JobOutcome.errored(f"{exc} (Is the app that defines it installed?)")
    missing = _load_target(job, job_type)
    if missing is not None:
        return missing
    limit = settings.JOB_TIME_LIMIT
    try:
        # What the job changes in the inventory is recorded as the job's, for its user.
        with time_limit(limit), recording(user=job.user, origin=Origin.JOB, job=str(job.pk)):
            return job_type.run(job, log)
    except TimeLimitExceeded:
        return JobOutcome.failed(
            f"The job did not finish within {limit} s (JOB_TIME_LIMIT) and was stopped."
        )
    except Exception:
        return JobOutcome.errored(traceback.format_exc())


def _load_target(job: Job, job_type: JobType) -> JobOutcome | None:
    """Set `job.target` from the type's queryset; the outcome when it cannot be run."""
    model = job_type.target_model
    if model is None:
        return None
    noun = str(model._meta.verbose_name)
    if job.target_type_id not in (None, ContentType.objects.get_for_model(model).pk):
        about = with_article(job.target_noun or "thing")
        return JobOutcome.errored(
            f"The job is about {about}, but a {job_type.label} job runs on {with_article(noun)}."
        )
    target = job_type.target_queryset().filter(pk=job.target_id).first()
    if job.target_id is None or target is None:
        return JobOutcome.failed(f"The job's {noun} was deleted before the job ran.")
    job.target = target
    return None


def _finish(job: Job, outcome: JobOutcome, log: JobLog, duration_s: float) -> None:
    if outcome.status == JobStatus.ERRORED and log.tracebacks:
        outcome.error = "\n\n".join([outcome.error, *log.tracebacks]).strip()
    log.add(*closing_entry(outcome, duration_s))
    _repeat(job, log)
    Job.objects.filter(pk=job.pk).update(
        status=outcome.status,
        finished=timezone.now(),
        # Output, result and error quote routers, drivers and templates: NUL is written
        # `\x00` there, as PostgreSQL cannot store it.
        output=storable(outcome.output),
        result=storable(outcome.result),
        error=storable(outcome.error),
        log=log.close(),
    )


def closing_entry(outcome: JobOutcome, duration_s: float) -> tuple[str, str]:
    """The (level, message) a job's log ends with: "Completed in 1.2 s.", "Failed: <its
    sentence>" or "Errored: <the error's line>"."""
    if outcome.status == JobStatus.COMPLETED:
        return "info", f"Completed in {duration_s:.1f} s."
    if outcome.status == JobStatus.FAILED:
        return "warning", f"Failed: {_summary(outcome.error)}"
    return "error", f"Errored: {_summary(outcome.error)}"


def _repeat(job: Job, log: JobLog) -> None:
    """Queue the next run of a repeating job; the log says when, or why not."""
    try:
        next_run = enqueue_next_run(job)
    except (ValueError, JobNotQueued) as exc:
        log.warning(f"Not repeated: {exc}")
        return
    except Exception:  # the outcome is recorded all the same
        logger.exception("queueing the next run of job %s failed", job.pk)
        log.error("Not repeated: queueing the next run failed unexpectedly.")
        return
    if next_run is not None:
        when = f"{timezone.localtime(next_run.run_after or timezone.now()):%Y-%m-%d %H:%M:%S %Z}"
        log.info(
            f"Repeats every {next_run.repeat_every} s: the next run is job {next_run.pk}, "
            f"not before {when}."
        )


def _summary(error: str) -> str:
    """One line of an error: its sentence, or a traceback's exception line."""
    lines = [line for line in error.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1].strip() if lines[0].startswith("Traceback") else lines[0]


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in this thread after `seconds` (main thread only, where
    workers run jobs). An alarm set by the worker itself (RQ's) is restored afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> Any:
        raise TimeLimitExceeded

    previous_handler = signal.signal(signal.SIGALRM, expire)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))
