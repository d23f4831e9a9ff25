"""Refreshing the cached prefix lists: expand each AS's AS-set with bgpq4, keep what came.

The shape of every operation (core.operations): plan in the calling thread (which ASes,
grouped by the AS-set they use, and the settings), bgpq4 on a bounded pool (MAX_WORKERS
AS-sets at a time, three bgpq4 runs each, no queries), writes in the calling thread in
batches (one read and at most two upserts per batch, whatever its size).

Per AS-set, one result, labelled with the ASes that use it ("AS64501 AS-PEERONE"):

- refreshed: the lists are replaced, `fetched_at` is now, `error` cleared; the line says
  how many entries and ASNs, and whether anything changed since the last fetch;
- failed: bgpq4 missing, the IRR server unreachable or too slow (IRR_TIMEOUT), the
  AS-set unknown or empty, or an expansion above IRR_MAX_PREFIXES (per family, counted
  after aggregation): the lists and `fetched_at` stay as they were, `error` and
  `failed_at` say why and when. The result's line ends with what is kept: "...: the
  previous list, fetched 2026-11-30 14:05 UTC, is kept".

Once one expansion finds the IRR server unreachable or silent, the AS-sets not started
yet are not tried: each fails at once, of the same kind, "not tried: the IRR server ...
(what the first said)". A dead server thus costs one IRR_TIMEOUT per run already going
(at most MAX_WORKERS), not one per AS-set, and cannot keep a job past JOB_TIME_LIMIT.

Nothing here touches a router: a template reads the kept lists (irr.prefix_lists).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.operations import (
    BatchResult,
    Category,
    InputError,
    Operation,
    OperationError,
    RouterResult,
    batch,
    run_operation,
)
from core.validators import irr_objects
from irr.bgpq4 import Expansion, IRRTimeout, IRRUnreachable, Server, expand
from irr.models import PrefixList
from irr.prefix_lists import as_set_of, keep_lists
from peering.models import AutonomousSystem
from peering.queries import SESSION_KINDS

# AS-sets expanded at the same time: public IRR servers limit connections per client.
MAX_WORKERS = 4
LIST_FIELDS = ["ipv4", "ipv6", "asns", "fetched_at", "error", "failed_at"]
ERROR_FIELDS = ["error", "failed_at"]


class NotAnIRRObject(OperationError):
    """An AS-SET field that names no IRR object (core.validators.irr_objects)."""

    category: ClassVar[Category] = Category.INPUT


class TooManyPrefixes(OperationError):
    """An expansion above IRR_MAX_PREFIXES: reported, not kept."""

    category: ClassVar[Category] = Category.INPUT


@dataclass
class Plan:
    """One AS-set to expand, the ASes (numbers) that use it, and how; `expansion` is set
    by the run."""

    as_set: str
    asns: list[int]
    server: Server
    max_prefixes: int
    expansion: Expansion | None = None
    systems: list[int] = field(default_factory=list)  # the ASes' primary keys

    @property
    def label(self) -> str:
        systems = ", ".join(f"AS{asn}" for asn in self.asns)
        return systems if self.as_set == systems else f"{systems} {self.as_set}"


@dataclass
class RefreshResult(RouterResult):
    """One AS-set's refresh: `as_set`, `asns` (the ASes using it), counts of the kept
    lists (`ipv4`, `ipv6`: entries after aggregation; `origins`: ASNs of the AS list),
    `changed` (the lists differ from those fetched before) and `fetched_at` (ISO 8601, of
    the kept lists; None when none was ever fetched)."""

    as_set: str = ""
    asns: list[int] = field(default_factory=list)
    ipv4: int = 0
    ipv6: int = 0
    origins: int = 0
    changed: bool = False
    fetched_at: str | None = None
    done: ClassVar[str] = "refreshed"
    statuses: ClassVar[tuple[str, ...]] = ("refreshed", "failed", "skipped")

    def done_line(self) -> str:
        what = "changed" if self.changed else "unchanged"
        asns = f"{self.origins} ASN{'' if self.origins == 1 else 's'}"
        return f"{self.ipv4} IPv4 and {self.ipv6} IPv6 entries, {asns} ({what})"

    @classmethod
    def batch_note(cls, results: list[RefreshResult]) -> str:
        return f"; {sum(1 for result in results if result.ok and result.changed)} changed"


class Refresh(Operation[Plan, Plan, RefreshResult]):
    name, doing, result_type = "irr refresh", "expanding an AS-set", RefreshResult

    def target_name(self, target: Plan) -> str:
        return target.label

    def plan_name(self, plan: Plan) -> str:
        return plan.label

    def plan(self, target: Plan) -> Plan:
        return target

    def __init__(self) -> None:
        # The first unreachable or timed-out expansion of this refresh: the IRR server is
        # not asked again (the module's docstring).
        self._dead: IRRUnreachable | IRRTimeout | None = None
        self._lock = threading.Lock()

    def run(self, plan: Plan) -> RefreshResult:
        with self._lock:
            dead = self._dead
        try:
            irr_objects(plan.as_set)
        except ValueError as exc:  # typed before the field was checked: never to bgpq4
            raise NotAnIRRObject(str(exc).rstrip(".")) from None
        if dead is not None:
            raise type(dead)(
                f"not tried: the IRR server {plan.server.host} failed earlier in this "
                f"refresh ({dead})"
            )
        try:
            expansion = expand(plan.server, plan.as_set)
        except (IRRUnreachable, IRRTimeout) as exc:
            with self._lock:
                self._dead = self._dead or exc
            raise
        for family, entries in ((4, expansion.ipv4), (6, expansion.ipv6)):
            if plan.max_prefixes and len(entries) > plan.max_prefixes:
                raise TooManyPrefixes(
                    f"{plan.as_set} expands to {len(entries):,} IPv{family} prefixes after "
                    f"aggregation, more than IRR_MAX_PREFIXES ({plan.max_prefixes:,})"
                )
        plan.expansion = expansion
        return self.new_result(plan.label)

    def write(self, finished: list[tuple[Plan, RefreshResult]]) -> None:
        now = timezone.now()
        names = [plan.as_set for plan, _ in finished]
        kept = {row.as_set: row for row in PrefixList.objects.filter(as_set__in=names)}
        fetched, failed = [], []
        for plan, result in finished:
            row = kept.get(plan.as_set) or PrefixList(as_set=plan.as_set)
            (fetched if _apply(row, plan, result, now) else failed).append(row)
            row.pk = None  # matched by as_set: rows with and without ids in one INSERT
        if fetched:
            PrefixList.objects.bulk_create(
                fetched, update_conflicts=True, unique_fields=["as_set"], update_fields=LIST_FIELDS
            )
            # Each AS keeps what it fetched, for when its AS-SET changes (irr.models.KeptList).
            rows = PrefixList.objects.filter(as_set__in=[row.as_set for row in fetched])
            by_name = {row.as_set: row for row in rows}
            keep_lists(
                (pk, by_name[plan.as_set])
                for plan, result in finished
                if result.error is None and plan.as_set in by_name
                for pk in plan.systems
            )
        if failed:
            PrefixList.objects.bulk_create(
                failed, update_conflicts=True, unique_fields=["as_set"], update_fields=ERROR_FIELDS
            )


def _apply(row: PrefixList, plan: Plan, result: RefreshResult, now: datetime) -> bool:
    """Put a run's outcome on its AS-set's row and the row's state on the result; True
    when the lists were fetched, False when they are kept and the failure recorded."""
    result.as_set, result.asns = plan.as_set, plan.asns
    new = plan.expansion
    ok = result.error is None and new is not None
    if ok:
        before = (row.ipv4, row.ipv6, row.asns)
        result.changed = row.fetched_at is None or before != (new.ipv4, new.ipv6, new.asns)
        row.ipv4, row.ipv6, row.asns = new.ipv4, new.ipv6, new.asns
        row.fetched_at, row.error, row.failed_at = now, "", None
    else:
        row.error, row.failed_at = result.error or "no expansion", now
        result.error = f"{row.error}: {kept_sentence(row.fetched_at)}"
    result.ipv4, result.ipv6, result.origins = len(row.ipv4), len(row.ipv6), len(row.asns)
    result.fetched_at = row.fetched_at.isoformat() if row.fetched_at else None
    return ok


def kept_sentence(fetched_at: datetime | None) -> str:
    """What a failed refresh leaves: "the previous list, fetched 2026-11-30 14:05 UTC, is
    kept", or "there is no previous list"."""
    if fetched_at is None:
        return "there is no previous list"
    moment = fetched_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"the previous list, fetched {moment}, is kept"


