import logging
import uuid
from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from configs.jobs import DeployDryRunJob, DeployJob
from configs.previews import render_one
from core.choices import JobStatus
from core.models import Job
from core.tables import RecentJobTable
from core.views.details import Row, detail_rows
from core.views.generic import ModelViews, ObjectDetailView
from core.views.jobs import EnqueueJobView, may_see_job
from devices.filtersets import PlatformFilterSet, RouterFilterSet
from devices.forms import PlatformForm, RouterForm
from devices.models import Platform, Router
from devices.napalm_summary import napalm_summary
from devices.queries import recent_jobs, routers, routers_with_counts
from devices.tables import PlatformTable, RouterTable
from peering.assignments import ASSIGNMENT_FIELDS
from peering.queries import ASSIGNED, direct_sessions, ixp_sessions
from peering.staleness import router_staleness
from peering.tables import DirectPeeringSessionTable, InternetExchangePeeringSessionTable

logger = logging.getLogger(__name__)
# The router page's second card: how Peerkeeper polls the router (then, folded, the
# NAPALM arguments a connection uses: devices.napalm_summary).
CONNECTION_FIELDS = [
    "poll_bgp_sessions_state",
    "last_polled_at",
    "last_poll_error",
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
        context["napalm_rows"] = napalm_summary(self.object)
        context["can_deploy"] = self.request.user.has_perm("devices.deploy_router")
        context["stale"] = router_staleness(self.object)
        return context


class RouterViews(ModelViews):
    queryset = routers().prefetch_related(*ASSIGNED)
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
        *ASSIGNMENT_FIELDS,
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
    """Deploy, first step: the diff (a dry run) whose panel offers to commit exactly it
    (RouterDeployConfirmView)."""

    job_type = DeployDryRunJob
    permission_required = "devices.deploy_router"

    def job_arguments(self, obj: Router) -> dict[str, Any]:
        return {"offer_commit": True}


class RouterDeployConfirmView(RouterJobView):
    """Deploy, second step: POST `diff_job`, the finished diff the user confirmed; starts
    a deployment that commits only if its own diff is that one (its fingerprint is the
    deploy job's `expected_diff`). A diff job that is not this router's finished diff
    is refused (400) and nothing is queued."""

    job_type = DeployJob
    permission_required = "devices.deploy_router"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.confirmed = confirmed_diff(request, self.get_object())
        except ValueError as exc:
            context = {"error": str(exc)}
            return render(request, "core/partials/job_not_queued.html", context, status=400)
        return super().post(request, *args, **kwargs)

    def job_arguments(self, obj: Router) -> dict[str, Any]:
        replace = bool((self.confirmed.arguments or {}).get("replace", False))
        return {
            "commit_check": True,
            "replace": replace,
            "expected_diff": self.confirmed.result["diff_sha256"],
        }


def confirmed_diff(request: HttpRequest, router: Router) -> Job:
    """The diff job named by the POST's `diff_job`: a completed diff of `router` that the
    user may see. ValueError (one sentence) otherwise."""
    job = Job.objects.filter(
        pk=_uuid(request.POST.get("diff_job", "")),
        kind=DeployDryRunJob.kind,
        target_type=ContentType.objects.get_for_model(Router),
        target_id=router.pk,
    ).first()
    if job is None or not may_see_job(request.user, job):
        raise ValueError(f"There is no diff of {router.name} to confirm: run Deploy again.")
    result = job.result if isinstance(job.result, dict) else {}
    if job.status != JobStatus.COMPLETED or not isinstance(result.get("diff_sha256"), str):
        raise ValueError(f"The diff of {router.name} did not complete: nothing to confirm.")
    return job


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


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
