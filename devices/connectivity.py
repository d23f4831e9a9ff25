"""Ping: can Peerkeeper open a NAPALM connection to the router? (Not ICMP.)

A router NAPALM must not or cannot be used on (disabled, no platform, no driver: see
devices.napalm.unusable_reason) is skipped, as polls and deployments skip it: not a
failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from core.concurrency import UNEXPECTED, run_concurrently, unexpected
from core.log_format import ROUTER_DETAIL
from core.secrets import Secret
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    RouterNotUsable,
    connect,
    contract_broken,
    driver_settings,
    session_secrets,
    unusable_reason,
)

logger = logging.getLogger(__name__)


def reported_alive(device: Any, settings: DriverSettings) -> bool:
    """What the driver's is_alive() says: NAPALM's contract is {"is_alive": True or False};
    anything else is the driver's failure (DriverFailed), not a dead router."""
    answer = device.is_alive()
    if isinstance(answer, Mapping) and isinstance(answer.get("is_alive"), bool):
        return answer["is_alive"]
    expected = '{"is_alive": True or False}'
    raise contract_broken(settings.driver, settings.router, "is_alive", answer, expected)


@dataclass
class PingResult:
    router: str
    ok: bool  # False: the router failed; a skipped router is ok (nothing failed)
    latency_ms: float | None = None
    error: str | None = None
    reason: str | None = None  # short category: unreachable, authentication failed...
    skipped: str | None = None  # why the router was not pinged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def summary(self) -> str:
        """One line for a person: reachable and how fast, skipped and why, or why not."""
        if self.skipped:
            return f"{self.router}: skipped: {self.skipped}"
        if self.ok:
            return f"{self.router}: reachable ({self.latency_ms} ms)"
        return f"{self.router}: {self.reason}: {self.error}"


def _ping_device(settings: DriverSettings) -> PingResult:
    started = time.monotonic()
    try:
        with connect(settings) as device:
            alive = reported_alive(device, settings)
    except DeviceError as exc:
        return PingResult(settings.router, ok=False, error=str(exc), reason=exc.reason)
    latency = round((time.monotonic() - started) * 1000, 1)
    if not alive:
        return PingResult(
            settings.router,
            ok=False,
            latency_ms=latency,
            error=f"{settings.router} accepted the connection but the driver reports it dead.",
            reason="not alive",
        )
    return PingResult(settings.router, ok=True, latency_ms=latency)


def _prepare(router: Router, secrets: tuple[Secret, ...]) -> DriverSettings | PingResult:
    reason = unusable_reason(router)
    if reason:
        return PingResult(router.name, ok=True, skipped=reason)
    try:
        return driver_settings(router, secrets)
    except RouterNotUsable as exc:  # as polls and deployments: skipped, with why
        return PingResult(router.name, ok=True, skipped=str(exc))
    except DeviceError as exc:
        return PingResult(router.name, ok=False, error=str(exc), reason=exc.reason)
    except Exception as exc:
        # The router's line says it; the traceback is for the log file, not the terminal.
        logger.exception("ping %s: unexpected error", router.name, extra=ROUTER_DETAIL)
        message = unexpected(exc, "reading its settings")
        return PingResult(router.name, ok=False, error=message, reason=UNEXPECTED)


def _ping_prepared(prepared: DriverSettings | PingResult) -> PingResult:
    if isinstance(prepared, PingResult):
        return prepared
    try:
        return _ping_device(prepared)
    except Exception as exc:  # one router's surprise: its line, the others go on
        return _unexpected(prepared, exc)


def _unexpected(prepared: DriverSettings | PingResult, exc: Exception) -> PingResult:
    logger.error("ping %s: unexpected error", prepared.router, exc_info=exc, extra=ROUTER_DETAIL)
    message = unexpected(exc, "pinging")
    return PingResult(prepared.router, ok=False, error=message, reason=UNEXPECTED)


def ping(router: Router) -> PingResult:
    """Open a connection with the driver's own protocol, check it is alive, close it."""
    return ping_routers([router], max_workers=1)[0]


def ping_routers(routers: Iterable[Router], max_workers: int | None = None) -> list[PingResult]:
    """One result per router, in order; a router's failure of any kind is its result, and
    a router that cannot be used is skipped."""
    routers = list(routers)
    secrets = session_secrets(routers)
    prepared = [_prepare(router, secrets[router.pk]) for router in routers]
    return run_concurrently(_ping_prepared, prepared, max_workers, on_error=_unexpected)
