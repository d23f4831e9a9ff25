"""`POST /api/irr/refresh/`: refresh the IRR prefix lists in a job, as
`manage.py irr_refresh --tasks` does: `asns` as its `--as` (without it, every AS with an
AS-set or a session but our own), and `repeat_every`.

It needs `peering.change_autonomoussystem`: the prefix lists are what an AS's AS-SET
expands to, kept for the templates (nothing else writes them, nobody edits them), so
whoever may change an AS's AS-SET may have its lists read again."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.actions import (
    JOB_LOCATION,
    JSON_BODY,
    REPEAT_EVERY,
    arguments_serializer,
    body_object,
    job_accepted,
    job_responses,
    requires,
)
from core.api.fields import ASNField, StrictSerializer
from core.api.views import APIViewMixin
from core.operations import InputError
from irr.jobs import IRRRefreshJob
from irr.refresh import systems_to_refresh

REFRESH_PERMISSION = "peering.change_autonomoussystem"


class IRRRefreshSerializer(StrictSerializer):
    """Which ASes to refresh; every AS with an AS-set or a session but our own without
    `asns`."""

    asns = serializers.ListField(child=ASNField(), required=False, allow_empty=False)
    repeat_every = serializers.IntegerField(required=False, allow_null=True)


# The schema's body: `asns` as a list, and repeat_every as every job action takes it.
IRRRefreshArguments = arguments_serializer(
    IRRRefreshJob,
    "IRRRefreshArguments",
    asns=serializers.ListField(
        child=ASNField(),
        required=False,
        help_text='The ASes to refresh (64501 or "AS64501"); without it, every AS with an '
        "AS-set or a session but our own (affiliated) ASes.",
    ),
)


class IRRRefreshViewSet(APIViewMixin, viewsets.GenericViewSet):
    """Starts an IRR prefix list refresh job (see the module's docstring)."""

    permission_classes = requires(REFRESH_PERMISSION)
    filterset_class = None
    parser_classes = JSON_BODY
    serializer_class = IRRRefreshArguments  # the browsable API's form

    @extend_schema(
        request=IRRRefreshArguments,
        responses=job_responses(about_an_object=False),
        parameters=[JOB_LOCATION],
        operation_id="irr_refresh",
        summary="Refresh the IRR prefix lists",
        description="A job that expands the AS-sets of the ASes named (each must be in the "
        "inventory, else 400) with bgpq4 and keeps their prefix lists; an AS-set that "
        f"fails keeps its previous lists. Needs `{REFRESH_PERMISSION}`.",
    )
    def create(self, request: Request) -> Response:
        serializer = IRRRefreshSerializer(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        asns = serializer.validated_data.get("asns")
        if asns is not None:
            try:
                systems_to_refresh(asns)  # an AS not in the inventory is refused now
            except InputError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "asns": ",".join(str(asn) for asn in asns) if asns else None,
            REPEAT_EVERY: serializer.validated_data.get(REPEAT_EVERY),
        }
        return job_accepted(request, IRRRefreshJob, None, body)
