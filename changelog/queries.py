"""The queries the change log's pages, command and API share."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, Exists, OuterRef, QuerySet, Value, When

from changelog.registry import tracked_models


def changes() -> QuerySet[LogEntry]:
    """Every entry, newest first, with its user and object type, and `object_exists`:
    whether the object is still there (for a link to its page). One query, whatever the
    number of entries and of object types."""
    exists = [
        When(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            then=Exists(model._base_manager.filter(pk=OuterRef("object_id"))),
        )
        for model in tracked_models()
    ]
    return (
        LogEntry.objects.select_related("content_type", "actor")
        .annotate(object_exists=Case(*exists, default=Value(False), output_field=BooleanField()))
        .order_by("-timestamp", "-pk")
    )


def changes_of(obj: models.Model) -> QuerySet[LogEntry]:
    """The entries about `obj`, newest first, with their user."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return (
        LogEntry.objects.filter(content_type=content_type, object_id=obj.pk)
        .select_related("content_type", "actor")
        .order_by("-timestamp", "-pk")
    )
