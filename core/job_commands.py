"""`--tasks` of the commands: one job per target worth a job, each job's id printed.

`enqueue_for_each` returns a BatchResult, which RouterCommand.print_batch prints like any
operation's: `r1: queued job <id>`, `r2: skipped: <why>`, `r3: not queued: <why>`, then
`3 routers: 1 job queued, 1 skipped, 1 not queued` (or the JSON form), and exits 1 when
a job could not be queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model

from core.choices import JobOrigin
from core.job_types import JobType, get_job_type
from core.jobs import JobNotQueued, check_repeat_every, enqueue
from core.operations import BatchResult, Category, RouterResult

QUEUED, SKIPPED, NOT_QUEUED = "queued", "skipped", "not queued"


@dataclass
class QueuedJob(RouterResult):
    """One target's job: queued (`job` is its id), skipped (`skipped` says why) or not
    queued (`error` says why). `router` is the target's name."""

    job: str | None = None
    done: ClassVar[str] = QUEUED
    statuses: ClassVar[tuple[str, ...]] = (QUEUED, SKIPPED, NOT_QUEUED)

    @property
    def status(self) -> str:
        return NOT_QUEUED if self.error is not None else super().status

    def done_line(self) -> str:
        return f"queued job {self.job}"

    @property
    def summary(self) -> str:
        if self.error is not None:
            return f"{self.label}: not queued: {self.error}"
        return super().summary


@dataclass
class QueuedJobs(BatchResult[QueuedJob]):
    """The jobs of one `--tasks` run; its summary counts jobs queued, not targets done."""

    @property
    def failure_sentence(self) -> str:
        return f"{len(self.failed)} of {self.count_of(self.noun)}: the job could not be queued."

    @property
    def summary(self) -> str:
        counts = self.counts
        jobs = "job" if counts[QUEUED] == 1 else "jobs"
        line = (
            f"{self.count_of(self.noun)}: {counts[QUEUED]} {jobs} queued, {counts[SKIPPED]} skipped"
        )
        return line + (f", {counts[NOT_QUEUED]} not queued" if counts[NOT_QUEUED] else "")


def enqueue_for_each(
    job_type: JobType | type[JobType] | str,
    targets: Iterable[Model],
    arguments: dict[str, Any] | None = None,
    repeat_every: int | None = None,
) -> QueuedJobs:
    """Queue a job of `job_type` on every target its `skip_reason` does not skip, in
    order. ValueError (before anything is queued) for arguments the type refuses."""
    job_type = get_job_type(job_type)
    job_type.check_arguments(arguments)
    check_repeat_every(repeat_every)
    results = []
    for target in targets:
        result = QueuedJob(str(target))
        results.append(result)
        reason = job_type.skip_reason(target)
        if reason:
            result.skip(reason)
            continue
        try:
            job = enqueue(
                job_type,
                target=target,
                arguments=arguments,
                repeat_every=repeat_every,
                origin=JobOrigin.COMMAND,
            )
            result.job = str(job.pk)
        except JobNotQueued as exc:
            result.fail(Category.ERROR, str(exc))
    model = job_type.target_model
    noun = str(model._meta.verbose_name_plural) if model is not None else "jobs"
    return QueuedJobs(results, noun, QueuedJob.statuses)
