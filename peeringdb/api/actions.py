"""`POST /api/peeringdb/sync/`: synchronise the PeeringDB mirror in a job, as
`manage.py peeringdb_sync --tasks` does (`full`, `dry_run`, `repeat_every`).

It needs `peering.change_autonomoussystem`: the synchronisation's change to the
inventory is to the autonomous systems that follow PeeringDB (the mirror itself is written
by nothing else, and nobody edits it), so whoever may change those ASes by hand may have
PeeringDB change them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.actions import (
    JOB_LOCATION,
    JSON_BODY,
    arguments_serializer,
    body_object,
    job_accepted,
    job_responses,
    requires,
)
from core.api.views import APIViewMixin
from peeringdb.jobs import PeeringDBSyncJob

SYNC_PERMISSION = "peering.change_autonomoussystem"
PeeringDBSyncArguments = arguments_serializer(PeeringDBSyncJob, "PeeringDBSyncArguments")


class PeeringDBSyncViewSet(APIViewMixin, viewsets.GenericViewSet):
    """Starts a PeeringDB synchronisation job (see the module's docstring)."""

    permission_classes = requires(SYNC_PERMISSION)
    filterset_class = None
    parser_classes = JSON_BODY
    serializer_class = PeeringDBSyncArguments  # the browsable API's form

    @extend_schema(
        request=PeeringDBSyncArguments,
        responses=job_responses(about_an_object=False),
        parameters=[JOB_LOCATION],
        operation_id="peeringdb_sync",
        summary="Synchronise the PeeringDB mirror",
        description="A job that reads what changed in PeeringDB (everything with `full`), "
        "stores it and updates the autonomous systems that follow PeeringDB; with "
        f"`dry_run` it only says what that would change. Needs `{SYNC_PERMISSION}`.",
    )
    def create(self, request: Request) -> Response:
        return job_accepted(request, PeeringDBSyncJob, None, body_object(request))
