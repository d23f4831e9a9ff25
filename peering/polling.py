"""Poll routers for the state and prefix counts of their BGP sessions.

Three phases, so no transaction is ever open during device I/O:
1. plan (calling thread): the routers to poll and their driver settings; their sessions,
   in two queries for all routers together, read while the first routers answer;
2. device I/O (thread pool): one connection and one getter call per router (a second one,
   for uptimes, only when the detailed getter shows a session newly established). Each
   thread also compares what it read with the stored state (no queries), so that the
   calling thread, the one that writes, has as little to do as possible;
3. write (calling thread, as routers finish): one short transaction for all the routers
   finished since the last write, with one statement per table (peering.bulk_sql).
   Queries grow with routers (fewer per router when they are many), never with sessions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils import timezone
from napalm.base import NetworkDriver

from core.choices import BGPState
from core.log_format import storable
from core.operations import BatchResult, Category, Operation, RouterResult, batch, run_operation
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    connect,
    driver_settings,
    session_secrets,
    unusable_reason,
)
from peering.bulk_sql import insert_rows, update_rows
from peering.models import POLLED_FIELDS, BGPSessionStateChange
from peering.neighbors import (
    Neighbor,
    from_summary,
    normalise_vrf,
    read_neighbors,
    with_uptimes,
)
from peering.queries import SESSION_KINDS, SessionKind

logger = logging.getLogger(__name__)
# What is read back to compare with the new values (last_polled_at always changes).
_STORED_COLUMNS = [name for name in POLLED_FIELDS if name != "last_polled_at"]
_CHANGE_FIELDS = [
    *(kind.state_change_field for kind in SESSION_KINDS),
    "from_state",
    "to_state",
    "at",
]


@dataclass
class PollResult(RouterResult):
    """A poll's result (core.operations.RouterResult): what the router reported and what
    changed in the inventory. Counts are of sessions (inventory rows) and neighbours (what
    the router reported)."""

    sessions: int = 0  # sessions of the router in the inventory
    neighbors: int = 0  # BGP neighbours the router reported
    updated: int = 0  # sessions whose state or counts changed
    changes: int = 0  # state changes recorded
    not_configured: int = 0  # inventory sessions the router does not have
    done: ClassVar[str] = "polled"
    statuses: ClassVar[tuple[str, ...]] = ("polled", "failed", "skipped")

    def done_line(self) -> str:
        return (
            f"{self.sessions} sessions, {self.neighbors} neighbours seen, "
            f"{self.updated} updated, {self.changes} state changes, "
            f"{self.not_configured} not configured on the router"
        )


@dataclass(slots=True)
class _StoredSession:
    """A session's polled state as stored, read without building model instances."""

    kind: SessionKind
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
    # Every router's stored sessions, read while the first routers are being read.
    stored: Future[dict[int, list[_StoredSession]]]

    @property
    def sessions(self) -> list[_StoredSession]:
        return self.stored.result().get(self.router_id, [])


def poll_skip_reason(router: Router) -> str | None:
    """Why poll_routers skips this router (polling disabled, or NAPALM cannot be used on
    it: devices.napalm.unusable_reason), or None."""
    if not router.poll_bgp_sessions_state:
        return "polling is disabled for this router"
    return unusable_reason(router)


def _stored_sessions(router_ids: list[int]) -> dict[int, list[_StoredSession]]:
    """Every session of these routers, of every kind (peering.queries.SESSION_KINDS), in
    one query per kind."""
    stored: dict[int, list[_StoredSession]] = defaultdict(list)
    for kind in SESSION_KINDS:
        rows = kind.of_routers(router_ids).values_list(
            kind.router_field, "pk", kind.vrf_field, "ip_address", *_STORED_COLUMNS
        )
        for router_id, pk, vrf, address, *polled in rows:
            stored[router_id].append(_StoredSession(kind, pk, normalise_vrf(vrf), address, *polled))
    return stored


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


def _needs_uptimes(sessions: list[_StoredSession], neighbors: list[Neighbor]) -> bool:
    """Whether a session is seen established without its uptime (NAPALM's detailed getter
    has none) while its established-since is not known yet: it came up since the last
    poll, or was never seen up."""
    if not any(n.state == BGPState.ESTABLISHED and n.uptime is None for n in neighbors):
        return False
    index = _NeighborIndex(neighbors)
    for session in sessions:
        neighbor = index.find(session.vrf, session.address)
        if (
            neighbor is not None
            and neighbor.state == BGPState.ESTABLISHED
            and neighbor.uptime is None
            and (session.state != BGPState.ESTABLISHED or session.last_established is None)
        ):
            return True
    return False


def _add_uptimes(
    device: NetworkDriver, neighbors: list[Neighbor], settings: DriverSettings
) -> list[Neighbor]:
    """The neighbours with the uptimes of the summary getter. The state was read already:
    when this read fails, or returns what NAPALM's contract does not allow, the poll still
    counts, and established-since is this poll's time."""
    router = settings.router
    try:
        summary = from_summary(device.get_bgp_neighbors(), settings.driver, router)
    except NotImplementedError:
        return neighbors
    except Exception as exc:  # the driver's failure, not the poll's
        detail = str(exc) if isinstance(exc, DeviceError) else f"{type(exc).__name__}: {exc}"
        logger.warning(
            "polling %s: no session uptimes from get_bgp_neighbors (%s); sessions that came up "
            "are dated by this poll",
            router,
            detail,
        )
        return neighbors
    return with_uptimes(neighbors, summary)


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


@dataclass
class _RouterWrite:
    """What one router's poll changes in the database, and the counts for its result."""

    router_id: int
    polled_at: datetime
    neighbors: int
    rows: dict[type[Model], list[tuple[Any, ...]]]
    changes: list[tuple[Any, ...]]
    updated: int = 0
    not_configured: int = 0


