"""The jobs pages, the live job panel, and the base view of every button that starts a job."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View
from django.views.generic.detail import SingleObjectMixin
from django_htmx.http import trigger_client_event

from core.choices import JobKind
from core.filtersets import JobFilterSet
from core.jobs import JobNotQueued, enqueue
from core.models import Job
from core.tables import JobTable
from core.views.generic import ModelViews

# The event a page listens for to refresh what a finished job changed (sessions, status).
JOB_FINISHED_EVENT = "job-finished"


def may_see_job(user: Any, job: Job) -> bool:
    return user.has_perm("core.view_job") or (job.user_id is not None and job.user_id == user.pk)


def job_panel(request: HttpRequest, job: Job) -> HttpResponse:
    """The job's panel; while the job runs it polls itself every second."""
    response = render(request, "core/partials/job.html", {"job": job})
    if job.is_finished:
        trigger_client_event(response, JOB_FINISHED_EVENT, {"job": str(job.pk), "kind": job.kind})
    return response


class JobStatusView(View):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        job = get_object_or_404(Job.objects.select_related("router", "user"), pk=pk)
        if not may_see_job(request.user, job):
            raise PermissionDenied
        return job_panel(request, job)


class EnqueueJobView(PermissionRequiredMixin, SingleObjectMixin, View):
    """A button: POST starts a job of `kind` on the object and answers with its panel."""

    http_method_names = ["post"]
    raise_exception = True
    kind: JobKind | None = None

    def job_target(self, obj: Model) -> dict[str, Any]:
        return {"router": obj}

    def job_arguments(self, obj: Model) -> dict[str, Any]:
        return {}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        try:
            job = enqueue(
                self.kind,
                user=request.user,
                arguments=self.job_arguments(obj),
                **self.job_target(obj),
            )
        except JobNotQueued as exc:
            # Shown in place of the job's panel; the Job row itself is marked errored.
            return render(request, "core/partials/job_not_queued.html", {"error": str(exc)})
        return job_panel(request, job)


class JobViews(ModelViews):
    queryset = Job.objects.select_related("router", "user")
    table_class = JobTable
    filterset_class = JobFilterSet
    detail_template = "core/job.html"
    detail_fields = []  # core/job.html lays the job out itself
    actions = ("list", "detail")
    pk_type = "uuid"
