"""Jobs on record for the work a command does itself (without `--tasks`).

A command that calls a service directly (`configure_routers` from cron, say) records one
Job per target, of the kind the pages and `--tasks` queue for the same work, so that the
jobs list and the target's page show every operation whatever door started it:

    with record_jobs(DeployJob, routers, arguments) as records:
        records.finish(configure_routers(routers, options))

- When the block starts, one query creates a running Job per target (targets the job
  type skips, `skip_reason`, get none, as with `--tasks`), with this host and process,
  so that the stale-job sweep (core.job_maintenance) ends them if the process dies.
- `finish(results)` (one result per target, in order) turns each into the outcome the
  worker would have recorded (the job type's `result_outcome`) and saves them all with
  one query. `duration_s` is each target's own time (RouterResult.duration_s), the run's
  wall time for a result about many routers: `finished` is when the run ended, `started`
  that much earlier.
- An interrupt (Ctrl-C) before `finish` ends every job still running as failed, an
  exception as errored, with a sentence saying so; an InputError (what was asked cannot be done, and
  nothing was) deletes them, as `--tasks` queues nothing then.
- Inside the block, the change log's entries name the job when there is one job
  (changelog.context.recording(job=...)).

The service still runs routers concurrently: recording adds queries at the start and the
end only, never one per router (what the outputs read of the targets is read at once:
JobType.prefetch).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone

from changelog.context import Origin, current_recording, recording
from core.choices import JobOrigin, JobStatus
from core.job_log import LogLevels, log_entry
from core.job_runner import closing_entry, started_line
from core.job_types import JobOutcome, JobType, get_job_type
from core.jobs import TARGET_NAME_LENGTH, job_requester
from core.log_format import storable
from core.models import Job
from core.operations import InputError, RouterResult

logger = logging.getLogger(__name__)
INTERRUPTED = (
    "The command was interrupted before this job's outcome was recorded; what it did is "
    "unknown. Run it again to retry."
)
STOPPED = (
    "The command stopped on an unexpected error ({error}) before this job's outcome was "
    "recorded; what it did is unknown."
)
NOT_RECORDED = "The command ended without recording this job's outcome."
# The fields `finish` and `abandon` write.
_OUTCOME_FIELDS = ["status", "started", "finished", "output", "result", "error", "log"]


class EntryLog(LogLevels):
    """A job's log kept in memory (the JobLog interface job types write to), saved with
    the outcome."""

    def __init__(self, entries: list[dict[str, str]] | None = None) -> None:
        self.entries = list(entries or [])

    def add(self, level: str, message: str, traceback_text: str = "") -> None:
        self.entries.append(log_entry(level, message))


class JobRecords:
    """The jobs of one command run: `jobs[i]` is the job of the i-th target, or None for a
    target the job type skips. Made by `record_jobs`."""

    def __init__(self, job_type: JobType, jobs: list[Job | None]) -> None:
        self.job_type = job_type
        self.jobs = jobs
        self.began = timezone.now()

    @property
    def job_ids(self) -> list[str | None]:
        """Each target's job id, in order (None: no job)."""
        return [str(job.pk) if job is not None else None for job in self.jobs]

    @property
    def running(self) -> list[Job]:
        return [job for job in self.jobs if job is not None and job.status == JobStatus.RUNNING]

    def finish(self, results: Sequence[Any]) -> None:
        """Record each target's result (`results[i]` is the i-th target's: a RouterResult,
        or whatever the type's service returns) as its job's outcome; one query."""
        if len(results) != len(self.jobs):
            raise ValueError(f"{len(results)} results for {len(self.jobs)} targets.")
        now = timezone.now()
        wall = (now - self.began).total_seconds()
        done = []
        self.job_type.prefetch([job for job in self.jobs if job is not None])
        for job, result in zip(self.jobs, results, strict=True):
            if job is None:
                continue
            log = EntryLog(job.log)
            try:
                outcome = self.job_type.result_outcome(job, result, log)
            except Exception as exc:  # a bug of the type's: this job errs, the others are kept
                logger.exception("recording the outcome of job %s failed", job.pk)
                outcome = JobOutcome.errored(f"Recording the outcome failed: {exc!r}")
            own = result.duration_s if isinstance(result, RouterResult) else wall
            _set_outcome(job, outcome, log, now, own)
            done.append(job)
        Job.objects.bulk_update(done, _OUTCOME_FIELDS)

    def abandon(self, error: str, interrupted: bool = False) -> None:
        """End every job still running with `error`: failed when the user `interrupted` the
        command (Ctrl-C is not a fault of ours), errored otherwise; one query. Never
        raises: the command's own failure is what its user must see."""
        now = timezone.now()
        unfinished = self.running
        ended = JobOutcome.failed if interrupted else JobOutcome.errored
        try:
            for job in unfinished:
                log = EntryLog(job.log)
                _set_outcome(job, ended(error), log, now, None)
            Job.objects.bulk_update(unfinished, _OUTCOME_FIELDS)
        except Exception:
            logger.exception("marking %d job(s) errored failed", len(unfinished))

    def linked_changes(self) -> Any:
        """A `recording()` block naming the one job of this run, in the door's context;
        a no-op block for none or several (an entry names one job)."""
        jobs = [job for job in self.jobs if job is not None]
        context = current_recording()
        if len(jobs) != 1:
            return nullcontext()
        origin = context.origin if context is not None else Origin.COMMAND
        user = context.user if context is not None else None
        actor = context.actor_name if context is not None else jobs[0].requested_by
        return recording(user=user, origin=origin, actor_name=actor, job=str(jobs[0].pk))


