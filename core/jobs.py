"""Background jobs: `enqueue()` records a Job and hands its id to the task backend.

The backend (django-tasks: a database queue by default, RQ on Redis for production) only
carries the job's id to a worker; everything a user reads (status, log, output, result,
error) lives in the Job row. The worker runs `run_job`, which claims the job, calls the
service through the kind's handler and records the outcome (core/job_runner.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.choices import JobKind, JobStatus
from core.models import Job

# The function that runs each kind of job: handler(job, log) -> JobOutcome.
HANDLERS = {
    JobKind.PING: "devices.jobs.ping",
    JobKind.RENDER: "configs.jobs.render",
    JobKind.DEPLOY_DRY_RUN: "configs.jobs.deploy_dry_run",
    JobKind.DEPLOY: "configs.jobs.deploy",
    JobKind.POLL: "peering.jobs.poll",
    JobKind.DISCOVER: "peering.jobs.discover",
}
# The arguments each kind accepts: name -> (type, required).
ARGUMENTS: dict[JobKind, dict[str, tuple[type, bool]]] = {
    JobKind.DEPLOY: {
        "commit_check": (bool, False),
        "replace": (bool, False),
        "commit_confirm": (int, False),
    },
    JobKind.DEPLOY_DRY_RUN: {"replace": (bool, False)},
    JobKind.DISCOVER: {"ixp": (int, True), "dry_run": (bool, False)},
}
# Kinds that work on an Internet exchange rather than on one router.
WITHOUT_ROUTER = frozenset({JobKind.DISCOVER})
MIN_COMMIT_CONFIRM = 5


class JobNotQueued(Exception):
    """The task backend refused the job (Redis unreachable, say); the Job is marked errored."""


@dataclass
class JobOutcome:
    """What a handler reports: the job's final status and what the user reads."""

    status: JobStatus
    output: str = ""
    result: Any = None
    error: str = ""

    @classmethod
    def completed(cls, output: str, result: Any = None) -> JobOutcome:
        return cls(JobStatus.COMPLETED, output, result)

    @classmethod
    def failed(cls, error: str, output: str = "", result: Any = None) -> JobOutcome:
        """The device or the input said no: a clear sentence, no traceback."""
        return cls(JobStatus.FAILED, output, result, error)

    @classmethod
    def errored(cls, error: str, output: str = "", result: Any = None) -> JobOutcome:
        """Our bug or an unexpected exception; the runner adds the traceback."""
        return cls(JobStatus.ERRORED, output, result, error)


def _checked_arguments(kind: JobKind, arguments: dict[str, Any]) -> dict[str, Any]:
    accepted = ARGUMENTS.get(kind, {})
    unknown = sorted(set(arguments) - set(accepted))
    if unknown:
        raise ValueError(f"A {kind.label} job does not take {', '.join(unknown)}.")
    for name, (expected, required) in accepted.items():
        value = arguments.get(name)
        if value is None:
            if required:
                raise ValueError(f"A {kind.label} job needs {name}.")
            continue
        # bool is an int to Python, not to a user.
        if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
            wanted = "true or false" if expected is bool else "a whole number"
            raise ValueError(f"{name} must be {wanted}.")
    confirm = arguments.get("commit_confirm")
    if confirm is not None and confirm < MIN_COMMIT_CONFIRM:
        raise ValueError(f"commit_confirm must be at least {MIN_COMMIT_CONFIRM} seconds.")
    return dict(arguments)


def enqueue(
    kind: JobKind | str,
    router: Any = None,
    user: Any = None,
    arguments: dict[str, Any] | None = None,
) -> Job:
    """Create the Job (pending) and queue it; a worker runs it. Raises ValueError for bad
    input and JobNotQueued when the backend cannot take it."""
    kind = JobKind(kind)
    arguments = _checked_arguments(kind, arguments or {})
    if router is None and kind not in WITHOUT_ROUTER:
        raise ValueError(f"A {kind.label} job needs a router.")
    job = Job.objects.create(
        kind=kind,
        router=router,
        user=user if getattr(user, "is_authenticated", False) else None,
        arguments=arguments,
    )
    # After commit, so that a worker never takes the job before its row is visible.
    transaction.on_commit(partial(_submit, job))
    return job


def _submit(job: Job) -> None:
    try:
        result = run_job.using(queue_name=settings.JOB_QUEUE).enqueue(str(job.pk))
    except Exception as exc:
        job.status, job.finished = JobStatus.ERRORED, timezone.now()
        job.error = f"The job could not be queued ({settings.TASKS_BACKEND} backend): {exc}"
        Job.objects.filter(pk=job.pk).update(
            status=job.status, finished=job.finished, error=job.error
        )
        raise JobNotQueued(job.error) from exc
    job.task_id = result.id
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


@task(queue_name=settings.JOB_QUEUE)
def run_job(job_id: str) -> str:
    """Run one job and return its final status. Running it again does nothing."""
    from core.job_runner import run  # the handlers import the other apps' services

    return run(job_id)
