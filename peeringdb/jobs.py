"""Background jobs of the PeeringDB app (core.job_types): synchronise PeeringDB, once or
on a schedule (`repeat_every`)."""

from __future__ import annotations

from core.job_log import JobLog
from core.job_types import Argument, JobOutcome, JobType, register
from core.models import Job
from peeringdb.sync import synchronise


@register
class PeeringDBSyncJob(JobType):
    """Read what changed in PeeringDB, store it, and update the ASes that follow it. A
    failed synchronisation changed nothing; its error is one sentence."""

    kind = "peeringdb_sync"
    label = "PeeringDB synchronisation"
    arguments = (Argument("full", bool, default=False),)

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        full = self.argument_values(job)["full"]
        result = synchronise(full=full, progress=log.info)
        output = "\n".join(result.lines())
        if not result.ok:
            return JobOutcome.failed(result.error, output, result.as_dict())
        return JobOutcome.completed(output, result.as_dict())
