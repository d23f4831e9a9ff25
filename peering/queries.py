"""The peering app's queries, for its pages, jobs, commands and API alike.

Two models hold BGP sessions: DirectPeeringSession, on a router, and
InternetExchangePeeringSession, on a router's connection to an Internet exchange. They
differ in how a session reaches its router and its VRF. `SESSION_KINDS` is the one place
that knows both: code that handles "every session" loops over it rather than naming the
two models and their paths again.

At its top this module imports models and nothing else of the project's, so that any
module (polling, the NAPALM layer) may import it without an import cycle; what it needs
of peering.staleness (which imports polling) it imports where it is used.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.choices import BGPState
from devices.models import Router
from peering.models import (
    BGPSession,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)

if TYPE_CHECKING:
    from peering.staleness import Staleness

SessionModel = type[DirectPeeringSession] | type[InternetExchangePeeringSession]


@dataclass(frozen=True)
class SessionKind:
    """How one kind of BGP session reaches what every session has: a router, a VRF.

    Paths are ORM lookups from the session ("ixp_connection__router"); `from_router` is the
    lookup from a Router to its sessions of this kind ("connections__sessions").
    """

    name: str  # "direct" or "ixp"
    model: SessionModel
    router_path: str
    vrf_path: str
    from_router: str
    # The BGPSessionStateChange field that points at a session of this kind.
    state_change_field: str
    # What a page listing these sessions shows of them (the router's platform tells
    # whether the router is polled: peering.staleness).
    page_related: tuple[str, ...]

    @property
    def router_field(self) -> str:
        """The router's id as a column ("router_id"), for filter() and values_list()."""
        return f"{self.router_path}_id"

    @property
    def vrf_field(self) -> str:
        """The session's VRF as a column ("vrf"), for values_list(); blank: the default table."""
        return self.vrf_path

    def for_pages(self) -> QuerySet[BGPSession]:
        """Every session of this kind with what a page shows of it (`page_related`, and
        its tags)."""
        return self.model.objects.select_related(*self.page_related).prefetch_related("tags")

    def of_router(self, router: Router | int) -> QuerySet[BGPSession]:
        """The router's sessions of this kind (`router` or its id)."""
        return self.model.objects.filter(**{self.router_field: getattr(router, "pk", router)})

    def of_routers(self, router_ids: Iterable[int]) -> QuerySet[BGPSession]:
        """The sessions of this kind of all these routers, in one query; add
        values_list(kind.router_field, ...) to tell whose each one is."""
        return self.model.objects.filter(**{f"{self.router_field}__in": list(router_ids)})

    def router_id_of(self, session: BGPSession) -> int | None:
        """The id of the session's router, without loading the router itself (but what
        lies between, such as the IXP session's connection); None while there is none."""
        *between, last = self.router_path.split("__")
        obj = session
        for name in between:
            if getattr(obj, f"{name}_id") is None:
                return None
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id")

    def router_of(self, session: BGPSession) -> Router:
        """The session's router, through the related objects (select_related them)."""
        return attrgetter(self.router_path.replace("__", "."))(session)


DIRECT = SessionKind(
    name="direct",
    model=DirectPeeringSession,
    router_path="router",
    vrf_path="vrf",
    from_router="direct_sessions",
    state_change_field="direct_session",
    page_related=("router__platform", "bgp_group", "autonomous_system", "local_autonomous_system"),
)
IXP = SessionKind(
    name="ixp",
    model=InternetExchangePeeringSession,
    router_path="ixp_connection__router",
    vrf_path="ixp_connection__vrf",
    from_router="connections__sessions",
    state_change_field="ixp_session",
    page_related=(
        "ixp_connection__internet_exchange",
        "ixp_connection__router__platform",
        "autonomous_system",
    ),
)
SESSION_KINDS: tuple[SessionKind, ...] = (DIRECT, IXP)
_KIND_OF_MODEL = {kind.model: kind for kind in SESSION_KINDS}


def session_kind(session: BGPSession | type[BGPSession]) -> SessionKind:
    """The kind of a session (or of a session model)."""
    model = session if isinstance(session, type) else type(session)
    return _KIND_OF_MODEL[model._meta.concrete_model]


def direct_sessions() -> QuerySet[DirectPeeringSession]:
    """Direct sessions with their router and its platform, BGP group, peer AS and local AS:
    what their pages and tables show, and what deciding their staleness reads."""
    return DIRECT.for_pages()


def ixp_sessions() -> QuerySet[InternetExchangePeeringSession]:
    """IXP sessions with their connection's Internet exchange, its router and the router's
    platform, and the peer AS: what their pages and tables show, staleness included."""
    return IXP.for_pages()


def connections() -> QuerySet[Connection]:
    """Connections with their Internet exchange and router (their name is made of both)
    and `session_count` (and their tags), in a stable order for lists (exchange, router,
    then pk)."""
    return (
        Connection.objects.select_related("internet_exchange", "router")
        .prefetch_related("tags")
        .annotate(session_count=Count("sessions"))
        .order_by("internet_exchange__name", "router__name", "pk")
    )


