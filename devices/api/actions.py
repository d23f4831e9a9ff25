"""The jobs a router's API starts, as its page's buttons do: ping, render, diff, deploy,
poll; and its rendered configuration, read at once as the page shows it.

`POST /api/devices/routers/{id}/<action>/` answers 202 with the job (core.api.actions);
reading the router is enough to start those that only read from it, deploying needs
`devices.deploy_router`, as on the page."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from configs.jobs import DeployDryRunJob, DeployJob, RenderJob
from configs.previews import render_one
from core.api.actions import (
    JOB_LOCATION,
    JSON_BODY,
    arguments_serializer,
    body_object,
    job_accepted,
    job_responses,
    requires,
)
from core.api.jobs import ErrorSerializer
from core.job_types import JobType
from devices.jobs import PingJob
from peering.jobs import PollJob

VIEW = requires("devices.view_router")
DEPLOY = requires("devices.deploy_router")


class RenderedConfigurationSerializer(serializers.Serializer):
    """A router's configuration as its template renders it now, session passwords
    masked."""

    router = serializers.CharField()
    configuration = serializers.CharField()
    lines = serializers.IntegerField()


def _job_schema(job_type: type[JobType], name: str, summary: str, description: str) -> object:
    return extend_schema(
        request=arguments_serializer(job_type, name),
        responses=job_responses(),
        parameters=[JOB_LOCATION],
        summary=summary,
        description=description,
    )


class RouterActions:
    """Mixed into RouterViewSet: one @action per job a router's page can start, and the
    page's configuration preview."""

    def _start(self, request: Request, job_type: type[JobType], **defaults: object) -> Response:
        router = self.get_object()
        return job_accepted(request, job_type, router, {**defaults, **body_object(request)})

    @_job_schema(
        PingJob,
        "PingArguments",
        "Ping the router",
        "A job that opens a NAPALM connection to the router and asks whether it is alive.",
    )
    @action(detail=True, methods=["post"], parser_classes=JSON_BODY, permission_classes=VIEW)
    def ping(self, request: Request, pk: str | None = None) -> Response:
        return self._start(request, PingJob)

    @_job_schema(
        RenderJob,
        "RenderArguments",
        "Render the router's configuration in a job",
        "A job whose output is the rendered configuration, session passwords masked. "
        "`GET …/configuration/` gives the same at once.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="render",
        url_name="render",
        parser_classes=JSON_BODY,
        permission_classes=VIEW,
    )
    def render_job(self, request: Request, pk: str | None = None) -> Response:
        return self._start(request, RenderJob)

    @_job_schema(
        DeployDryRunJob,
        "DiffArguments",
        "Diff the router's configuration (dry run)",
        "A job that loads the rendered configuration on the router, compares and discards "
        "it: its output is the diff; nothing is committed. Its result's `diff_sha256` is "
        "the diff's fingerprint: give it to the deploy action as `expected_diff` to commit "
        "exactly that diff. `offer_commit` makes the job's panel on the router's page "
        "offer to commit it.",
    )
    @action(detail=True, methods=["post"], parser_classes=JSON_BODY, permission_classes=VIEW)
    def diff(self, request: Request, pk: str | None = None) -> Response:
        return self._start(request, DeployDryRunJob)

    @_job_schema(
        DeployJob,
        "DeployArguments",
        "Deploy the router's configuration",
        "A job that pushes the rendered configuration: compared first unless `commit_check` "
        "is false, committed when it changes something; with `commit_confirm`, the router "
        "reverts unless the change is confirmed within that many seconds. With "
        "`expected_diff` (a diff job's `diff_sha256`), it commits only if the diff it "
        "computes is that one, and otherwise fails (category `diff changed`) with the new "
        "diff, nothing committed; without it the deployment is not confirmed by anyone. "
        "Its result's `status` is `changed`, `unchanged`, `pushed` (committed with "
        "`commit_check` false by a driver that cannot read its running configuration, so "
        "whether anything changed is unknown), `skipped` or `failed`. Its output is the "
        "diff (passwords masked): the candidate's, or with `commit_check` false the running "
        "configuration's before and after. Needs `devices.deploy_router`.",
    )
    @action(detail=True, methods=["post"], parser_classes=JSON_BODY, permission_classes=DEPLOY)
    def deploy(self, request: Request, pk: str | None = None) -> Response:
        # Stored as the page's button stores it: compared first unless told otherwise.
        return self._start(request, DeployJob, commit_check=True)

    @_job_schema(
        PollJob,
        "PollArguments",
        "Poll the router's BGP sessions",
        "A job that reads the router's BGP neighbours and stores each session's state.",
    )
    @action(detail=True, methods=["post"], parser_classes=JSON_BODY, permission_classes=VIEW)
    def poll(self, request: Request, pk: str | None = None) -> Response:
        return self._start(request, PollJob)

    @extend_schema(
        request=None,
        responses={
            200: RenderedConfigurationSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Not rendered: the router has no template, or the template "
                "fails (the sentence names the template and the line).",
            ),
        },
        summary="The router's rendered configuration",
        description="Rendered now, as the router's page shows it, session passwords masked.",
    )
    @action(detail=True, methods=["get"], permission_classes=VIEW)
    def configuration(self, request: Request, pk: str | None = None) -> Response:
        router = self.get_object()
        result = render_one(router)
        if not result.ok or result.skipped is not None:
            # The page's sentence: why it was skipped, or the template's error and line.
            detail = result.error or result.skipped
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        data = {"router": router.name, "configuration": result.masked, "lines": result.lines}
        return Response(data)
