"""Background jobs of the PeeringDB app (core.job_types): synchronise PeeringDB, once or
on a schedule (`repeat_every`)."""

from __future__ import annotations

from typing import Any

from core.job_log import JobLog
from core.job_types import Argument, JobOutcome, JobType, register
from core.models import Job
from peeringdb.sync import synchronise


@register
class PeeringDBSyncJob(JobType):
    """Read what changed in PeeringDB (everything with `full`), store it, and update the
    ASes that follow it; with `dry_run`, only say what that would change. A failed
    synchronisation changed nothing; its error is one sentence."""

    kind = "peeringdb_sync"
    label = "PeeringDB synchronisation"
    arguments = (Argument("full", bool, default=False), Argument("dry_run", bool, default=False))

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        values = self.argument_values(job)
        result = synchronise(full=values["full"], progress=log.info, dry_run=values["dry_run"])
        return self.result_outcome(job, result, log)

    def result_outcome(self, job: Job, result: Any, log: JobLog) -> JobOutcome:
        """Failed with the synchronisation's sentence, else completed; its lines either way."""
        output = "\n".join(result.lines())
        if not result.ok:
            return JobOutcome.failed(result.error, output, result.as_dict())
        return JobOutcome.completed(output, result.as_dict())
