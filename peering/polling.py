"""Poll routers for the state and prefix counts of their BGP sessions.

Three phases, so no transaction is ever open during device I/O:
1. plan (calling thread): the routers to poll, their driver settings and their sessions,
   read in a fixed number of queries for all routers together;
2. device I/O (thread pool): one connection and one getter call per router;
3. write (calling thread, as each router finishes): one short transaction per router with
   one bulk update per session model, one bulk insert of state changes, one router update.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from core.choices import BGPState
from core.concurrency import run_as_completed
from devices.models import Router
from devices.napalm import DeviceError, DriverSettings, connect, driver_settings
from peering.models import (
    BGPSessionStateChange,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)
from peering.neighbors import Neighbor, normalise_vrf, read_neighbors

logger = logging.getLogger(__name__)
UNEXPECTED = "unexpected error"
POLLED_FIELDS = [
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_established_state",
    "last_polled_at",
    "configured_on_router",
]
# What is read back to compare with the new values (last_polled_at always changes).
_STORED_COLUMNS = [name for name in POLLED_FIELDS if name != "last_polled_at"]


@dataclass
class PollResult:
    router: str
    ok: bool = True
    skipped: str | None = None
    error: str | None = None
    error_kind: str | None = None
    sessions: int = 0  # sessions of the router in the inventory
    neighbors: int = 0  # BGP neighbours the router reported
    updated: int = 0  # sessions whose state or counts changed
    changes: int = 0  # state changes recorded
    not_configured: int = 0  # inventory sessions the router does not have
    duration_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _StoredSession:
    """A session's polled state as stored, read without building model instances."""

    model: type[DirectPeeringSession] | type[InternetExchangePeeringSession]
    pk: int
    vrf: str
    address: str
    state: str | None
    received: int | None
    accepted: int | None
    advertised: int | None
    last_established: datetime | None
    configured: bool | None


@dataclass(frozen=True)
class _Target:
    router_id: int
    settings: DriverSettings
    prefer_detail: bool


def poll_skip_reason(router: Router) -> str | None:
    if not router.poll_bgp_sessions_state:
        return "polling is disabled for this router"
    if router.status == "disabled":
        return "the router is disabled"
    if router.platform is None:
        return "the router has no platform"
    if not router.platform.napalm_driver:
        return f"platform {router.platform} has no NAPALM driver"
    return None


def _stored_sessions(router_ids: list[int]) -> dict[int, list[_StoredSession]]:
    """Every session of these routers, direct and IXP, in two queries."""
    stored: dict[int, list[_StoredSession]] = defaultdict(list)
    sources = [
        (DirectPeeringSession, "router_id", "vrf", {"router_id__in": router_ids}),
        (
            InternetExchangePeeringSession,
            "ixp_connection__router_id",
            "ixp_connection__vrf",
            {"ixp_connection__router_id__in": router_ids},
        ),
    ]
    for model, router_column, vrf_column, lookup in sources:
        rows = model.objects.filter(**lookup).values_list(
            router_column, "pk", vrf_column, "ip_address", *_STORED_COLUMNS
        )
        for router_id, pk, vrf, address, *polled in rows:
            stored[router_id].append(
                _StoredSession(model, pk, normalise_vrf(vrf), address, *polled)
            )
    return stored


def _fetch(target: _Target) -> list[Neighbor] | DeviceError | Exception:
    try:
        with connect(target.settings) as device:
            return read_neighbors(device, prefer_detail=target.prefer_detail)
    except Exception as exc:  # returned, so one router's failure never stops the others
        if not isinstance(exc, DeviceError):
            logger.exception("polling %s: unexpected error", target.settings.router)
        return exc


class _NeighborIndex:
    """Find the neighbour of a session: by (VRF, address) when the inventory knows the VRF,
    else in the default table, else the only neighbour with that address."""

    def __init__(self, neighbors: list[Neighbor]) -> None:
        self.exact = {(n.vrf, n.address): n for n in neighbors}
        self.by_address: dict[str, list[Neighbor]] = defaultdict(list)
        for neighbor in neighbors:
            self.by_address[neighbor.address].append(neighbor)

    def find(self, vrf: str, address: str) -> Neighbor | None:
        if vrf:
            return self.exact.get((vrf, address))
        found = self.exact.get(("", address))
        if found is None and len(self.by_address.get(address, [])) == 1:
            found = self.by_address[address][0]
        return found


