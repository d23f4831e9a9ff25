"""peering's API representations: ASes, exchanges, connections, BGP groups, sessions and
their histories, and how other objects show them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import (
    BriefSerializer,
    ReadOnlyModelSerializer,
    SecretField,
    SecretSetField,
)
from peering.api.policy_serializers import AssignedSerializer
from peering.assignments import ASSIGNMENT_FIELDS
from peering.models import (
    PEERINGDB_FIELDS,
    POLLED_FIELDS,
    AutonomousSystem,
    AutonomousSystemChange,
    BGPGroup,
    BGPSession,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.staleness import session_staleness
from peeringdb.follow import follow_peeringdb, kept_local
from peeringdb.forms import connection_mismatch, exchange_ix_mismatch

# --- brief forms ------------------------------------------------------------------------


class BriefAutonomousSystemSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-autonomous-systems-detail")

    class Meta:
        model = AutonomousSystem
        fields = ["id", "url", "display", "asn", "name"]


class BriefInternetExchangeSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-ixps-detail")

    class Meta:
        model = InternetExchange
        fields = ["id", "url", "display", "name", "slug"]


class BriefConnectionSerializer(BriefSerializer):
    """A connection: "<IXP> on <router>", and its addresses."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-connections-detail")

    class Meta:
        model = Connection
        fields = ["id", "url", "display", "ipv4_address", "ipv6_address"]


class BriefBGPGroupSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-bgp-groups-detail")

    class Meta:
        model = BGPGroup
        fields = ["id", "url", "display", "name", "slug"]


class BriefDirectPeeringSessionSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-direct-sessions-detail")

    class Meta:
        model = DirectPeeringSession
        fields = ["id", "url", "display", "ip_address"]


class BriefInternetExchangePeeringSessionSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-ixp-sessions-detail")

    class Meta:
        model = InternetExchangePeeringSession
        fields = ["id", "url", "display", "ip_address"]


# --- inventory --------------------------------------------------------------------------


class AutonomousSystemSerializer(AssignedSerializer):
    """An AS as its form edits it. As on its page, a followed field (PEERINGDB_FIELDS)
    given a value other than PeeringDB's is kept local (added to `local_fields`), and
    saving takes PeeringDB's values for the fields not kept local."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-autonomous-systems-detail")
    local_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=PEERINGDB_FIELDS),
        required=False,
        help_text="Fields whose local value wins over PeeringDB's.",
    )

    class Meta:
        model = AutonomousSystem
        fields = [
            "id",
            "url",
            "display",
            "asn",
            "name",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "irr_as_set",
            "peering_policy",
            "local_fields",
            "affiliated",
            "description",
            *ASSIGNMENT_FIELDS,
        ]

    def check(self, instance: models.Model, attrs: dict[str, Any]) -> dict[str, str]:
        before = self.instance if self.instance is not None else AutonomousSystem()
        edited = [
            name
            for name, value in attrs.items()
            if name not in ASSIGNMENT_FIELDS and getattr(before, name) != value
        ]
        values = {name: getattr(instance, name) for name in PEERINGDB_FIELDS}
        local = kept_local(
            instance.asn, values, edited, attrs.get("local_fields", before.local_fields)
        )
        if local is not None:
            attrs["local_fields"] = local
        elif "local_fields" in attrs:
            attrs["local_fields"] = [n for n in PEERINGDB_FIELDS if n in attrs["local_fields"]]
        return {}

    def save(self, **kwargs: Any) -> AutonomousSystem:
        system = super().save(**kwargs)
        follow_peeringdb(timezone.now(), [system])
        return system


class InternetExchangeSerializer(AssignedSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-ixps-detail")

    class Meta:
        model = InternetExchange
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "local_autonomous_system",
            "status",
            "peeringdb_ix",
            "description",
            *ASSIGNMENT_FIELDS,
        ]

    def check(self, instance: models.Model, attrs: dict[str, Any]) -> dict[str, str]:
        why = exchange_ix_mismatch(instance, instance.peeringdb_ix)
        return {"peeringdb_ix": why} if why else {}


class ConnectionSerializer(AssignedSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-connections-detail")

    class Meta:
        model = Connection
        fields = [
            "id",
            "url",
            "display",
            "internet_exchange",
            "router",
            "ipv4_address",
            "ipv6_address",
            "peeringdb_ixlan",
            "interface",
            "vrf",
            "status",
            "description",
            *ASSIGNMENT_FIELDS,
        ]

    def check(self, instance: models.Model, attrs: dict[str, Any]) -> dict[str, str]:
        why = connection_mismatch(
            instance.internet_exchange,
            instance.ipv4_address,
            instance.ipv6_address,
            instance.peeringdb_ixlan,
        )
        return {"peeringdb_ixlan": why} if why else {}


class BGPGroupSerializer(AssignedSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-bgp-groups-detail")

    class Meta:
        model = BGPGroup
        fields = ["id", "url", "display", "name", "slug", "status", "description"]
        fields = [*fields, *ASSIGNMENT_FIELDS]


# --- sessions ---------------------------------------------------------------------------


class StalenessSerializer(serializers.Serializer):
    """Why a session's polled state is not current, and when it was read."""

    since = serializers.DateTimeField(
        allow_null=True, help_text="When it was read (null: unknown)."
    )
    why = serializers.CharField()


