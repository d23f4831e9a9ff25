"""Background jobs of the configs app (core.job_types): render, diff (dry run), deploy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from configs.deploy import (
    MIN_COMMIT_CONFIRM,
    DeployOptions,
    DeployResult,
    configure_router,
    deploy_skip_reason,
    diff_fingerprint,
)
from configs.previews import RenderResult, render_routers
from core.choices import JobStatus
from core.job_log import JobLog
from core.job_types import Argument, JobDisplay, JobType, first_line, register
from core.models import Job
from core.operations import InputError, RouterResult
from devices.jobs import RouterJob
from devices.models import Router

__all__ = ["MIN_COMMIT_CONFIRM", "DeployDryRunJob", "DeployJob", "RenderJob", "deploy_job"]


@register
class RenderJob(RouterJob):
    """The router's configuration as its template renders it, session passwords masked
    (the job's output is kept and shown to other users)."""

    kind = "render"
    label = "Render configuration"

    def starting(self, job: Job) -> str:
        return f"Rendering {job.target.name}'s configuration."

    def call(self, job: Job, log: JobLog) -> RenderResult:
        result = render_routers([job.target])[0]
        if result.text != result.masked:
            log.info("Session passwords are masked in the output.")
        return result

    def output(self, job: Job, result: RouterResult) -> str:
        assert isinstance(result, RenderResult)
        return result.masked

    def result_data(self, result: Any) -> Any:
        data = result.as_dict()
        data.pop("masked", None)  # the output has it
        return data

    def finished_display(self, job: Job) -> JobDisplay:
        display = super().finished_display(job)
        if not display.ok:
            return display
        lines = job.result.get("lines") if isinstance(job.result, dict) else None
        count = f" ({lines} lines)" if isinstance(lines, int) else ""
        return JobDisplay(True, True, f"Rendered configuration{count}", job.output)


class ConfigureJob(RouterJob):
    """Push the rendered configuration (configs.deploy.configure_router); the panel shows
    the diff. The result has the diff's fingerprint too (`diff_sha256`: what a deployment
    that commits only this diff is given as `expected_diff`)."""

    def options(self, job: Job) -> DeployOptions:
        raise NotImplementedError

    def skip_reason(self, target: Router) -> str | None:
        return deploy_skip_reason(target)

    def starting(self, job: Job) -> str:
        how = self.options(job).describe()
        return f"Rendering {job.target.name}'s configuration and pushing it: {how}."

    def call(self, job: Job, log: JobLog) -> DeployResult:
        return configure_router(job.target, self.options(job))

    def output(self, job: Job, result: RouterResult) -> str:
        """The diff as the router gave it (masked), or the result's line when none."""
        assert isinstance(result, DeployResult)
        return result.diff or result.summary

    def failure_output(self, job: Job, result: RouterResult) -> str:
        assert isinstance(result, DeployResult)
        return result.diff

    def result_data(self, result: Any) -> Any:
        data = super().result_data(result)
        if isinstance(result, DeployResult) and result.skipped is None:
            data["diff_sha256"] = diff_fingerprint(result.diff)  # of the masked diff
        return data

    def finished_display(self, job: Job) -> JobDisplay:
        """`changed: committed`, `pushed: committed without comparing...` (or why it
        failed) over the diff, line by line."""
        data = job.result if isinstance(job.result, dict) else {}
        diff = data.get("diff") or ""
        if job.status != JobStatus.COMPLETED:
            return JobDisplay(True, False, first_line(job.error) or "Failed", diff, True)
        status, note = data.get("status"), data.get("note")
        summary = f"{status}: {note}" if status and note else first_line(job.output)
        return JobDisplay(True, True, summary, diff, body_is_diff=True)


@register
class DeployDryRunJob(ConfigureJob):
    """Load the candidate, compare, discard: the diff, nothing committed. With
    `offer_commit` (the router page's Deploy), the finished panel offers to commit
    exactly this diff (configs/partials/confirm_deploy.html)."""

    kind = "deploy_dry_run"
    label = "Configuration diff (dry run)"
    arguments = (
        Argument("replace", bool, default=False),
        Argument("offer_commit", bool, default=False),
    )

    def options(self, job: Job) -> DeployOptions:
        return DeployOptions(dry_run=True, replace=self.argument_values(job)["replace"])

    def finished_display(self, job: Job) -> JobDisplay:
        display = super().finished_display(job)
        if not (display.ok and self.argument_values(job)["offer_commit"]):
            return display
        return replace(display, actions_template="configs/partials/confirm_deploy.html")


@register
class DeployJob(ConfigureJob):
    """Commit the rendered configuration: compared first unless `commit_check` is false;
    with `commit_confirm`, the router reverts after that many seconds unless confirmed."""

    kind = "deploy"
    label = "Deploy configuration"
    arguments = (
        Argument("commit_check", bool, default=True),
        Argument("replace", bool, default=False),
        Argument("commit_confirm", int, minimum=MIN_COMMIT_CONFIRM, unit="seconds"),
        # The confirmed diff's fingerprint (a diff job's diff_sha256): commit only that.
        Argument("expected_diff", str),
    )

    def check_arguments(self, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        """As JobType's, and the options they make must agree (DeployOptions): refused
        before anything is queued."""
        given = super().check_arguments(arguments)
        values = {argument.name: argument.default for argument in self.arguments}
        try:
            _options({**values, **given})
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return given

    def options(self, job: Job) -> DeployOptions:
        return _options(self.argument_values(job))


def _options(values: Mapping[str, Any]) -> DeployOptions:
    return DeployOptions(
        commit_check=values["commit_check"],
        replace=values["replace"],
        commit_confirm=values["commit_confirm"],
        expected_diff=values["expected_diff"],
    )


def deploy_job(options: DeployOptions) -> tuple[type[JobType], dict[str, Any]]:
    """The job type and arguments that deploy with `options` (a dry run is a diff job)."""
    if options.dry_run:
        return DeployDryRunJob, {"replace": options.replace}
    arguments = {
        "commit_check": options.commit_check,
        "replace": options.replace,
        "commit_confirm": options.commit_confirm,
        "expected_diff": options.expected_diff,
    }
    return DeployJob, arguments
