"""Background jobs of the peering app (run by core/job_runner.py)."""

import ipaddress
from datetime import datetime
from typing import Any

from django.utils import timezone

from core.concurrency import UNEXPECTED
from core.job_log import JobLog
from core.jobs import JobOutcome
from core.models import Job
from devices.models import Router
from peering.discovery import discover_ixp_sessions, report_lines
from peering.models import (
    BGPSession,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.polling import poll_routers
from peering.staleness import session_staleness


def _counts(session: BGPSession) -> str:
    counts = [
        f"{value} {name}"
        for value, name in (
            (session.received_prefix_count, "received"),
            (session.accepted_prefix_count, "accepted"),
            (session.advertised_prefix_count, "advertised"),
        )
        if value is not None
    ]
    return f" ({', '.join(counts)})" if counts else ""


def session_summary(router: Router) -> list[str]:
    """One line per session of the router: its address, peer and polled state; a state that
    is not current says so, with when it was read and why (the router is read afresh)."""
    router = Router.objects.select_related("platform").get(pk=router.pk)
    sessions: list[BGPSession] = [
        *DirectPeeringSession.objects.filter(router=router).select_related("autonomous_system"),
        *InternetExchangePeeringSession.objects.filter(
            ixp_connection__router=router
        ).select_related("autonomous_system"),
    ]
    sessions.sort(key=lambda s: (ipaddress.ip_address(s.ip_address).version, s.ip_address))
    lines = []
    for session in sessions:
        peer = f"AS{session.autonomous_system.asn} {session.autonomous_system.name}"
        if session.configured_on_router is False:
            state = "not configured on the router"
        else:
            state = f"{session.bgp_state or 'unknown'}{_counts(session)}"
        stale = session_staleness(session, router)
        if stale is not None:
            state += f" [stale: as of {_when(stale.since)}; {stale.why}]"
        lines.append(f"{session.ip_address} {peer}: {state}")
    return lines


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    return f"the last successful poll, {timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def poll(job: Job, log: JobLog) -> JobOutcome:
    router = job.router
    log.info(f"Reading the BGP neighbours of {router.name}.")
    [result] = poll_routers([router])
    if result.skipped:
        return JobOutcome.failed(
            f"{router.name} was not polled: {result.skipped}.", result=result.as_dict()
        )
    if not result.ok:
        make = JobOutcome.errored if result.error_kind == UNEXPECTED else JobOutcome.failed
        return make(result.error or "The poll failed.", result=result.as_dict())
    log.info(result.summary)
    output = "\n".join([result.summary, *session_summary(router)])
    return JobOutcome.completed(output, result.as_dict())


def discover(job: Job, log: JobLog) -> JobOutcome:
    ixp = InternetExchange.objects.filter(pk=job.arguments["ixp"]).first()
    if ixp is None:
        return JobOutcome.failed("The job's Internet exchange was deleted before the job ran.")
    dry_run = job.arguments.get("dry_run", False)
    log.info(f"Reading the BGP neighbours of {ixp}'s routers{' (dry run)' if dry_run else ''}.")
    reports = discover_ixp_sessions(ixp, dry_run=dry_run)
    result: list[dict[str, Any]] = [report.as_dict() for report in reports]
    output = "\n".join(report_lines(reports, dry_run)) if reports else f"{ixp} has no connections."
    failures = [report for report in reports if not report.ok]
    if failures:
        unexpected = any(report.error_kind == UNEXPECTED for report in failures)
        make = JobOutcome.errored if unexpected else JobOutcome.failed
        error = "\n".join(f"{report.connection}: {report.error}" for report in failures)
        return make(error, output=output, result=result)
    return JobOutcome.completed(output, result)