# Read from the router by polling; null: not known (never polled, or the router did not say).
POLLED = [*POLLED_FIELDS, "stale"]


class SessionSerializer(AssignedSerializer):
    """What both kinds of session have. The password is write-only (`password_set` says
    whether one is stored); the polled state is read-only, and `stale` (null when current)
    says when it was read and why it is not current (the router's last poll failed, or
    nothing polls it)."""

    password = SecretField(
        help_text="MD5 password, up to 80 printable ASCII characters; "
        "write-only, empty or null removes it."
    )
    password_set = SecretSetField("password")
    stale = serializers.SerializerMethodField()

    @extend_schema_field(StalenessSerializer(allow_null=True))
    def get_stale(self, session: BGPSession) -> dict[str, Any] | None:
        staleness = session_staleness(session)
        return None if staleness is None else StalenessSerializer(staleness).data


class DirectPeeringSessionSerializer(SessionSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-direct-sessions-detail")

    class Meta:
        model = DirectPeeringSession
        fields = [
            "id",
            "url",
            "display",
            "router",
            "bgp_group",
            "autonomous_system",
            "local_autonomous_system",
            "ip_address",
            "local_ip_address",
            "vrf",
            "status",
            "password",
            "password_set",
            "multihop_ttl",
            "description",
            *ASSIGNMENT_FIELDS,
            *POLLED,
        ]
        read_only_fields = POLLED


class InternetExchangePeeringSessionSerializer(SessionSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:peering-ixp-sessions-detail")

    class Meta:
        model = InternetExchangePeeringSession
        fields = [
            "id",
            "url",
            "display",
            "ixp_connection",
            "autonomous_system",
            "ip_address",
            "is_route_server",
            "status",
            "password",
            "password_set",
            "multihop_ttl",
            "description",
            *ASSIGNMENT_FIELDS,
            *POLLED,
        ]
        read_only_fields = POLLED


# --- histories (read-only) --------------------------------------------------------------


class BGPSessionStateChangeSerializer(ReadOnlyModelSerializer):
    """One transition of a session's BGP state seen by polling: `direct_session` or
    `ixp_session` (the other is null); a null state is unknown."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-session-state-changes-detail")

    class Meta:
        model = BGPSessionStateChange
        fields = [
            "id",
            "url",
            "display",
            "direct_session",
            "ixp_session",
            "from_state",
            "to_state",
            "at",
        ]


class AutonomousSystemChangeSerializer(ReadOnlyModelSerializer):
    """One change a PeeringDB synchronisation made to one field of an AS: old → new."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:peering-autonomous-system-changes-detail"
    )

    class Meta:
        model = AutonomousSystemChange
        fields = [
            "id",
            "url",
            "display",
            "autonomous_system",
            "field",
            "old_value",
            "new_value",
            "at",
            "source",
        ]
