"""The home page: the routers, how their sessions are, what ran lately."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.views.generic import TemplateView

from core.choices import BGPState
from core.models import Job
from devices.models import Router
from peering.models import DirectPeeringSession, InternetExchangePeeringSession

RECENT_JOBS = 10


def sessions_by_state() -> list[tuple[str | None, int]]:
    counts: dict[str | None, int] = {}
    for model in (DirectPeeringSession, InternetExchangePeeringSession):
        for row in model.objects.values("bgp_state").annotate(n=Count("pk")).order_by():
            counts[row["bgp_state"]] = counts.get(row["bgp_state"], 0) + row["n"]
    order = [*BGPState.values, None]
    return sorted(counts.items(), key=lambda item: order.index(item[0]))


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("devices.view_router"):
            context["routers"] = Router.objects.select_related("platform").order_by("name")[:50]
        if user.has_perm("peering.view_directpeeringsession") or user.has_perm(
            "peering.view_internetexchangepeeringsession"
        ):
            context["states"] = sessions_by_state()
        if user.has_perm("core.view_job"):
            context["jobs"] = Job.objects.select_related("router", "user")[:RECENT_JOBS]
        return context
