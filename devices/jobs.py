"""Background jobs of the devices app (run by core/job_runner.py)."""

from core.concurrency import UNEXPECTED
from core.job_log import JobLog
from core.jobs import JobOutcome
from core.models import Job
from devices.connectivity import ping as ping_router


def ping(job: Job, log: JobLog) -> JobOutcome:
    router = job.router
    log.info(f"Opening a NAPALM connection to {router.name} ({router.hostname}).")
    result = ping_router(router)
    if result.skipped:
        # As a poll or a deployment of one router: what was asked was not done.
        return JobOutcome.failed(
            f"{router.name} was skipped: {result.skipped.rstrip('.')}.",
            output=result.summary,
            result=result.as_dict(),
        )
    if result.ok:
        return JobOutcome.completed(result.summary, result.as_dict())
    make = JobOutcome.errored if result.reason == UNEXPECTED else JobOutcome.failed
    return make(
        result.error or f"{router.name}: {result.reason}.",
        output=f"{router.name}: {result.reason}",
        result=result.as_dict(),
    )
