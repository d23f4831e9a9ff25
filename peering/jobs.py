"""Background jobs of the peering app (core.job_types): poll a router, discover an IXP's
sessions."""

from __future__ import annotations

from core.job_log import JobLog
from core.job_types import Argument, register
from core.models import Job
from core.operation_jobs import OperationJob
from core.operations import BatchResult, RouterResult
from devices.jobs import RouterJob
from devices.models import Router
from peering.discovery import ConnectionDiscovery, discover_ixp_sessions
from peering.models import InternetExchange
from peering.polling import PollResult, poll_routers, poll_skip_reason
from peering.queries import routers_session_lines, session_lines

# Where `prefetch` leaves a job's session lines for `output`.
SESSION_LINES = "_session_lines"


@register
class PollJob(RouterJob):
    """Read the router's BGP neighbours and store their state; the output lists each
    session of the router with its state."""

    kind = "poll"
    label = "Poll BGP sessions"

    def skip_reason(self, target: Router) -> str | None:
        return poll_skip_reason(target)

    def starting(self, job: Job) -> str:
        return f"Reading the BGP neighbours of {job.target.name}."

    def call(self, job: Job, log: JobLog) -> PollResult:
        return poll_routers([job.target])[0]

    def output(self, job: Job, result: RouterResult) -> str:
        lines = job.__dict__.get(SESSION_LINES)
        if lines is None:
            lines = session_lines(job.target)
        return "\n".join([result.summary, *lines])

    def prefetch(self, jobs: list[Job]) -> None:
        """Each job's router's session lines, read at once for all of them."""
        found = routers_session_lines(job.target_id for job in jobs)
        for job in jobs:
            job.__dict__[SESSION_LINES] = found.get(job.target_id, [])


@register
class DiscoverJob(OperationJob):
    """Read the BGP neighbours of the IXP's routers and create the sessions found on its
    connections (with `dry_run`, only say which)."""

    kind = "discover"
    label = "Discover IXP sessions"
    target_model = InternetExchange
    arguments = (Argument("dry_run", bool, default=False),)

    def starting(self, job: Job) -> str:
        dry_run = " (dry run)" if self.argument_values(job)["dry_run"] else ""
        return f"Reading the BGP neighbours of {job.target}'s routers{dry_run}."

    def call(self, job: Job, log: JobLog) -> BatchResult[ConnectionDiscovery]:
        return discover_ixp_sessions(job.target, dry_run=self.argument_values(job)["dry_run"])
