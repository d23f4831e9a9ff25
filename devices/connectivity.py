"""Ping: can Peerkeeper open a NAPALM connection to the router? (Not ICMP.)

A router NAPALM must not or cannot be used on (disabled, no platform, no driver: see
devices.napalm.unusable_reason) is skipped, as polls and deployments skip it: not a
failure.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from core.operations import BatchResult, Category, Operation, RouterResult, batch, run_operation
from core.secrets import Secret
from devices.models import Router
from devices.napalm import (
    DriverSettings,
    connect,
    contract_broken,
    driver_settings,
    session_secrets,
    unusable_reason,
)


def reported_alive(device: Any, settings: DriverSettings) -> bool:
    """What the driver's is_alive() says: NAPALM's contract is {"is_alive": True or False};
    anything else is the driver's failure (DriverFailed), not a dead router."""
    answer = device.is_alive()
    if isinstance(answer, Mapping) and isinstance(answer.get("is_alive"), bool):
        return answer["is_alive"]
    expected = '{"is_alive": True or False}'
    raise contract_broken(settings.driver, settings.router, "is_alive", answer, expected)


@dataclass
class PingResult(RouterResult):
    """A ping's result (core.operations.RouterResult): done means the driver opened a
    connection and reported the router alive; `latency_ms` is how long that took."""

    latency_ms: float | None = None
    done: ClassVar[str] = "reachable"
    statuses: ClassVar[tuple[str, ...]] = ("reachable", "failed", "skipped")

    def done_line(self) -> str:
        return f"reachable ({self.latency_ms} ms)"


class Ping(Operation[Router, DriverSettings, PingResult]):
    """Open a connection with the driver's own protocol, ask is_alive(), close."""

    name = "ping"
    doing = "pinging"
    result_type = PingResult

    def __init__(self, secrets: dict[int, tuple[Secret, ...]]) -> None:
        self.secrets = secrets

    def plan(self, router: Router) -> DriverSettings | PingResult:
        reason = unusable_reason(router)
        if reason:  # as polls and deployments: skipped, with why
            return PingResult(router.name).skip(reason)
        return driver_settings(router, self.secrets[router.pk])

    def run(self, settings: DriverSettings) -> PingResult:
        started = time.monotonic()
        with connect(settings) as device:
            alive = reported_alive(device, settings)
        result = PingResult(settings.router)
        result.latency_ms = round((time.monotonic() - started) * 1000, 1)
        if not alive:
            sentence = f"{settings.router} accepted the connection but the driver reports it dead."
            result.fail(Category.NOT_ALIVE, sentence)
        return result


def ping(router: Router) -> PingResult:
    """Ping one router, in this thread (see ping_routers)."""
    return ping_routers([router], max_workers=1)[0]


def ping_routers(
    routers: Iterable[Router], max_workers: int | None = None
) -> BatchResult[PingResult]:
    """One result per router, in order; a router's failure of any kind is its result, and
    a router that cannot be used (devices.napalm.unusable_reason) is skipped."""
    routers = list(routers)
    return batch(
        run_operation(Ping(session_secrets(routers)), routers, max_workers), result_type=PingResult
    )
