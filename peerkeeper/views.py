"""The home page: the routers, how their sessions are, what ran lately."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.views.generic import TemplateView

from core.choices import BGPState
from core.models import Job
from devices.models import Router
from peering.models import DirectPeeringSession, InternetExchangePeeringSession
from peering.staleness import has_polled_state_q, router_stale_reason, stale_router_q

RECENT_JOBS = 10


@dataclass(frozen=True)
class SessionCounts:
    """Sessions by the state polled from their router, with the stale ones apart: a state
    that is not current is counted as stale, never as what it was."""

    by_state: list[tuple[str | None, int]]
    stale: int


def sessions_by_state() -> SessionCounts:
    counts: dict[str | None, int] = {}
    stale = 0
    sources = [
        (DirectPeeringSession, "router__"),
        (InternetExchangePeeringSession, "ixp_connection__router__"),
    ]
    for model, router in sources:
        is_stale = has_polled_state_q() & stale_router_q(router)
        rows = (
            model.objects.values("bgp_state")
            .annotate(n=Count("pk"), stale=Count("pk", filter=is_stale))
            .order_by()
        )
        for row in rows:
            state, current = row["bgp_state"], row["n"] - row["stale"]
            stale += row["stale"]
            if current:
                counts[state] = counts.get(state, 0) + current
    order = [*BGPState.values, None]
    return SessionCounts(sorted(counts.items(), key=lambda item: order.index(item[0])), stale)


@dataclass(frozen=True)
class RouterLine:
    """A router of the home page, and why its sessions' state is not current (if it is not)."""

    router: Router
    stale_reason: str | None


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("devices.view_router"):
            routers = Router.objects.select_related("platform").order_by("name")[:50]
            context["routers"] = [RouterLine(r, router_stale_reason(r)) for r in routers]
        if user.has_perm("peering.view_directpeeringsession") or user.has_perm(
            "peering.view_internetexchangepeeringsession"
        ):
            context["states"] = sessions_by_state()
        if user.has_perm("core.view_job"):
            context["jobs"] = Job.objects.select_related("router", "user")[:RECENT_JOBS]
        return context
