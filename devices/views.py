import logging
from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from configs.jobs import DeployJob
from configs.previews import render_one
from core.tables import RecentJobTable
from core.views.details import Row, detail_rows
from core.views.generic import ModelViews, ObjectDetailView
from core.views.jobs import EnqueueJobView
from devices.filtersets import PlatformFilterSet, RouterFilterSet
from devices.forms import PlatformForm, RouterForm
from devices.models import Platform, Router
from devices.queries import recent_jobs, routers, routers_with_counts
from devices.tables import PlatformTable, RouterTable
from peering.queries import direct_sessions, ixp_sessions
from peering.staleness import router_staleness
from peering.tables import DirectPeeringSessionTable, InternetExchangePeeringSessionTable

logger = logging.getLogger(__name__)
# The router page's second card: how Peerkeeper reaches and polls the router.
CONNECTION_FIELDS = [
    "poll_bgp_sessions_state",
    "last_polled_at",
    "last_poll_error",
    "napalm_username",
    "napalm_password",
    "napalm_timeout",
    "napalm_args",
]


class PlatformViews(ModelViews):
    queryset = Platform.objects.all()
    list_queryset = Platform.objects.annotate(router_count=Count("routers"))
    table_class = PlatformTable
    filterset_class = PlatformFilterSet
    form_class = PlatformForm
    related = [
        ("Routers", lambda platform: RouterTable(routers_with_counts().filter(platform=platform)))
    ]


class RouterDetailView(ObjectDetailView):
    """The router page: its state, the job buttons, its sessions and its recent jobs.

    When the sessions' polled state is not current (the last poll failed, or the router is
    not polled) the page says so above them, with when it was read and why.
    """

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        platform = self.object.platform
        driver = platform.napalm_driver if platform and platform.napalm_driver else "—"
        context["rows"].insert(3, Row("NAPALM driver", driver))
        context["connection_rows"] = detail_rows(self.object, CONNECTION_FIELDS, self.labels())
        context["can_deploy"] = self.request.user.has_perm("devices.deploy_router")
        context["stale"] = router_staleness(self.object)
        return context


class RouterViews(ModelViews):
    queryset = routers()
    list_queryset = routers_with_counts()
    table_class = RouterTable
    filterset_class = RouterFilterSet
    form_class = RouterForm
    detail_view = RouterDetailView
    labels = {"last_polled_at": "Last polled"}
    detail_template = "devices/router.html"
    detail_fields = [
        "status",
        "hostname",
        "platform",
        "local_autonomous_system",
        "config_template",
        "description",
    ]
    related = [
        # The page says once, above them, whether their state is current.
        ("IXP sessions", lambda router: InternetExchangePeeringSessionTable(
            ixp_sessions().filter(ixp_connection__router=router), exclude=("router",),
            stale_notes=False)),
        ("Direct sessions", lambda router: DirectPeeringSessionTable(
            direct_sessions().filter(router=router), exclude=("router",), stale_notes=False)),
        ("Recent jobs", lambda router: RecentJobTable(
            recent_jobs(router), exclude=("target",), orderable=False)),
    ]  # fmt: skip


class RouterJobView(EnqueueJobView):
    """Ping, Diff and Poll sessions: they read from the router, so viewing it is enough."""

    queryset = Router.objects.all()
    permission_required = "devices.view_router"


class RouterDeployView(RouterJobView):
    job_type = DeployJob
    permission_required = "devices.deploy_router"

    def job_arguments(self, obj: Router) -> dict[str, Any]:
        return {"commit_check": True}


class RouterConfigurationView(PermissionRequiredMixin, SingleObjectMixin, View):
    """The rendered configuration (no device I/O, so no job), passwords masked."""

    queryset = Router.objects.all()
    permission_required = "devices.view_router"
    raise_exception = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        router = self.get_object()
        # Any failure is the result's sentence (the traceback goes to the log file).
        result = render_one(router)
        context: dict[str, Any] = {"router": router}
        if result.ok and result.skipped is None:
            context["config"] = result.masked
        else:
            context["error"] = result.error or result.skipped
        return render(request, "devices/partials/router_configuration.html", context)
