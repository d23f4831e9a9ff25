"""Background jobs of the configs app (run by core/job_runner.py)."""

from configs.deploy import DeployOptions, Outcome, configure_router
from configs.rendering import NoTemplate, RenderError, render_router
from core.concurrency import UNEXPECTED
from core.job_log import JobLog
from core.jobs import JobOutcome
from core.models import Job


def render(job: Job, log: JobLog) -> JobOutcome:
    router = job.router
    log.info(f"Rendering {router.name}'s configuration.")
    try:
        rendered = render_router(router)
    except (NoTemplate, RenderError) as exc:
        return JobOutcome.failed(str(exc))
    # The job's output is kept and shown to other users: no session password in it.
    masked = rendered.masked
    if masked != rendered.text:
        log.info("Session passwords are masked in the output.")
    lines = len(rendered.text.splitlines())
    return JobOutcome.completed(masked, {"router": router.name, "lines": lines})


def deploy_dry_run(job: Job, log: JobLog) -> JobOutcome:
    options = DeployOptions(dry_run=True, replace=job.arguments.get("replace", False))
    return _configure(job, log, options)


def deploy(job: Job, log: JobLog) -> JobOutcome:
    options = DeployOptions(
        commit_check=job.arguments.get("commit_check", True),
        replace=job.arguments.get("replace", False),
        commit_confirm=job.arguments.get("commit_confirm"),
    )
    return _configure(job, log, options)


def _plan(options: DeployOptions) -> str:
    how = "replacing the configuration" if options.replace else "merging"
    if options.dry_run:
        return f"{how}, comparing, then discarding (dry run)"
    if not options.commit_check:
        return f"{how} and committing without comparing"
    confirm = f", confirmed after {options.commit_confirm} s" if options.commit_confirm else ""
    return f"{how}, comparing, committing only when it differs{confirm}"


def _configure(job: Job, log: JobLog, options: DeployOptions) -> JobOutcome:
    router = job.router
    log.info(f"Rendering {router.name}'s configuration and pushing it: {_plan(options)}.")
    result = configure_router(router, options)
    summary = dict(result.as_dict())
    if result.outcome == Outcome.SKIPPED:
        return JobOutcome.failed(f"{router.name} was skipped: {result.reason}.", result=summary)
    if result.outcome == Outcome.FAILED:
        make = JobOutcome.errored if result.error_kind == UNEXPECTED else JobOutcome.failed
        return make(result.reason, output=result.diff, result=summary)
    return JobOutcome.completed(result.diff or f"{router.name}: {result.reason}", summary)
