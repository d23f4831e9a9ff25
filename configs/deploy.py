"""Push rendered configurations to routers through NAPALM.

Per router: read its template's context (in the calling thread: the database), then on a
worker thread render it (a template error never opens a connection), open one connection,
load the candidate, compare, commit or discard. A failure on one router never stops the
others, and a failed load or commit is discarded so the router keeps its configuration.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings as django_settings
from napalm.base import NetworkDriver

from configs.context import secret_slots
from configs.masking import literal_masker
from configs.rendering import (
    NoTemplate,
    RenderedConfig,
    RenderError,
    RenderInput,
    render,
    render_input,
)
from core.choices import BGPState, Status
from core.concurrency import UNEXPECTED
from core.log_format import ROUTER_DETAIL
from devices.connectivity import reported_alive
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    GuardedDevice,
    connect,
    contract_broken,
    driver_settings,
)
from peering.neighbors import from_summary

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class DeployOptions:
    commit_check: bool = True  # compare first; commit only when something changes
    dry_run: bool = False  # load and compare, never commit
    replace: bool = False  # the template is the whole configuration
    commit_confirm: int | None = None  # seconds before the router reverts unless confirmed


@dataclass
class DeployResult:
    router: str
    outcome: Outcome
    reason: str = ""
    diff: str = ""
    committed: bool = False
    dry_run: bool = False
    error_kind: str | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome != Outcome.FAILED

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "outcome": str(self.outcome)}


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


def _skip_reason(router: Router) -> str | None:
    if router.config_template_id is None:
        return "no configuration template"
    if router.status == Status.DISABLED:
        return "the router is disabled"
    if router.status == Status.MAINTENANCE:
        return "the router is in maintenance"
    return None


def prepare(router: Router) -> _Plan | DeployResult:
    """Read what the router needs in the calling thread; a result means nothing to push."""
    reason = _skip_reason(router)
    if reason:
        return DeployResult(router.name, Outcome.SKIPPED, reason=reason)
    try:
        request = render_input(router)
    except NoTemplate as exc:
        return DeployResult(router.name, Outcome.SKIPPED, reason=str(exc).rstrip("."))
    except RenderError as exc:
        return DeployResult(router.name, Outcome.FAILED, str(exc), error_kind="template error")
    # The session passwords, current and previous, are masked in all the driver says.
    secrets = tuple(value for _, value in secret_slots(request.request.context) if value)
    try:
        settings = driver_settings(router, secrets + request.previous_secrets)
    except DeviceError as exc:
        outcome = Outcome.SKIPPED if exc.reason == "not usable" else Outcome.FAILED
        return DeployResult(router.name, outcome, str(exc), error_kind=exc.reason)
    return _Plan(settings=settings, request=request)


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
    name = plan.settings.router
    result = DeployResult(name, Outcome.UNCHANGED, dry_run=options.dry_run)
    with connect(plan.settings, mask=plan.mask) as device:
        loader = device.load_replace_candidate if options.replace else device.load_merge_candidate
        try:
            loader(config=plan.config)
            if options.commit_check or options.dry_run:
                result.diff = _diff(device, plan)
                if not result.diff.strip():
                    device.discard_config()
                    result.reason = "nothing to change"
                    return result
            if options.dry_run:
                device.discard_config()
                result.outcome, result.reason = Outcome.CHANGED, "would change (dry run)"
                return result
            if options.commit_confirm:
                not_confirmed = _commit_confirmed(device, plan, options.commit_confirm)
                if not_confirmed:
                    result.outcome, result.reason = Outcome.FAILED, not_confirmed
                    result.error_kind = "not confirmed"
                    return result
            else:
                device.commit_config()
        except Exception:
            _discard_quietly(device, name)
            raise
    result.outcome, result.committed = Outcome.CHANGED, True
    result.reason = "committed" if options.commit_check else "committed without comparing"
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


def _run(prepared: _Plan | DeployResult, options: DeployOptions) -> DeployResult:
    if isinstance(prepared, DeployResult):
        return prepared
    started = time.monotonic()
    try:
        # Rendered here, on a worker (render processes run in parallel), and always
        # before a connection is opened: a template error never reaches the router.
        prepared.rendered = render(prepared.request)
    except RenderError as exc:
        return DeployResult(
            prepared.settings.router,
            Outcome.FAILED,
            str(exc),
            dry_run=options.dry_run,
            error_kind="template error",
            duration_s=round(time.monotonic() - started, 3),
        )
    try:
        result = _push(prepared, options)
    except DeviceError as exc:
        result = DeployResult(
            prepared.settings.router,
            Outcome.FAILED,
            prepared.mask(str(exc)),
            dry_run=options.dry_run,
            error_kind=exc.reason,
        )
    except Exception as exc:  # one router's surprise must not stop the others
        # The traceback may quote the candidate: it is logged masked, like everything else.
        logger.error(
            "configure %s: unexpected error\n%s",
            prepared.settings.router,
            prepared.mask(traceback.format_exc()),
            extra=ROUTER_DETAIL,
        )
        message = f"unexpected {type(exc).__name__}: {exc}"
        result = DeployResult(
            prepared.settings.router,
            Outcome.FAILED,
            prepared.mask(message),
            dry_run=options.dry_run,
            error_kind=UNEXPECTED,
        )
    result.duration_s = round(time.monotonic() - started, 3)
    return result


def _log(result: DeployResult) -> None:
    """Each router's outcome, for the log file (and a job's log). At INFO, below the
    console's level: every door shows the outcome itself, and a failure printed twice on
    a terminal (or in cron's mail) reads as two faults."""
    logger.info("configure %s: %s (%s)", result.router, result.outcome, result.reason)
    if result.diff:
        logger.info("configure %s: diff\n%s", result.router, result.diff)


def _prepare_or_fail(router: Router) -> _Plan | DeployResult:
    # Routers before this one may be pushed already: this one fails, the others go on.
    try:
        return prepare(router)
    except Exception as exc:
        logger.exception("configure %s: unexpected error", router.name, extra=ROUTER_DETAIL)
        message = f"unexpected {type(exc).__name__} while preparing: {exc}"
        return DeployResult(router.name, Outcome.FAILED, message, error_kind=UNEXPECTED)


def configure_routers(
    routers: Iterable[Router], options: DeployOptions, max_workers: int | None = None
) -> list[DeployResult]:
    """Render and push every router's configuration, routers in parallel.

    Each router is handed to the pool as soon as its context is read, so reading the next
    routers (in this thread: it reads the database) overlaps rendering the previous ones
    (in render processes, on every core) and pushing them.
    """
    routers = list(routers)
    workers = min(max_workers or django_settings.NAPALM_MAX_WORKERS, len(routers) or 1)
    if workers == 1:
        results = [_run(_prepare_or_fail(router), options) for router in routers]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="device-io") as pool:
            futures = [pool.submit(_run, _prepare_or_fail(router), options) for router in routers]
            results = [future.result() for future in futures]
    for result in results:
        _log(result)
    return results


def configure_router(router: Router, options: DeployOptions) -> DeployResult:
    return configure_routers([router], options, max_workers=1)[0]