def _last_established(
    stored: _StoredSession, neighbor: Neighbor | None, now: datetime
) -> datetime | None:
    if neighbor is None or neighbor.state != BGPState.ESTABLISHED:
        return stored.last_established
    if neighbor.uptime is not None:
        return now - timedelta(seconds=neighbor.uptime)
    if stored.state == BGPState.ESTABLISHED and stored.last_established:
        return stored.last_established
    return now


def _write(
    router_id: int, stored: list[_StoredSession], neighbors: list[Neighbor], result: PollResult
) -> None:
    now = timezone.now()
    index = _NeighborIndex(neighbors)
    updates: dict[type, list[Any]] = defaultdict(list)
    changes: list[BGPSessionStateChange] = []
    for session in stored:
        neighbor = index.find(session.vrf, session.address)
        values = {
            "bgp_state": neighbor.state if neighbor else None,
            "received_prefix_count": neighbor.received if neighbor else None,
            "accepted_prefix_count": neighbor.accepted if neighbor else None,
            "advertised_prefix_count": neighbor.advertised if neighbor else None,
            "last_established_state": _last_established(session, neighbor, now),
            "configured_on_router": neighbor is not None,
        }
        before = (session.state, session.received, session.accepted, session.advertised)
        after = (
            values["bgp_state"],
            values["received_prefix_count"],
            values["accepted_prefix_count"],
            values["advertised_prefix_count"],
        )
        result.updated += before != after or session.configured != values["configured_on_router"]
        result.not_configured += neighbor is None
        if session.state != values["bgp_state"]:
            key = "direct_session_id" if session.model is DirectPeeringSession else "ixp_session_id"
            changes.append(
                BGPSessionStateChange(
                    **{key: session.pk},
                    from_state=session.state,
                    to_state=values["bgp_state"],
                    at=now,
                )
            )
        updates[session.model].append(session.model(pk=session.pk, last_polled_at=now, **values))
    with transaction.atomic():
        for model, rows in updates.items():
            model.objects.bulk_update(rows, POLLED_FIELDS)
        if changes:
            BGPSessionStateChange.objects.bulk_create(changes)
        Router.objects.filter(pk=router_id).update(last_polled_at=now, last_poll_error="")
    result.changes = len(changes)


def _record_failure(router_id: int, result: PollResult) -> None:
    Router.objects.filter(pk=router_id).update(last_poll_error=result.error or "")


def poll_routers(
    routers: Iterable[Router], max_workers: int | None = None, prefer_detail: bool = True
) -> list[PollResult]:
    """Poll every router that can be polled; each router gets a result, in input order."""
    routers = list(routers)
    results = {router.pk: PollResult(router.name) for router in routers}
    targets = []
    for router in routers:
        result = results[router.pk]
        reason = poll_skip_reason(router)
        if reason is None:
            try:
                targets.append(_Target(router.pk, driver_settings(router), prefer_detail))
            except DeviceError as exc:
                reason = str(exc)
        if reason:
            result.skipped = reason
    stored = _stored_sessions([target.router_id for target in targets])
    started = time.monotonic()
    for target, fetched in run_as_completed(_fetch, targets, max_workers):
        result = results[target.router_id]
        result.duration_s = round(time.monotonic() - started, 3)
        sessions = stored.get(target.router_id, [])
        result.sessions = len(sessions)
        if isinstance(fetched, Exception):
            result.ok = False
            result.error_kind = getattr(fetched, "reason", UNEXPECTED)
            result.error = (
                str(fetched)
                if isinstance(fetched, DeviceError)
                else (f"unexpected {type(fetched).__name__} while reading neighbours: {fetched}")
            )
            _record_failure(target.router_id, result)
            continue
        result.neighbors = len(fetched)
        try:
            _write(target.router_id, sessions, fetched, result)
        except DatabaseError as exc:
            result.ok, result.error_kind = False, "database error"
            result.error = (
                f"the poll could not be saved ({exc}); the inventory may have changed, poll again"
            )
    return [results[router.pk] for router in routers]
