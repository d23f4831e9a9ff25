"""Jobs in the API (`/api/core/jobs/`): list and read them as the jobs pages show them,
and cancel one (`POST /api/core/jobs/{id}/cancel/`).

Who sees what is the pages' rule (core.views.jobs): a user who may view jobs
(`core.view_job`) sees every job, anyone else only the jobs they started; cancelling
needs to have started the job, or `core.change_job`. A job's output, result and log
never hold a secret: the job types mask what routers and templates say before storing
it."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.links import api_url
from core.api.parsers import JSONParser
from core.api.permissions import TokenWritePermission
from core.api.schema import ErrorSerializer
from core.api.serializers import brief_serializer_for
from core.api.views import ReadOnlyModelViewSet
from core.choices import JobOrigin
from core.filtersets import JobFilterSet
from core.job_types import job_display
from core.jobs import cancel_job
from core.models import Job
from core.views.jobs import may_cancel_job


class JobLogEntrySerializer(serializers.Serializer):
    """One line of a job's log."""

    at = serializers.DateTimeField(help_text="When it was written.")
    level = serializers.CharField(help_text="debug, info, warning or error.")
    message = serializers.CharField()


class JobTargetSerializer(serializers.Serializer):
    """What a job is about, as it was called when the job was queued and as it is now."""

    type = serializers.CharField(help_text='Its model, "<app>.<model>": "devices.router".')
    noun = serializers.CharField(help_text='What it is, in words: "router".')
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Its name when the job was queued.")
    display = serializers.CharField(help_text="Its name now; the name it had, once it is deleted.")
    exists = serializers.BooleanField(help_text="Whether it still exists.")
    url = serializers.URLField(
        allow_null=True, help_text="Its address in the API; null once deleted."
    )
    brief = serializers.DictField(
        allow_null=True,
        help_text="It as other objects show it (a router's brief form: id, url, display, "
        "name); null once deleted.",
    )


class JobUserSerializer(serializers.Serializer):
    """Who started a job."""

    id = serializers.IntegerField()
    username = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    """A job as its page shows it: what it is about, its state, its log and what it gave.

            `summary` and `ok` are the panel's line (`ok` is null until the job finishes);
            `output` is what a person reads (a diff, a report), `result` the same as data (JSON;
            its shape is the job kind's), `error` why it failed. `duration_s` is in seconds.
        `origin` is the door it was started through (page, api, command, schedule; "" when not
    recorded) and
        `requested_by` the name of who asked (a username, or a command's OS user).
            A repeating job names the run before it (`repeat_of`) and, once queued, the next one
            (`next_run`)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:core-jobs-detail")
    display = serializers.SerializerMethodField()
    kind_label = serializers.CharField(read_only=True, help_text='"Deploy configuration".')
    summary = serializers.SerializerMethodField()
    ok = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    duration_s = serializers.FloatField(read_only=True, allow_null=True)
    # "" on the jobs recorded before jobs said their door.
    origin = serializers.ChoiceField(choices=JobOrigin.choices, allow_blank=True, read_only=True)
    log = JobLogEntrySerializer(many=True, read_only=True)
    repeat_of = serializers.UUIDField(source="repeat_of_id", read_only=True, allow_null=True)
    next_run = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "display",
            "kind",
            "kind_label",
            "status",
            "summary",
            "ok",
            "target",
            "user",
            "origin",
            "requested_by",
            "created",
            "started",
            "finished",
            "duration_s",
            "arguments",
            "log",
            "output",
            "result",
            "error",
            "repeat_every",
            "run_after",
            "repeat_of",
            "next_run",
        ]
        read_only_fields = fields

    def get_display(self, job: Job) -> str:
        return str(job)

    def get_summary(self, job: Job) -> str:
        return job_display(job).summary

    def get_ok(self, job: Job) -> bool | None:
        return job_display(job).ok

    @extend_schema_field(JobTargetSerializer(allow_null=True))
    def get_target(self, job: Job) -> dict[str, Any] | None:
        if job.target_type_id is None or job.target_id is None:
            return None
        target = job.target  # prefetched in lists; None once deleted
        meta = job.target_type
        return {
            "type": f"{meta.app_label}.{meta.model}",
            "noun": job.target_noun,
            "id": job.target_id,
            "name": job.target_name,
            "display": str(target) if target is not None else job.target_name,
            "exists": target is not None,
            "url": api_url(target, self.context.get("request")),
            "brief": self._brief(target),
        }

    def _brief(self, target: Model | None) -> dict[str, Any] | None:
        brief = brief_serializer_for(type(target)) if target is not None else None
        return brief(target, context=self.context).data if brief is not None else None

    @extend_schema_field(JobUserSerializer(allow_null=True))
    def get_user(self, job: Job) -> dict[str, Any] | None:
        if job.user is None:
            return None
        return {"id": job.user.pk, "username": job.user.get_username()}

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_next_run(self, job: Job) -> str | None:
        runs = sorted(job.next_runs.all(), key=lambda run: run.created)
        return str(runs[0].pk) if runs else None


class JobCancelledSerializer(serializers.Serializer):
    """What cancelling did, in a sentence, and the job as it is now."""

    detail = serializers.CharField()
    job = JobSerializer()


def jobs() -> QuerySet[Job]:
    """Jobs with what their representation reads: a fixed number of queries per page
    (the user, the target's type, the targets, one query per kind of target, the runs
    after them)."""
    return Job.objects.select_related("user", "target_type").prefetch_related(
        "target", Prefetch("next_runs", queryset=Job.objects.only("id", "repeat_of", "created"))
    )


@extend_schema_view(
    list=extend_schema(
        responses={
            200: JobSerializer(many=True),
            400: OpenApiResponse(
                {"type": "object", "additionalProperties": {"type": "array"}},
                description='A filter\'s value refused: {"<filter>": ["why"]}.',
            ),
            401: ErrorSerializer,
        }
    ),
    retrieve=extend_schema(
        responses={200: JobSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    ),
)
class JobViewSet(ReadOnlyModelViewSet):
    """Jobs, newest first: every job for a user who may view jobs (`core.view_job`), else
    the user's own. Filters as the jobs page: `q` (target, output, error), `kind`,
    `status`, `target` (the target's name, any case), `repeating`."""

    serializer_class = JobSerializer
    filterset_class = JobFilterSet
    queryset = jobs()
    permission_classes = [IsAuthenticated, TokenWritePermission]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[Job]:
        queryset = super().get_queryset()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return queryset.none()
        if user.has_perm("core.view_job"):
            return queryset
        if self.action == "cancel" and user.has_perm("core.change_job"):
            return queryset
        return queryset.filter(user_id=user.pk)

    @extend_schema(
        request=None,
        responses={200: JobCancelledSerializer, 401: ErrorSerializer, 403: ErrorSerializer,
                   404: ErrorSerializer, 409: ErrorSerializer},
        summary="Cancel a job",
        description="A pending job never runs; a running job that repeats is not repeated "
        "(core.jobs.cancel_job). 409 when it has finished and does not repeat: nothing to "
        "cancel. Allowed to whoever started the job, or with `core.change_job`.",
    )  # fmt: skip
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        if not may_cancel_job(request.user, job):
            raise PermissionDenied(
                "Only whoever started the job, or a user who may change jobs (core.change_job), "
                "may cancel it."
            )
        try:
            done = cancel_job(job, by=request.user.get_username())
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=409)
        job = self.get_queryset().get(pk=job.pk)
        context = self.get_serializer_context()
        return Response({"detail": done, "job": JobSerializer(job, context=context).data})
