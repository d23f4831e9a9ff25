"""The home page: the routers, how their sessions are, what ran lately."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.generic import TemplateView

from devices.models import Router
from devices.queries import recent_jobs, routers_by_name
from peering.queries import sessions_by_state
from peering.staleness import router_stale_reason

HOME_ROUTERS = 50


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
            routers = routers_by_name()[:HOME_ROUTERS]
            context["routers"] = [RouterLine(r, router_stale_reason(r)) for r in routers]
        if user.has_perm("peering.view_directpeeringsession") or user.has_perm(
            "peering.view_internetexchangepeeringsession"
        ):
            context["states"] = sessions_by_state()
        if user.has_perm("core.view_job"):
            context["jobs"] = recent_jobs()
        return context


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page links: the SVG icon.
    Answered without a login, as the login page shows it too; a temporary redirect, as the
    icon's static URL may change with a release."""
    return HttpResponseRedirect(static("peerkeeper/favicon.svg"))
