"""What the change log's tests read: the entries about a model, who made them."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client


def entries(model: type[Model], **filters: object) -> list[LogEntry]:
    """The entries about objects of `model`, oldest first."""
    content_type = ContentType.objects.get_for_model(model)
    return list(
        LogEntry.objects.filter(content_type=content_type, **filters)
        .select_related("actor")
        .order_by("timestamp", "pk")
    )


def who(entry: LogEntry) -> tuple[str | None, str | None, str | None]:
    """(user name, origin, recorded name) of an entry."""
    data = entry.additional_data or {}
    return (
        entry.actor.get_username() if entry.actor else None,
        data.get("origin"),
        data.get("actor_name"),
    )


def logged_in(make_user, *permissions: str, username: str) -> Client:
    client = Client()
    client.force_login(make_user(*permissions, username=username))
    return client