def server() -> Server:
    """The IRR server and options of the settings (IRR_HOST, IRR_SOURCES, IRR_TIMEOUT,
    IRR_ALLOW_PRIVATE_ASNS)."""
    return Server(
        host=settings.IRR_HOST,
        sources=tuple(settings.IRR_SOURCES),
        timeout=settings.IRR_TIMEOUT,
        private_asns=settings.IRR_ALLOW_PRIVATE_ASNS,
    )


def systems_to_refresh(asns: Iterable[int] | None = None) -> list[AutonomousSystem]:
    """The ASes `asns` names (InputError for one not in the inventory), or, with None,
    every AS that has an AS-set or a BGP session except our own (affiliated) ASes, by
    ASN: their AS-set describes what we announce, not what we accept."""
    systems = AutonomousSystem.objects.only("asn", "irr_as_set").order_by("asn")
    if asns is None:
        with_session = Q()
        for kind in SESSION_KINDS:
            with_session |= Q(pk__in=kind.model.objects.values("autonomous_system"))
        return list(systems.filter(~Q(irr_as_set="") | with_session).exclude(affiliated=True))
    wanted = sorted(set(asns))
    found = list(systems.filter(asn__in=wanted))
    missing = sorted(set(wanted) - {system.asn for system in found})
    if missing:
        listed = ", ".join(f"AS{asn}" for asn in missing)
        raise InputError(f"No autonomous system {listed} in the inventory.")
    return found


