"""Background jobs: `enqueue()` records a Job and hands its id to the task backend.

The backend (django-tasks: a database queue by default, RQ on Redis for production) only
carries the job's id to a worker; everything a user reads (status, log, output, result,
error) lives in the Job row. The worker runs `run_job`, which claims the job, runs its
type (core.job_types) and records the outcome (core/job_runner.py).

A job enqueued with `repeat_every` (seconds) repeats: when it finishes, whatever its
status, the runner enqueues the next run (a new Job, `repeat_of` this one) to start no
earlier than this one's start plus `repeat_every`. `cancel_job` ends the repetition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_tasks import task

from changelog.context import Origin, current_recording, os_user
from core.choices import JobOrigin, JobStatus
from core.job_types import JobType, get_job_type
from core.models import Job
from core.operations import InputError

# The characters of a target's name kept on the job (Job.target_name).
TARGET_NAME_LENGTH = Job._meta.get_field("target_name").max_length
MAX_REPEAT_EVERY = 366 * 24 * 3600  # a year, in seconds
REQUESTED_BY_LENGTH = Job._meta.get_field("requested_by").max_length
# The job's door for each door of the change log (the admin is a page; a job that starts
# another is its schedule).
_JOB_ORIGINS = {
    Origin.PAGE: JobOrigin.PAGE,
    Origin.ADMIN: JobOrigin.PAGE,
    Origin.API: JobOrigin.API,
    Origin.COMMAND: JobOrigin.COMMAND,
    Origin.JOB: JobOrigin.SCHEDULE,
}


class JobNotQueued(Exception):
    """The task backend refused the job (Redis unreachable, say); the Job is marked errored."""


def enqueue(
    job_type: JobType | type[JobType] | str,
    target: Model | None = None,
    user: Any = None,
    arguments: dict[str, Any] | None = None,
    repeat_every: int | None = None,
    *,
    run_after: datetime | None = None,
    repeat_of: Job | None = None,
    origin: str | None = None,
    requested_by: str | None = None,
) -> Job:
    """Create the Job (pending) and queue it; a worker runs it.

        `job_type` is a registered JobType (class or instance) or its kind; `target` what the
        job is about (an instance of the type's target_model; None for a type without one);
        `arguments` are checked against the type's; `repeat_every` (whole seconds, from 1 to
        MAX_REPEAT_EVERY) makes the job repeat; `run_after` (an aware datetime) delays it.
    `origin` (a JobOrigin value) is the door it was started through, `requested_by` the name
    of who asked; by default both come from the door's change-log context (`job_requester`).

        Raises ValueError (one sentence) for anything the type does not accept, and
        JobNotQueued when the backend cannot take the job (the Job is then errored)."""
    job_type = get_job_type(job_type)
    checked = job_type.check_arguments(arguments)
    job_type.check_target(target)
    check_repeat_every(repeat_every)
    if run_after is not None and timezone.is_naive(run_after):
        raise ValueError("run_after must be an aware datetime.")
    user = user if getattr(user, "is_authenticated", False) else None
    origin, who = job_requester(user, origin)
    job = Job.objects.create(
        kind=job_type.kind,
        target=target,
        target_name=str(target)[:TARGET_NAME_LENGTH] if target is not None else "",
        user=user,
        origin=origin,
        requested_by=(who if requested_by is None else requested_by)[:REQUESTED_BY_LENGTH],
        arguments=checked,
        repeat_every=repeat_every,
        run_after=run_after,
        repeat_of=repeat_of,
    )
    # After commit, so that a worker never takes the job before its row is visible.
    transaction.on_commit(partial(_submit, job))
    return job


def job_requester(user: Any = None, origin: str | None = None) -> tuple[str, str]:
    """(origin, requested_by) of a job started now: `origin` if given (ValueError unless a
    JobOrigin value), else the door of the change-log context this code runs in (a page,
    the API, a command; outside any door, a command); who asked is `user`'s username, else
    the context's name for who acts (a command's OS user), else the OS user for a command."""
    context = current_recording()
    if origin is None:
        origin = _JOB_ORIGINS.get(context.origin, JobOrigin.COMMAND) if context else "command"
    if origin not in JobOrigin.values:
        raise ValueError(f"Unknown job origin {origin!r}: one of {', '.join(JobOrigin.values)}.")
    if getattr(user, "is_authenticated", False):
        return origin, user.get_username()
    who = context.who if context is not None else None
    if not who and origin == JobOrigin.COMMAND:
        who = os_user()
    return origin, who or ""


def _submit(job: Job) -> None:
    try:
        # Both backends defer: the database one by its `run_after` column, RQ through its
        # scheduled-job registry, which only a worker started with its scheduler moves to
        # the queue (`manage.py worker` starts it). RQ keeps whole seconds, cut down: the
        # time is rounded up, so that a job never starts before its run_after.
        run_after = job.run_after
        if run_after is not None and run_after.microsecond:
            run_after = run_after.replace(microsecond=0) + timedelta(seconds=1)
        queued = run_job.using(queue_name=settings.JOB_QUEUE, run_after=run_after)
        result = queued.enqueue(str(job.pk))
    except Exception as exc:
        job.status, job.finished = JobStatus.ERRORED, timezone.now()
        job.error = f"The job could not be queued ({settings.TASKS_BACKEND} backend): {exc}"
        Job.objects.filter(pk=job.pk).update(
            status=job.status, finished=job.finished, error=job.error
        )
        raise JobNotQueued(job.error) from exc
    job.task_id = result.id
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def enqueue_next_run(job: Job) -> Job | None:
    """Queue the next run of `job` if it still repeats (`cancel_job` may have stopped it
    meanwhile): same type, target, user, arguments and interval, not before this run's
    start plus the interval. None when it does not repeat; ValueError or JobNotQueued
    as `enqueue` (its target was deleted, say)."""
    every = Job.objects.filter(pk=job.pk).values_list("repeat_every", flat=True).first()
    if not every:
        return None
    not_before = (job.started or timezone.now()) + timedelta(seconds=every)
    return enqueue(
        job.kind,
        target=job.target,
        user=job.user,
        arguments=job.arguments,
        repeat_every=every,
        run_after=not_before if not_before > timezone.now() else None,
        repeat_of=job,
        origin=JobOrigin.SCHEDULE,
        requested_by=job.requested_by,  # who set the schedule up
    )


def check_repeat_every(repeat_every: Any) -> None:
    """InputError unless `repeat_every` is None or whole seconds from 1 to a year."""
    if repeat_every is not None and (
        isinstance(repeat_every, bool)
        or not isinstance(repeat_every, int)
        or not 1 <= repeat_every <= MAX_REPEAT_EVERY
    ):
        raise InputError(
            f"repeat_every must be a whole number of seconds, from 1 to {MAX_REPEAT_EVERY}."
        )


def cancel_job(job: Job, by: str = "") -> str:
    """Stop a job: a pending one never runs (it ends failed, "Cancelled ..."), so it does
    not repeat either; a running one that repeats finishes but is not repeated. Any run of
    a repeating job stops the series (its latest run is the one stopped). Returns what
    was done, in a sentence; ValueError when there is nothing to stop."""
    asked = job
    while (later := Job.objects.filter(repeat_of=job).order_by("created").first()) is not None:
        job = later  # a repeating job's series is stopped by any of its runs
    about = f"Job {job.pk}" if job.pk == asked.pk else f"Job {job.pk} (the run after {asked.pk})"
    who = f" by {by}" if by else ""
    now = timezone.now()
    message = f"Cancelled{who} before it ran."
    entry = {"at": now.isoformat(), "level": "warning", "message": message}
    cancelled = Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.FAILED,
        finished=now,
        error=message,
        log=[*job.log, entry],
        repeat_every=None,
    )
    if cancelled:
        return f"{about} cancelled: it will not run."
    # Running, or finished an instant ago and about to queue its next run (the runner
    # reads repeat_every again first).
    stopped = Job.objects.filter(pk=job.pk, repeat_every__isnull=False).update(repeat_every=None)
    if stopped:
        job.refresh_from_db(fields=["status"])
        return f"{about} is {job.status}: it will not be repeated."
    job.refresh_from_db(fields=["status"])
    raise ValueError(f"{about} is {job.status}: there is nothing to cancel.")


@task(queue_name=settings.JOB_QUEUE)
def run_job(job_id: str) -> str:
    """Run one job and return its final status. Running it again does nothing."""
    from core.job_runner import run  # which imports this module

    return run(job_id)
