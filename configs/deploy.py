"""Push rendered configurations to routers through NAPALM.

Per router: read its template's context (in the calling thread: the database), then on a
worker thread render it (a template error never opens a connection), open one connection,
load the candidate, compare, commit or discard. A failure on one router never stops the
others, and a failed load or commit is discarded so the router keeps its configuration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from napalm.base import NetworkDriver

from configs.context import secret_slots
from configs.masking import literal_masker
from configs.rendering import RenderedConfig, RenderInput, render, render_input
from core.choices import BGPState, Status
from core.log_format import ROUTER_DETAIL
from core.operations import (
    BatchResult,
    Category,
    InputError,
    Operation,
    RouterResult,
    batch,
    run_operation,
)
from devices.connectivity import reported_alive
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    GuardedDevice,
    connect,
    contract_broken,
    driver_settings,
    unusable_reason,
)
from peering.neighbors import from_summary

logger = logging.getLogger(__name__)


# Seconds a confirmed commit gives the router at least: the check after the commit (alive,
# every session that was up is up again) needs a few.
MIN_COMMIT_CONFIRM = 5


@dataclass(frozen=True)
class DeployOptions:
    commit_check: bool = True  # compare first; commit only when something changes
    dry_run: bool = False  # load and compare, never commit
    replace: bool = False  # the template is the whole configuration
    commit_confirm: int | None = None  # seconds before the router reverts unless confirmed

    def __post_init__(self) -> None:
        """InputError (one sentence) for options that contradict each other or a confirm
        time too short to check the router."""
        if self.commit_confirm is not None and self.commit_confirm < MIN_COMMIT_CONFIRM:
            raise InputError(
                f"A confirmed commit needs at least {MIN_COMMIT_CONFIRM} seconds "
                f"(commit-confirm {self.commit_confirm})."
            )
        if self.dry_run and not self.commit_check:
            raise InputError("A dry run compares by definition: drop --no-commit-check.")
        if self.dry_run and self.commit_confirm is not None:
            raise InputError("A dry run never commits, so there is nothing to confirm.")

    def describe(self) -> str:
        """How the configuration is pushed, in words: `merging, comparing, ...`."""
        how = "replacing the configuration" if self.replace else "merging"
        if self.dry_run:
            return f"{how}, comparing, then discarding (dry run)"
        if not self.commit_check:
            return f"{how} and committing without comparing"
        confirm = f", confirmed after {self.commit_confirm} s" if self.commit_confirm else ""
        return f"{how}, comparing, committing only when it differs{confirm}"


@dataclass
class DeployResult(RouterResult):
    """A deployment's result (core.operations.RouterResult). Done is `changed` (committed,
    or would be in a dry run) or `unchanged`; `note` says how ("committed", "nothing to
    change"); `diff` is the candidate's differences, every password masked. A commit the
    router will revert (commit-confirm) fails as `not confirmed`, with its diff."""

    changed: bool = False
    note: str = ""
    diff: str = ""
    committed: bool = False
    dry_run: bool = False
    statuses: ClassVar[tuple[str, ...]] = ("changed", "unchanged", "skipped", "failed")

    @property
    def status(self) -> str:
        status = super().status
        if status == self.done:
            return "changed" if self.changed else "unchanged"
        return status

    @property
    def outcome(self) -> str:
        """The status: changed, unchanged, skipped or failed."""
        return self.status

    def done_line(self) -> str:
        return f"{self.status}: {self.note}"

    def detail_lines(self, verbose: bool = False) -> list[str]:
        """The diff, when asked for (a dry run prints it always)."""
        return [self.diff.rstrip("\n")] if verbose and self.diff else []


@dataclass
class _Plan:
    """One router to push: read in the calling thread, rendered and pushed on a worker."""

    settings: DriverSettings
    request: RenderInput = field(repr=False)
    rendered: RenderedConfig | None = field(default=None, repr=False)

    @property
    def config(self) -> str:
        assert self.rendered is not None
        return self.rendered.text

    def mask(self, text: str) -> str:
        """What the router said, with no form of a session or router password left."""
        if not text:
            return text
        if self.rendered is None:
            return literal_masker([self.settings.password]).mask(text)
        return self.rendered.masker.with_literals([self.settings.password]).mask(text)


def deploy_skip_reason(router: Router) -> str | None:
    """Why configure_routers skips this router (no template, disabled, in maintenance, or
    NAPALM cannot be used on it: devices.napalm.unusable_reason), or None."""
    if router.config_template_id is None:
        return "no configuration template"
    if router.status == Status.MAINTENANCE:
        return "the router is in maintenance"
    return unusable_reason(router)


def _diff(device: GuardedDevice, plan: _Plan) -> str:
    """The candidate's differences, masked. NAPALM's contract is text ("" for none):
    anything else is the driver's failure, never taken for "nothing to change"."""
    diff = device.compare_config()
    if not isinstance(diff, str):
        settings = plan.settings
        raise contract_broken(
            settings.driver,
            settings.router,
            "compare_config",
            diff,
            "the differences as text",
            hide=plan.mask,
        )
    # What the template made of the session passwords (the connection's mask), and every
    # form of the router's credentials (the enable secret too).
    return device.hide_returned(diff)


def _established(device: NetworkDriver, plan: _Plan) -> set[tuple[str, str]]:
    """The sessions the router has up, as (VRF, address): read with get_bgp_neighbors and
    checked against NAPALM's contract by peering.neighbors (DriverFailed when broken)."""
    settings = plan.settings
    neighbors = from_summary(device.get_bgp_neighbors(), settings.driver, settings.router)
    return {(n.vrf, n.address) for n in neighbors if n.state == BGPState.ESTABLISHED}


def _session_names(sessions: set[tuple[str, str]]) -> str:
    return ", ".join(
        f"{address} (VRF {vrf})" if vrf else address for vrf, address in sorted(sessions)
    )


def _commit_confirmed(device: NetworkDriver, plan: _Plan, seconds: int) -> str | None:
    """Commit with an automatic revert; confirm once the router is alive and every session
    that was up before is up again. Returns why it was not confirmed, or None."""
    before = _established(device, plan)
    device.commit_config(revert_in=seconds)
    reverts = f"the router reverts the change after {seconds} s"
    deadline = time.monotonic() + max(1.0, seconds - 2.0)
    missing = before
    try:
        while time.monotonic() < deadline:
            if reported_alive(device, plan.settings):
                missing = before - _established(device, plan)
                if not missing:
                    device.confirm_commit()
                    return None
            time.sleep(1.0)
    except DeviceError as exc:  # committed already: say what happens to the change
        raise type(exc)(f"{str(exc).rstrip('.')}; not confirmed, {reverts}.") from None
    down = _session_names(missing) or "the connection"
    return f"{down} did not come back; {reverts}"


def _push(plan: _Plan, options: DeployOptions) -> DeployResult:
    result = DeployResult(plan.settings.router, dry_run=options.dry_run)
    with connect(plan.settings, mask=plan.mask) as device:
        loader = device.load_replace_candidate if options.replace else device.load_merge_candidate
        try:
            loader(config=plan.config)
            if options.commit_check or options.dry_run:
                result.diff = _diff(device, plan)
                if not result.diff.strip():
                    device.discard_config()
                    result.note = "nothing to change"
                    return result
            result.changed = True
            if options.dry_run:
                device.discard_config()
                result.note = "would change (dry run)"
                return result
            if options.commit_confirm:
                not_confirmed = _commit_confirmed(device, plan, options.commit_confirm)
                if not_confirmed:
                    result.fail(Category.NOT_CONFIRMED, not_confirmed)
                    return result
            else:
                device.commit_config()
        except Exception:
            _discard_quietly(device, plan.settings.router)
            raise
    result.committed = True
    result.note = "committed" if options.commit_check else "committed without comparing"
    return result


def _discard_quietly(device: NetworkDriver, router: str) -> None:
    try:
        device.discard_config()
    except Exception as exc:  # the original failure is what the user needs to see
        # At WARNING in the log file and the job's log; not on the terminal, which has
        # the router's line (the original failure) already.
        logger.warning(
            "discarding the candidate on %s failed: %s", router, exc, extra=ROUTER_DETAIL
        )


class Deploy(Operation[Router, _Plan, DeployResult]):
    """Plan: the router's template context and driver settings (the database). Run: render
    (a template error never opens a connection), load, compare, commit or discard. Write:
    each router's outcome and diff to the log."""

    name = "configure"
    doing = "configuring it"
    result_type = DeployResult

    def __init__(self, options: DeployOptions) -> None:
        self.options = options

    def new_result(self, name: str) -> DeployResult:
        return DeployResult(name, dry_run=self.options.dry_run)

    def plan(self, router: Router) -> _Plan | DeployResult:
        reason = deploy_skip_reason(router)
        if reason:
            return self.new_result(router.name).skip(reason)
        request = render_input(router)
        # The session passwords, current and previous, are masked in all the driver says.
        secrets = tuple(value for _, value in secret_slots(request.request.context) if value)
        settings = driver_settings(router, secrets + request.previous_secrets)
        return _Plan(settings=settings, request=request)

    def plan_name(self, plan: _Plan) -> str:
        return plan.settings.router

    def mask(self, plan: _Plan, text: str) -> str:
        return plan.mask(text)

    def run(self, plan: _Plan) -> DeployResult:
        # Rendered here, on a worker (render processes run in parallel), and always
        # before a connection is opened: a template error never reaches the router.
        plan.rendered = render(plan.request)
        return _push(plan, self.options)

    def write(self, finished: list[tuple[_Plan, DeployResult]]) -> None:
        """Each router's outcome, for the log file (and a job's log). At INFO, below the
        console's level: every door shows the outcome itself, and a failure printed twice
        on a terminal (or in cron's mail) reads as two faults."""
        for _, result in finished:
            logger.info("configure %s", result.summary)
            if result.diff:
                logger.info("configure %s: diff\n%s", result.router, result.diff)


def configure_routers(
    routers: Iterable[Router], options: DeployOptions, max_workers: int | None = None
) -> BatchResult[DeployResult]:
    """Render and push every router's configuration, routers in parallel; one result per
    router, in order (core.operations.run_operation).

    Each router is handed to the pool as soon as its context is read, so reading the next
    routers (in this thread: it reads the database) overlaps rendering the previous ones
    (in render processes, on every core) and pushing them.
    """
    return batch(run_operation(Deploy(options), routers, max_workers), result_type=DeployResult)


def configure_router(router: Router, options: DeployOptions) -> DeployResult:
    """One router's deployment, in this thread (see configure_routers)."""
    return configure_routers([router], options, max_workers=1)[0]