# What an object's page shows of its assignments (peering.policy_models.PolicyAssignments).
ASSIGNED = ("import_routing_policies", "export_routing_policies", "communities", "tags")


def find_ixp(slug_or_name: str) -> InternetExchange | None:
    """The Internet exchange with this slug, else the one with this name (both are unique;
    a slug that is another exchange's name finds the slug's), or None. One query."""
    found = InternetExchange.objects.filter(Q(slug=slug_or_name) | Q(name=slug_or_name))
    return min(found, key=lambda ixp: ixp.slug != slug_or_name, default=None)


def _address_order(session: BGPSession) -> tuple[int, int]:
    address = ipaddress.ip_address(session.ip_address)
    return address.version, int(address)


def router_sessions(router: Router | int) -> list[BGPSession]:
    """Every session of the router, both kinds, IPv4 before IPv6 then by address (the
    kinds' order, then pk, between equal addresses in different VRFs).

    Two queries, each loading the kind's `page_related` (the peer AS, the router and its
    platform...), so that printing a session or deciding its staleness queries nothing.
    """
    sessions = [
        session
        for kind in SESSION_KINDS
        for session in kind.of_router(router).select_related(*kind.page_related).order_by("pk")
    ]
    # sort() is stable: equal addresses stay in the kinds' order, then by pk.
    sessions.sort(key=_address_order)
    return sessions


@dataclass(frozen=True)
class SessionCounts:
    """Sessions by the state polled from their router, with the stale ones apart: a state
    that is not current is counted as stale, never as what it was."""

    by_state: list[tuple[str | None, int]]
    stale: int


def sessions_by_state() -> SessionCounts:
    """Every session counted by BGP state (None: unknown), in BGPState's order, unknown
    last; sessions whose polled state is not current (peering.staleness) are counted
    apart as stale. One query per session kind, aggregated in SQL: no rows are loaded."""
    # staleness reads polling, which reads this module: imported here, not at the top.
    from peering.staleness import has_polled_state_q, stale_router_q

    counts: Counter[str | None] = Counter()
    stale = 0
    for kind in SESSION_KINDS:
        is_stale = has_polled_state_q() & stale_router_q(f"{kind.router_path}__")
        rows = (
            kind.model.objects.values("bgp_state")
            .annotate(n=Count("pk"), stale=Count("pk", filter=is_stale))
            .order_by()
        )
        for row in rows:
            state, current = row["bgp_state"], row["n"] - row["stale"]
            stale += row["stale"]
            if current:
                counts[state] += current
    order = [*BGPState.values, None]
    return SessionCounts(sorted(counts.items(), key=lambda item: order.index(item[0])), stale)


def _counts(session: BGPSession) -> str:
    counts = [
        f"{value} {name}"
        for value, name in (
            (session.received_prefix_count, "received"),
            (session.accepted_prefix_count, "accepted"),
            (session.advertised_prefix_count, "advertised"),
        )
        if value is not None
    ]
    return f" ({', '.join(counts)})" if counts else ""


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    return f"the last successful poll, {timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def _stale_note(stale: Staleness | None) -> str:
    return f" [stale: as of {_when(stale.since)}; {stale.why}]" if stale else ""


def session_lines(router: Router) -> list[str]:
    """One line per session of the router (router_sessions' order): its address, peer AS
    and polled state, or that the router does not have it; a state that is not current
    says so, with when it was read and why. The router is read afresh (with its platform),
    so that a poll that just ran counts: three queries in all."""
    router = Router.objects.select_related("platform").get(pk=router.pk)
    return [_session_line(session, router) for session in router_sessions(router)]


def routers_session_lines(routers: Iterable[Router | int]) -> dict[int, list[str]]:
    """`session_lines` of many routers, by router id: three queries whatever their number
    (the routers afresh, then each kind's sessions)."""
    ids = [getattr(router, "pk", router) for router in routers]
    fresh = {r.pk: r for r in Router.objects.select_related("platform").filter(pk__in=ids)}
    sessions: dict[int, list[BGPSession]] = {pk: [] for pk in fresh}
    for kind in SESSION_KINDS:
        rows = kind.of_routers(fresh).select_related(*kind.page_related).order_by("pk")
        for session in rows:
            sessions[kind.router_id_of(session)].append(session)
    lines = {}
    for pk, found in sessions.items():
        found.sort(key=_address_order)  # as router_sessions orders them
        lines[pk] = [_session_line(session, fresh[pk]) for session in found]
    return lines


def _session_line(session: BGPSession, router: Router) -> str:
    from peering.staleness import session_staleness  # see sessions_by_state

    peer = f"AS{session.autonomous_system.asn} {session.autonomous_system.name}"
    if session.configured_on_router is False:
        state = "not configured on the router"
    else:
        state = f"{session.bgp_state or 'unknown'}{_counts(session)}"
    state += _stale_note(session_staleness(session, router))
    return f"{session.ip_address} {peer}: {state}"
