"""Push rendered configurations to routers through NAPALM.

Per router: read its template's context (in the calling thread: the database), then on a
worker thread render it (a template error never opens a connection), open one connection,
load the candidate, compare, commit or discard. A failure on one router never stops the
others, and a failed load or commit is discarded so the router keeps its configuration.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from napalm.base import NetworkDriver

from configs.context import secret_slots
from configs.deploy_lock import LockKey, held, lock_key
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
    run_operation,
)
from devices.connectivity import reported_alive
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    GuardedDevice,
    OperationNotSupported,
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
# A confirmed diff's fingerprint: SHA-256 of the masked diff, as 64 lowercase hex digits.
FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def diff_fingerprint(diff: str) -> str:
    """The fingerprint of a diff as a deployment shows it (masked): SHA-256 of its text,
    surrounding blank space ignored, in hex. An empty diff has one too: confirming it is
    confirming that nothing is to be committed. Masked text only: a hash of a diff that
    held a password would be a form of that password."""
    return hashlib.sha256(diff.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DeployOptions:
    commit_check: bool = True  # compare first; commit only when something changes
    dry_run: bool = False  # load and compare, never commit
    replace: bool = False  # the template is the whole configuration
    commit_confirm: int | None = None  # seconds before the router reverts unless confirmed
    # The fingerprint (diff_fingerprint) of the diff a user confirmed: commit only when the
    # diff computed now is that one.
    expected_diff: str | None = None

    def __post_init__(self) -> None:
        """InputError (one sentence) for options that contradict each other, a confirm
        time too short to check the router, or a fingerprint that is not one."""
        if self.expected_diff is not None:
            if not FINGERPRINT.fullmatch(self.expected_diff):
                raise InputError(
                    "expected_diff must be the confirmed diff's SHA-256, 64 lowercase hex "
                    "digits (a diff job's diff_sha256)."
                )
            if not self.commit_check:
                raise InputError(
                    "A confirmed diff is checked by comparing: drop --no-commit-check "
                    "(commit_check false)."
                )
            if self.dry_run:
                raise InputError("A dry run never commits, so there is no diff to confirm.")
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
            # The running configuration is read before and after (see _push).
            return f"{how} and committing without comparing, then reading what changed"
        confirm = f", confirmed after {self.commit_confirm} s" if self.commit_confirm else ""
        if self.expected_diff is not None:
            return (
                f"{how}, comparing, committing only the confirmed diff "
                f"({self.expected_diff[:12]}){confirm}"
            )
        return f"{how}, comparing, committing only when it differs{confirm}"


@dataclass
class DeployResult(RouterResult):
    """A deployment's result (core.operations.RouterResult). Done is `changed` (committed,
    or would be in a dry run), `unchanged`, or `pushed`: committed without comparing, and
    the driver could not tell afterwards whether anything changed. `note` says how
    ("committed", "nothing to change"); `diff` is the candidate's differences or, pushed
    without comparing, the running configuration's before and after; every password
    masked. A commit the router will revert (commit-confirm) fails as `not confirmed`, with
    its diff; a diff that is not the one confirmed fails as `diff changed`, with the new
    one."""

    changed: bool = False
    pushed: bool = False  # committed, whether anything changed unknown
    note: str = ""
    diff: str = ""
    committed: bool = False
    dry_run: bool = False
    statuses: ClassVar[tuple[str, ...]] = ("changed", "unchanged", "skipped", "failed")
    # What a batch that may push without comparing counts.
    pushing_statuses: ClassVar[tuple[str, ...]] = (
        "changed",
        "unchanged",
        "pushed",
        "skipped",
        "failed",
    )

    @property
    def status(self) -> str:
        status = super().status
        if status == self.done:
            if self.pushed:
                return "pushed"
            return "changed" if self.changed else "unchanged"
        return status

    @property
    def outcome(self) -> str:
        """The status: changed, unchanged, pushed, skipped or failed."""
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
    lock: LockKey
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
        # Without comparing first, the running configuration before and after the commit
        # is how the result can still say whether anything changed: two reads of it
        # (a show command each), only with --no-commit-check.
        before = None if options.commit_check else _running(device, plan)
        loader = device.load_replace_candidate if options.replace else device.load_merge_candidate
        try:
            loader(config=plan.config)
            if options.commit_check:
                result.diff = _diff(device, plan)
                refusal = _not_as_confirmed(result.diff, options.expected_diff)
                if refusal:
                    device.discard_config()
                    result.fail(Category.DIFF_CHANGED, refusal)
                    return result
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
        if options.commit_check:
            result.note = "committed"
        else:
            _compare_running(device, plan, before, result)
    return result


def _not_as_confirmed(diff: str, expected: str | None) -> str | None:
    """Why the diff just computed may not be committed (it is not the confirmed one), or
    None: nothing was confirmed, or this is the diff that was."""
    if expected is None:
        return None
    found = diff_fingerprint(diff)
    if found == expected:
        return None
    now = "no differences" if not diff.strip() else f"now {found[:12]}"
    return (
        f"The configuration changed since the diff you confirmed (confirmed {expected[:12]}, "
        f"{now}); nothing was committed; review the new diff."
    )


def _running(device: GuardedDevice, plan: _Plan) -> str | None:
    """The router's running configuration as the driver gives it (unmasked: compare it,
    mask what is shown of it), or None when the driver cannot read it."""
    try:
        config = device.get_config(retrieve="running")
    except OperationNotSupported:  # NotImplementedError, as GuardedDevice names it
        return None
    running = config.get("running") if isinstance(config, dict) else config
    if not isinstance(running, str):
        settings = plan.settings
        raise contract_broken(
            settings.driver,
            settings.router,
            "get_config",
            running,
            "the running configuration as text",
            hide=plan.mask,
        )
    return running


def _compare_running(
    device: GuardedDevice, plan: _Plan, before: str | None, result: DeployResult
) -> None:
    """After a commit without comparing: `changed` with the running configuration's diff
    (masked), `unchanged`, or `pushed` when the driver cannot tell. Committed already, so
    a failure to read is said in the note, never the router's failure."""
    how = "committed without comparing"
    try:
        after = None if before is None else _running(device, plan)
    except DeviceError as exc:
        result.pushed = True
        result.note = f"{how}; reading the running configuration afterwards failed: {exc}"
        return
    if before is None or after is None:
        result.pushed = True
        result.note = (
            f"{how}; the {plan.settings.driver} driver cannot read the running "
            "configuration, so whether anything changed is unknown"
        )
        return
    if after == before:
        result.note = f"{how}; the running configuration is as it was"
        return
    result.changed = True
    result.note = f"{how}; the running configuration changed"
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        "running configuration before",
        "running configuration after",
        lineterm="",
    )
    # Masked as the candidate's diff is: what the template made of the session
    # passwords, current and previous, and the router's credentials.
    result.diff = device.hide_returned("\n".join(lines) + "\n")


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
    """Plan: the router's template context and driver settings (the database). Run, holding
    the router's deployment lock (busy when another holds it): render (a template error
    never opens a connection), load, compare, commit or discard. Write: each router's
    outcome and diff to the log."""

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
        return _Plan(settings=settings, request=request, lock=lock_key(router))

    def plan_name(self, plan: _Plan) -> str:
        return plan.settings.router

    def mask(self, plan: _Plan, text: str) -> str:
        return plan.mask(text)

    def run(self, plan: _Plan) -> DeployResult:
        # One deployment of a router at a time on this machine (configs.deploy_lock):
        # two would load, compare against the same configuration and both commit.
        with held(plan.lock):
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
    results = run_operation(Deploy(options), routers, max_workers)
    # "0 pushed" only in the summary of a batch that pushes without comparing.
    pushing = not options.commit_check
    statuses = DeployResult.pushing_statuses if pushing else DeployResult.statuses
    return BatchResult(results, "routers", statuses)


def configure_router(router: Router, options: DeployOptions) -> DeployResult:
    """One router's deployment, in this thread (see configure_routers)."""
    return configure_routers([router], options, max_workers=1)[0]