def _set_outcome(
    job: Job, outcome: JobOutcome, log: EntryLog, now: Any, duration_s: float | None
) -> None:
    """Set the outcome's fields on `job` (not saved), as the runner writes them."""
    elapsed = duration_s if duration_s is not None else (now - job.started).total_seconds()
    log.add(*closing_entry(outcome, elapsed))
    job.status = outcome.status
    job.finished = now
    job.started = now - timedelta(seconds=elapsed)
    # What routers and templates say may hold NUL, which PostgreSQL cannot store.
    job.output = storable(outcome.output)
    job.result = storable(outcome.result)
    job.error = storable(outcome.error)
    job.log = log.entries


@contextmanager
def record_jobs(
    job_type: JobType | type[JobType] | str,
    targets: Iterable[Model | None],
    arguments: dict[str, Any] | None = None,
    origin: str = JobOrigin.COMMAND,
) -> Iterator[JobRecords]:
    """Record the work done inside the block as one running job per target (None for a
    type without a target), then call `finish` with the results (see the module's
    docstring). ValueError for arguments the type refuses, before anything is recorded."""
    job_type = get_job_type(job_type)
    checked = job_type.check_arguments(arguments)
    origin, who = job_requester(None, origin)
    context = current_recording()
    user = context.user if context is not None else None
    now = timezone.now()
    host, pid = socket.gethostname()[:255], os.getpid()
    jobs: list[Job | None] = []
    for target in targets:
        if target is not None and job_type.skip_reason(target):
            jobs.append(None)
            continue
        job = Job(
            kind=job_type.kind,
            target=target,
            target_name=str(target)[:TARGET_NAME_LENGTH] if target is not None else "",
            user=user,
            origin=origin,
            requested_by=who,
            status=JobStatus.RUNNING,
            started=now,
            arguments=checked,
            worker_host=host,
            worker_pid=pid,
        )
        log = EntryLog()
        log.info(started_line(job))
        first = job_type.starting(job)
        if first:
            log.info(first)
        job.log = log.entries
        jobs.append(job)
    Job.objects.bulk_create([job for job in jobs if job is not None])
    records = JobRecords(job_type, jobs)
    try:
        with records.linked_changes():
            yield records
    except InputError:  # what was asked cannot be done (an unknown AS): nothing was
        Job.objects.filter(pk__in=[job.pk for job in records.running]).delete()
        raise
    except KeyboardInterrupt:
        records.abandon(INTERRUPTED, interrupted=True)
        raise
    except BaseException as exc:
        records.abandon(STOPPED.format(error=_error_line(exc)))
        raise
    records.abandon(NOT_RECORDED)  # nothing left when `finish` was called


def _error_line(exc: BaseException) -> str:
    # The exception's name only: its text may quote what a router was sent.
    return type(exc).__name__
