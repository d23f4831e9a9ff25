"""What an Internet exchange's API does beyond its fields, as its page does: discover its
sessions on its routers (a job), list its available peers from the PeeringDB mirror, and
create sessions with those chosen.

- `POST /api/peering/ixps/{id}/discover/`: a discovery job (202, see
  core.api.actions); with `dry_run` it only says what it would create and needs to view
  the exchange, else it creates the sessions found and needs
  `peering.add_internetexchangepeeringsession`.
- `GET …/available-peers/`: what `manage.py available_peers --json` prints.
- `POST …/create-sessions/`: `{"asns": [64501, "AS64502"]}` or `{"all": true}`, as the
  command's `--create` and `--all`; peers new to the inventory also need
  `peering.add_autonomoussystem`."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.actions import (
    BAD_REQUEST,
    JOB_LOCATION,
    JSON_BODY,
    REPEAT_EVERY,
    arguments_serializer,
    body_object,
    check_permission,
    job_accepted,
    job_responses,
    requires,
)
from core.api.fields import ASNField, StrictSerializer
from core.api.jobs import ErrorSerializer
from core.api.permissions import TokenWritePermission
from core.job_types import get_job_type
from core.operations import InputError
from peering.jobs import DiscoverJob
from peeringdb.peer_sessions import ADD_AS_PERMISSION, every_peer
from peeringdb.peer_sessions import create_sessions as create_peer_sessions
from peeringdb.peers import available_peers as read_available_peers

VIEW_PERMISSION = "peering.view_internetexchange"
VIEW = requires(VIEW_PERMISSION)
ADD_SESSIONS_PERMISSION = "peering.add_internetexchangepeeringsession"
ADD_SESSIONS = requires(ADD_SESSIONS_PERMISSION)


class CreateSessionsSerializer(StrictSerializer):
    """Which available peers to create sessions with: `asns`, on every connection whose IX
    LAN has them, or `all` of them (route servers only where our PeeringDB entry says we
    peer with them, never a network whose policy is No: `notes` says who was left out)."""

    asns = serializers.ListField(child=ASNField(), required=False, allow_empty=False)
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if ("asns" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError(
                'Give either "asns" (a list of AS numbers) or "all": true.'
            )
        return attrs


class PeerAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    has_session = serializers.BooleanField()


class AvailablePeerSerializer(serializers.Serializer):
    """A network on the connection's IX LAN: `policy` is PeeringDB's general policy ("" when
    not known)."""

    asn = serializers.IntegerField()
    name = serializers.CharField()
    policy = serializers.CharField()
    ipv4 = PeerAddressSerializer(many=True)
    ipv6 = PeerAddressSerializer(many=True)
    is_rs_peer = serializers.BooleanField()
    is_route_server = serializers.BooleanField()
    in_inventory = serializers.BooleanField()


class IXLanLinkSerializer(serializers.Serializer):
    ixlan = serializers.IntegerField(allow_null=True, help_text="The PeeringDB IX LAN's id.")
    ix = serializers.CharField(help_text="Its IX's name.")
    how = serializers.CharField(help_text='How it was found: "chosen", "matched by subnet …".')


class IXLinkSerializer(serializers.Serializer):
    ix = serializers.IntegerField(allow_null=True, help_text="The PeeringDB IX's id.")
    name = serializers.CharField()
    how = serializers.CharField()


class ConnectionPeersSerializer(serializers.Serializer):
    """One connection's available peers; `left_out` counts the networks not listed, by why;
    `we_peer_with_route_servers` is what our own PeeringDB entry on the IX LAN says (null:
    we have none)."""

    connection = serializers.CharField()
    connection_id = serializers.IntegerField()
    router = serializers.CharField()
    peeringdb = IXLanLinkSerializer()
    we_peer_with_route_servers = serializers.BooleanField(allow_null=True)
    peers = AvailablePeerSerializer(many=True)
    left_out = serializers.DictField(child=serializers.IntegerField())


class AvailablePeersSerializer(serializers.Serializer):
    """An exchange's available peers per connection; `not_linked` says why none can be
    listed and the fix ("" when linked)."""

    ixp = serializers.CharField()
    peeringdb = IXLinkSerializer()
    linked = serializers.BooleanField()
    not_linked = serializers.CharField()
    connections = ConnectionPeersSerializer(many=True)


class CreatedSessionSerializer(serializers.Serializer):
    connection = serializers.CharField()
    router = serializers.CharField()
    asn = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    is_route_server = serializers.BooleanField()
    policy = serializers.CharField()


class SkippedAddressSerializer(serializers.Serializer):
    connection = serializers.CharField()
    router = serializers.CharField()
    asn = serializers.IntegerField()
    address = serializers.CharField()
    why = serializers.CharField()


class SessionsCreatedSerializer(serializers.Serializer):
    """What was created: the sessions, the addresses skipped (with why), the ASes added to
    the inventory, a summary sentence, and the peers `all` left out (`notes`)."""

    ixp = serializers.CharField()
    created = CreatedSessionSerializer(many=True)
    skipped = SkippedAddressSerializer(many=True)
    new_ases = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


class InternetExchangeActions:
    """Mixed into InternetExchangeViewSet: discovery, available peers, session creation."""

    @extend_schema(
        request=arguments_serializer(DiscoverJob, "DiscoverArguments"),
        responses=job_responses(),
        parameters=[JOB_LOCATION],
        summary="Discover the exchange's sessions on its routers",
        description="A job that reads the BGP neighbours of the exchange's routers and "
        "creates the sessions they have that the inventory lacks; with `dry_run`, only "
        "says which (viewing the exchange is then enough; creating needs "
        f"`{ADD_SESSIONS_PERMISSION}`).",
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=JSON_BODY,
        # Which permission depends on the body: checked below.
        permission_classes=[IsAuthenticated, TokenWritePermission],
    )
    def discover(self, request: Request, pk: str | None = None) -> Response:
        body = body_object(request)
        job_type = get_job_type(DiscoverJob)
        arguments = {name: value for name, value in body.items() if name != REPEAT_EVERY}
        try:
            given = job_type.check_arguments(arguments)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        defaults = {argument.name: argument.default for argument in job_type.arguments}
        # As the page's two buttons: a preview needs to view the exchange, creating the
        # sessions found needs to add sessions.
        if {**defaults, **given}["dry_run"]:
            check_permission(request, VIEW_PERMISSION)
        else:
            check_permission(
                request,
                ADD_SESSIONS_PERMISSION,
                ' to create the sessions ("dry_run": true lists them)',
            )
        ixp = self.get_object()
        return job_accepted(request, job_type, ixp, body)

    @extend_schema(
        request=None,
        responses={
            200: AvailablePeersSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="The exchange's available peers",
        description="The networks the PeeringDB mirror shows on the IX LAN of each of the "
        "exchange's connections that it has no session with yet, as the exchange's page "
        "and `manage.py available_peers --json` show them.",
    )
    @action(detail=True, methods=["get"], url_path="available-peers", permission_classes=VIEW)
    def available_peers(self, request: Request, pk: str | None = None) -> Response:
        peers = read_available_peers(self.get_object())
        return Response({**peers.as_dict(), "not_linked": peers.not_linked})

    @extend_schema(
        request=CreateSessionsSerializer,
        responses={
            200: SessionsCreatedSerializer,
            400: BAD_REQUEST,
            401: ErrorSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description=f"Not allowed: `{ADD_SESSIONS_PERMISSION}` is missing, or the "
                "token is read-only.",
            ),
            404: ErrorSerializer,
        },
        summary="Create sessions with available peers",
        description="One session per address each chosen peer has on the IX LAN, in each "
        "family the connection has, all or none. A peer new to the inventory is added "
        f"from PeeringDB, which needs `{ADD_AS_PERMISSION}` too.",
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=JSON_BODY,
        url_path="create-sessions",
        permission_classes=ADD_SESSIONS,
    )
    def create_sessions(self, request: Request, pk: str | None = None) -> Response:
        ixp = self.get_object()
        serializer = CreateSessionsSerializer(data=body_object(request))
        serializer.is_valid(raise_exception=True)
        choice = serializer.validated_data
        recording = getattr(self, "recording", nullcontext)
        try:
            if choice.get("all"):
                selection, notes = every_peer(read_available_peers(ixp), '"all"', '"asns"')
            else:
                selection, notes = choice["asns"], []
            with transaction.atomic(), recording():
                result = create_peer_sessions(
                    ixp, selection, may_create_ases=request.user.has_perm(ADD_AS_PERMISSION)
                )
        except InputError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({**result.as_dict(), "notes": notes})
