"""Background jobs of the IRR app (core.job_types): refresh the prefix lists, once or on
a schedule (`repeat_every`)."""

from __future__ import annotations

from typing import Any

from core.job_log import JobLog
from core.job_types import Argument, JobOutcome, register
from core.models import Job
from core.operation_jobs import OperationJob
from core.operations import BatchResult, InputError
from irr.refresh import parse_asns, refresh


@register
class IRRRefreshJob(OperationJob):
    """Expand the AS-sets of the ASes `asns` ("64501,64502"; empty: every AS with an
    AS-set or a session, our own left out) with bgpq4 and keep the lists. Failed when any
    AS-set failed, each failure one line; those AS-sets keep their previous lists."""

    kind = "irr_refresh"
    label = "IRR prefix list refresh"
    arguments = (Argument("asns", str, default=""),)

    def starting(self, job: Job) -> str:
        asns = self.argument_values(job)["asns"]
        which = f"AS {asns}" if asns else "every AS with an AS-set or a session but our own"
        return f"{self.label} of {which}."

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        try:
            return super().run(job, log)
        except InputError as exc:  # an AS deleted since the job was queued
            return JobOutcome.failed(str(exc))

    def call(self, job: Job, log: JobLog) -> BatchResult[Any]:
        asns = self.argument_values(job)["asns"]
        return refresh(parse_asns(asns) if asns else None)
