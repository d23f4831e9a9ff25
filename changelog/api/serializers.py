"""A change-log entry in the API: what the page shows of it, values as stored (a secret's
values being its marks)."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from changelog import display


class ChangeSerializer(serializers.ModelSerializer):
    """`changes` is {field: [old, new]}; a related object is named, a secret is "••••" /
    "changed" (or null where there is none)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:changelog-detail")
    display = serializers.SerializerMethodField()
    time = serializers.DateTimeField(source="timestamp")
    action = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()
    object = serializers.CharField(source="object_repr")
    who = serializers.SerializerMethodField()
    origin = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "url",
            "display",
            "time",
            "action",
            "object_type",
            "object_id",
            "object",
            "who",
            "origin",
            "job",
            "changes",
        ]
        read_only_fields = fields

    def get_display(self, entry: LogEntry) -> str:
        return display.title(entry)

    def get_action(self, entry: LogEntry) -> str:
        """One of "created", "changed", "deleted"."""
        return display.ACTION_VERBS.get(entry.action, "recorded")

    def get_object_type(self, entry: LogEntry) -> str:
        """The model, as in "devices.router"."""
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def get_who(self, entry: LogEntry) -> str | None:
        return display.actor(entry) or None

    def get_origin(self, entry: LogEntry) -> str | None:
        """The door: one of "page", "admin", "api", "command", "job"; null when not known."""
        return display.origin(entry) or None

    def get_job(self, entry: LogEntry) -> str | None:
        """The id of the background job that made the change."""
        return display.job_id(entry) or None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, entry: LogEntry) -> dict[str, Any]:
        return entry.changes or {}