def _compare(target: _Target, neighbors: list[Neighbor], now: datetime) -> _RouterWrite:
    """The rows to write for one router: every stored session with what the router said."""
    index = _NeighborIndex(neighbors)
    write = _RouterWrite(target.router_id, now, len(neighbors), defaultdict(list), [])
    for session in target.sessions:
        neighbor = index.find(session.vrf, session.address)
        before = (session.state, session.received, session.accepted, session.advertised)
        after = (
            (neighbor.state, neighbor.received, neighbor.accepted, neighbor.advertised)
            if neighbor
            else (None, None, None, None)
        )
        configured = neighbor is not None
        write.updated += before != after or session.configured != configured
        write.not_configured += not configured
        if session.state != after[0]:
            # One column per kind (direct_session, ixp_session): this session's is set.
            pointers = [session.pk if kind is session.kind else None for kind in SESSION_KINDS]
            write.changes.append((*pointers, session.state, after[0], now))
        # The primary key, then the values in the order of POLLED_FIELDS.
        last_established = _last_established(session, neighbor, now)
        write.rows[session.kind.model].append(
            (session.pk, *after, last_established, now, configured)
        )
    return write


def _save(writes: list[_RouterWrite], failures: dict[int, str]) -> None:
    """One transaction for a batch of routers: their sessions, state changes and routers."""
    rows: dict[type[Model], list[tuple[Any, ...]]] = defaultdict(list)
    for write in writes:
        for model, values in write.rows.items():
            rows[model].extend(values)
    routers = [(write.router_id, write.polled_at, "") for write in writes]
    with transaction.atomic():
        for model, values in rows.items():
            update_rows(model, POLLED_FIELDS, values)
        insert_rows(
            BGPSessionStateChange,
            _CHANGE_FIELDS,
            [change for write in writes for change in write.changes],
        )
        update_rows(Router, ["last_polled_at", "last_poll_error"], routers)
        update_rows(Router, ["last_poll_error"], list(failures.items()))


def _record(
    writes: list[_RouterWrite], failures: dict[int, str], results: dict[int, PollResult]
) -> None:
    """Save a batch; when that fails, save router by router so that only the router whose
    rows cannot be saved fails."""
    try:
        _save(writes, failures)
    except DatabaseError as exc:
        if len(writes) + len(failures) > 1:
            for write in writes:
                _record([write], {}, results)
            for router_id, error in failures.items():
                _record([], {router_id: error}, results)
            return
        for write in writes:
            results[write.router_id].fail(
                Category.DATABASE,
                f"the poll could not be saved ({exc}); the inventory may have changed, poll again",
            )
        return
    for write in writes:
        result = results[write.router_id]
        result.updated, result.not_configured = write.updated, write.not_configured
        result.changes = len(write.changes)


class Poll(Operation[Router, _Target, PollResult]):
    """Plan: the routers to poll and their driver settings; once all are on the pool,
    their stored sessions (two queries for all routers). Run: one connection and one
    getter call per router, compared with the stored state (no queries). Write: one
    transaction per batch of finished routers."""

    name = "poll"
    doing = "polling"
    result_type = PollResult

    def __init__(self, routers: list[Router], prefer_detail: bool | None) -> None:
        self.secrets = session_secrets(routers)
        self.prefer_detail = prefer_detail
        self.stored: Future[dict[int, list[_StoredSession]]] = Future()
        self.router_ids: list[int] = []
        self.writes: dict[int, _RouterWrite] = {}  # by id(target), filled by the workers

    def plan(self, router: Router) -> _Target | PollResult:
        reason = poll_skip_reason(router)
        if reason:
            return PollResult(router.name).skip(reason)
        settings = driver_settings(router, self.secrets[router.pk])
        detail = self.prefer_detail
        if detail is None:
            detail = router.platform.poll_with_detail
        self.router_ids.append(router.pk)
        return _Target(router.pk, settings, detail, self.stored)

    def planned(self) -> None:
        # Read while the first routers answer; the workers wait for it only to compare.
        self.stored.set_result(_stored_sessions(self.router_ids))

    def abandon(self, error: BaseException) -> None:
        if not self.stored.done():  # the runs waiting for it fail with the error
            self.stored.set_exception(error)

    def plan_name(self, target: _Target) -> str:
        return target.settings.router

    def run(self, target: _Target) -> PollResult:
        settings = target.settings
        with connect(settings) as device:
            neighbors = read_neighbors(
                device, target.prefer_detail, settings.driver, settings.router
            )
            if _needs_uptimes(target.sessions, neighbors):
                neighbors = _add_uptimes(device, neighbors, settings)
        write = _compare(target, neighbors, timezone.now())
        self.writes[id(target)] = write
        return PollResult(settings.router, neighbors=write.neighbors)

    def write(self, finished: list[tuple[_Target, PollResult]]) -> None:
        writes, failures, results = [], {}, {}
        for target, result in finished:
            results[target.router_id] = result
            result.sessions = len(target.sessions) if self.stored.exception() is None else 0
            write = self.writes.pop(id(target), None)
            if write is not None:
                writes.append(write)
            else:
                failures[target.router_id] = storable(result.error or "")  # a router may send NUL
        _record(writes, failures, results)


def poll_routers(
    routers: Iterable[Router], max_workers: int | None = None, prefer_detail: bool | None = None
) -> BatchResult[PollResult]:
    """Poll every router that can be polled; each router gets a result, in input order
    (core.operations.run_operation). `prefer_detail` overrides the platforms' "poll with
    detail" switch when given. Queries grow with routers, never with sessions."""
    routers = list(routers)
    return batch(
        run_operation(Poll(routers, prefer_detail), routers, max_workers), result_type=PollResult
    )
