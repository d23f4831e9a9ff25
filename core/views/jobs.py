"""The jobs pages, the live job panel, and the base view of every button that starts a job."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic.detail import SingleObjectMixin
from django_htmx.http import trigger_client_event

from core.choices import JobOrigin
from core.filtersets import JobFilterSet
from core.job_types import JobType
from core.jobs import JobNotQueued, cancel_job, enqueue
from core.models import Job
from core.tables import JobTable
from core.views.generic import ModelViews

# The event a page listens for to refresh what a finished job changed (sessions, status).
JOB_FINISHED_EVENT = "job-finished"


def may_see_job(user: Any, job: Job) -> bool:
    """Whoever started the job, or a user who may view jobs."""
    return user.has_perm("core.view_job") or (job.user_id is not None and job.user_id == user.pk)


def may_cancel_job(user: Any, job: Job) -> bool:
    """Whoever started the job, or a user who may change jobs."""
    return user.has_perm("core.change_job") or (job.user_id is not None and job.user_id == user.pk)


def job_panel(request: HttpRequest, job: Job) -> HttpResponse:
    """The job's panel; while the job runs it polls itself every second."""
    response = render(request, "core/partials/job.html", {"job": job})
    if job.is_finished:
        trigger_client_event(response, JOB_FINISHED_EVENT, {"job": str(job.pk), "kind": job.kind})
    return response


class JobStatusView(View):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        job = get_object_or_404(Job.objects.select_related("user", "target_type"), pk=pk)
        if not may_see_job(request.user, job):
            raise PermissionDenied
        return job_panel(request, job)


class JobCancelView(View):
    """POST: cancel a pending job, or stop a running one from repeating (core.jobs.cancel_job);
    back to the job's page with what was done."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        job = get_object_or_404(Job, pk=pk)
        if not may_cancel_job(request.user, job):
            raise PermissionDenied
        try:
            messages.success(request, cancel_job(job, by=request.user.get_username()))
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("core:job", pk=job.pk)


class EnqueueJobView(PermissionRequiredMixin, SingleObjectMixin, View):
    """A button: POST starts a job of `job_type` (a JobType or its kind) about the view's
    object, with `job_arguments(obj)`, and answers with the job's panel."""

    http_method_names = ["post"]
    raise_exception = True
    job_type: type[JobType] | str | None = None

    def job_arguments(self, obj: Model) -> dict[str, Any]:
        return {}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        assert self.job_type is not None, f"{type(self).__name__} needs a job_type"
        try:
            job = enqueue(
                self.job_type,
                target=obj,
                user=request.user,
                arguments=self.job_arguments(obj),
                origin=JobOrigin.PAGE,
            )
        except JobNotQueued as exc:
            # Shown in place of the job's panel; the Job row itself is marked errored.
            return render(request, "core/partials/job_not_queued.html", {"error": str(exc)})
        return job_panel(request, job)


class JobViews(ModelViews):
    queryset = Job.objects.select_related("user", "target_type").prefetch_related("target")
    table_class = JobTable
    filterset_class = JobFilterSet
    detail_template = "core/job.html"
    detail_fields = []  # core/job.html lays the job out itself
    actions = ("list", "detail")
    pk_type = "uuid"
