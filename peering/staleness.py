"""Whether the polled state of a router's sessions is current; if not, since when and why.

A session shows what its router's last successful poll read. That is not current once the
router's last poll failed (Router.last_poll_error, cleared by the next successful poll),
or while nothing polls the router (polling disabled, router disabled, no NAPALM driver).
Derived from what polling already stores, so pages and jobs decide it the same way, in
Python for the objects they show and in SQL for the counts they make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from core.choices import Status
from devices.models import Router
from peering.models import BGPSession
from peering.polling import poll_skip_reason
from peering.queries import session_kind


@dataclass(frozen=True)
class Staleness:
    """Why a polled state is not current, and when it was read (None: not known)."""

    since: datetime | None
    why: str


def router_stale_reason(router: Router) -> str | None:
    """Why the state polled from this router is not current, or None when it is.

    Reads the router's platform: select_related it when asking for many routers.
    """
    if router.last_poll_error:
        return f"the last poll failed: {router.last_poll_error}"
    reason = poll_skip_reason(router)
    return f"not polled: {reason}" if reason else None


def router_staleness(router: Router) -> Staleness | None:
    """router_stale_reason() with when the state was read, or None when it is current."""
    why = router_stale_reason(router)
    return Staleness(router.last_polled_at, why) if why else None


def stale_router_q(prefix: str = "") -> Q:
    """router_stale_reason() as a filter on routers, through `prefix` ("router__"; for
    sessions of any kind, f"{kind.router_path}__" of peering.queries.SESSION_KINDS)."""

    def q(lookup: str, value: object) -> Q:
        return Q(**{f"{prefix}{lookup}": value})

    return (
        ~q("last_poll_error", "")
        | q("poll_bgp_sessions_state", False)
        | q("status", Status.DISABLED)
        | q("platform__isnull", True)
        | q("platform__napalm_driver", "")
    )


def has_polled_state_q() -> Q:
    """Sessions showing something read from their router (never polled ones show nothing)."""
    return Q(last_polled_at__isnull=False) | Q(bgp_state__isnull=False)


def session_router(session: BGPSession) -> Router:
    """The session's router, whatever its kind (select_related it)."""
    return session_kind(session).router_of(session)


def session_staleness(session: BGPSession, router: Router | None = None) -> Staleness | None:
    """Why the session's polled state is not current, or None when it is current or there is
    none. `router` defaults to the session's (select_related it, with its platform)."""
    if session.last_polled_at is None and session.bgp_state is None:
        return None
    router = router or session_router(session)
    why = router_stale_reason(router)
    if why is None:
        return None
    return Staleness(session.last_polled_at or router.last_polled_at, why)
