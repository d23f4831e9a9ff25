"""devices' API representations: platforms and routers, and how other objects show them."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import (
    BriefSerializer,
    NAPALMArgsField,
    SecretField,
    SecretSetField,
    ValidatedModelSerializer,
)
from devices.models import Platform, Router
from peering.api.policy_serializers import AssignedSerializer
from peering.assignments import ASSIGNMENT_FIELDS
from peering.staleness import router_stale_reason


class BriefPlatformSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:devices-platforms-detail")

    class Meta:
        model = Platform
        fields = ["id", "url", "display", "name", "slug"]


class BriefRouterSerializer(BriefSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:devices-routers-detail")

    class Meta:
        model = Router
        fields = ["id", "url", "display", "name"]


class PlatformSerializer(ValidatedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:devices-platforms-detail")
    napalm_args = NAPALMArgsField(
        required=False, help_text="Optional arguments for the driver, as a JSON object."
    )

    class Meta:
        model = Platform
        fields = [
            "id",
            "url",
            "display",
            "name",
            "slug",
            "napalm_driver",
            "napalm_args",
            "poll_with_detail",
            "description",
        ]


class RouterSerializer(AssignedSerializer):
    """A router as its form edits it; the NAPALM password is write-only
    (`napalm_password_set` says whether one is stored), credentials among the NAPALM
    arguments are masked. `last_polled_at`, `last_poll_error` and `stale_reason` (why the
    state polled from it is not current, null when it is) are read-only."""

    url = serializers.HyperlinkedIdentityField(view_name="api:devices-routers-detail")
    napalm_password = SecretField(
        max_length=None, help_text="Write-only; empty or null removes it (NAPALM_PASSWORD)."
    )
    napalm_password_set = SecretSetField("napalm_password")
    napalm_args = NAPALMArgsField(
        required=False, help_text="Optional driver arguments for this router only."
    )
    stale_reason = serializers.SerializerMethodField()

    class Meta:
        model = Router
        fields = [
            "id",
            "url",
            "display",
            "name",
            "hostname",
            "platform",
            "status",
            "local_autonomous_system",
            "config_template",
            "poll_bgp_sessions_state",
            "napalm_username",
            "napalm_password",
            "napalm_password_set",
            "napalm_timeout",
            "napalm_args",
            "description",
            *ASSIGNMENT_FIELDS,
            "last_polled_at",
            "last_poll_error",
            "stale_reason",
        ]
        read_only_fields = ["last_polled_at", "last_poll_error"]

    def get_stale_reason(self, router: Router) -> str | None:
        return router_stale_reason(router)
