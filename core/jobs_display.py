"""What a job's panel shows: a one-line summary and a body (a diff, a config, a report)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.choices import JobKind, JobStatus
from core.models import Job

DIFF_KINDS = frozenset({JobKind.DEPLOY, JobKind.DEPLOY_DRY_RUN})


@dataclass(frozen=True)
class JobDisplay:
    finished: bool
    ok: bool | None  # None while it runs
    summary: str
    body: str = ""
    body_is_diff: bool = False
    traceback: str = ""


def _result(job: Job) -> dict[str, Any]:
    """The service's result for the job's one target (a list of one for some services)."""
    result = job.result
    if isinstance(result, list) and len(result) == 1:
        result = result[0]
    return result if isinstance(result, dict) else {}


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _ping(job: Job, result: dict[str, Any], ok: bool) -> JobDisplay:
    if ok and result.get("ok", True):
        latency = result.get("latency_ms")
        timing = f" in {latency:g} ms" if isinstance(latency, int | float) else ""
        summary = f"{job.router or 'The router'} is reachable{timing}"
        return JobDisplay(True, True, summary, job.output if not result else "")
    reason = result.get("reason") or "no answer"
    error = result.get("error") or job.error or job.output
    return JobDisplay(True, False, f"Ping failed: {reason}", error)


def _deploy(job: Job, result: dict[str, Any], ok: bool) -> JobDisplay:
    outcome, reason = result.get("outcome"), result.get("reason")
    summary = f"{outcome}: {reason}" if outcome and reason else _first_line(job.output)
    diff = result.get("diff") or job.output
    if not ok:
        summary = f"failed: {reason or _first_line(job.error)}"
    return JobDisplay(True, ok, summary, diff, body_is_diff=True)


def describe_job(job: Job) -> JobDisplay:
    if not job.is_finished:
        last = job.log[-1]["message"] if job.log else ""
        waiting = "Waiting for a worker" if job.status == JobStatus.PENDING else "Running"
        return JobDisplay(False, None, f"{waiting}… {last}".strip())
    if job.status == JobStatus.ERRORED:
        lines = [line.strip() for line in job.error.splitlines() if line.strip()]
        last = lines[-1] if lines else "no details recorded"
        return JobDisplay(True, False, f"Unexpected error: {last}", traceback=job.error)
    ok = job.status == JobStatus.COMPLETED
    result = _result(job)
    if job.kind == JobKind.PING:
        return _ping(job, result, ok)
    if job.kind in DIFF_KINDS:
        return _deploy(job, result, ok)
    if not ok:
        return JobDisplay(True, False, _first_line(job.error) or "Failed", job.output)
    if job.kind == JobKind.RENDER:
        return JobDisplay(True, True, "Rendered configuration", job.output)
    return JobDisplay(True, True, _first_line(job.output) or "Done", job.output)