def plans(systems: Iterable[AutonomousSystem]) -> list[Plan]:
    """One plan per AS-set, in the order of the first AS using it."""
    by_set: dict[str, Plan] = {}
    irr, limit = server(), settings.IRR_MAX_PREFIXES
    for system in systems:
        name = as_set_of(system.asn, system.irr_as_set)
        plan = by_set.setdefault(name, Plan(name, [], irr, limit))
        plan.asns.append(system.asn)
        plan.systems.append(system.pk)
    return list(by_set.values())


def refresh(asns: Iterable[int] | None = None) -> BatchResult[RefreshResult]:
    """Refresh the lists of the ASes `asns` (None: every AS with an AS-set or a session,
    our own ASes left out); one result per AS-set, see the module's docstring. InputError
    for an unknown ASN."""
    targets = plans(systems_to_refresh(asns))
    results = run_operation(Refresh(), targets, max_workers=MAX_WORKERS)
    outcome = batch(results, noun="AS-sets", result_type=RefreshResult)
    outcome.empty = (
        "No autonomous system other than our own has an AS-set or a BGP session: nothing "
        "to refresh."
    )
    return outcome


def parse_asns(text: str) -> list[int]:
    """ "64501,AS64502" → [64501, 64502]; InputError for anything else (ASCII digits
    only: "६४५०१" or a full-width digit is no AS number)."""
    asns = []
    for item in text.replace(" ", ",").split(","):
        if not item:
            continue
        digits = item.upper().removeprefix("AS")
        if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) < 2**32:
            raise InputError(f"{item!r} is not an AS number (64501 or AS64501).")
        asns.append(int(digits))
    if not asns:
        raise InputError("No AS number given (64501 or AS64501, comma-separated).")
    return asns
