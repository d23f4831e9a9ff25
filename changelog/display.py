"""A change-log entry as people read it: who, through which door, what changed.

Values are shown as the object's page shows them (a choice by its label, yes / no, JSON
objects with their credentials masked); nothing here reads the database, so a page of
entries costs what one entry does.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.text import capfirst

from changelog.context import Origin
from changelog.entries import is_m2m_change
from changelog.masking import is_secret_name, masked_value, secret_fields
from core.views.generic import ModelViews

ACTION_VERBS = {
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
}
# What the action filter and the action badges say.
ACTION_CHOICES = [(action, verb.capitalize()) for action, verb in ACTION_VERBS.items()]
ACTION_CLASSES = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
}
# Lists and cards cut longer values (a template's text); the entry's page shows them whole.
SHORT_VALUE = 80


@dataclass(frozen=True)
class ShownChange:
    """One field of an entry: its label, and its old and new values as text ("" when
    there was none). A secret's values are the marks of changelog.masking."""

    field: str
    label: str
    old: str
    new: str
    secret: bool

    @property
    def multiline(self) -> bool:
        return "\n" in self.old or "\n" in self.new

    @property
    def diff(self) -> str:
        """A unified diff of a multi-line value (a template's text), without its header."""
        lines = difflib.unified_diff(self.old.splitlines(), self.new.splitlines(), lineterm="", n=2)
        return "\n".join(line for line in lines if not line.startswith(("---", "+++")))

    @property
    def old_short(self) -> str:
        return _short(self.old)

    @property
    def new_short(self) -> str:
        return _short(self.new)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


def _text(field: models.Field | None, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(masked_value(value), sort_keys=True)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


@functools.cache
def form_labels(model: type[models.Model]) -> dict[str, str]:
    """The labels the model's form gives its fields ("NAPALM password"), as its pages
    show them: from the ModelViews of its pages (core.views.generic)."""
    get_resolver().url_patterns  # noqa: B018 - imports every app's views
    todo, found = list(ModelViews.__subclasses__()), {}
    while todo:
        views = todo.pop()
        todo.extend(views.__subclasses__())
        form_class = getattr(views, "form_class", None)
        if form_class is not None and views.queryset.model is model:
            found = {name: str(f.label) for name, f in form_class.base_fields.items() if f.label}
    return found


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's label: its form's, else its verbose name, else its name."""
    field = _field(model, name)
    if field is None:
        return name
    return form_labels(model).get(name) or capfirst(str(field.verbose_name))


def shown_changes(entry: LogEntry) -> list[ShownChange]:
    """The entry's changed fields, in the order of the model's fields."""
    model = entry.content_type.model_class()
    secrets = secret_fields(model) if model is not None else frozenset()
    order = {field.name: n for n, field in enumerate(model._meta.concrete_fields)} if model else {}
    shown = []
    for name, pair in (entry.changes or {}).items():
        if is_m2m_change(pair):
            shown.append(_m2m_shown(model, name, pair))
            continue
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        field = _field(model, name)
        label = field_label(model, name)
        secret = name in secrets or is_secret_name(name)
        field_of_values = None if secret or (field is not None and field.is_relation) else field
        old, new = (_text(field_of_values, value) for value in pair)
        shown.append(ShownChange(name, label, old, new, secret))
    return sorted(shown, key=lambda change: order.get(change.field, len(order)))


def _m2m_shown(model: type[models.Model] | None, name: str, change: dict[str, Any]) -> ShownChange:
    """Objects added to a many-to-many field (policies, communities, tags) show as the new
    value "+ a, b"; objects removed as the old value "- a, b"."""
    objects = change.get("objects")
    names = ", ".join(str(item) for item in objects) if isinstance(objects, list) else ""
    label = field_label(model, name)
    if change.get("operation") == "add":
        return ShownChange(name, label, "", f"+ {names}", False)
    return ShownChange(name, label, f"- {names}", "", False)


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def type_label(entry: LogEntry) -> str:
    """What kind of object the entry is about ("Router")."""
    model = entry.content_type.model_class()
    return capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model


def title(entry: LogEntry) -> str:
    """The entry in a few words: "Router r1 changed"."""
    verb = ACTION_VERBS.get(entry.action, "recorded")
    return f"{type_label(entry)} {entry.object_repr} {verb}"


def origin(entry: LogEntry) -> str:
    """The door the change came through ("page"...), or "" when not known."""
    return str((entry.additional_data or {}).get("origin") or "")


def origin_label(entry: LogEntry) -> str:
    value = origin(entry)
    return str(Origin(value).label) if value in Origin.values else value


def actor(entry: LogEntry) -> str:
    """Who made the change: the user's name (as it is now, else as it was), a command's
    OS user, or "" when not known."""
    if entry.actor is not None:
        return entry.actor.get_username()
    return str((entry.additional_data or {}).get("actor_name") or "")


def job_id(entry: LogEntry) -> str:
    """The id of the background job that made the change, or ""."""
    return str((entry.additional_data or {}).get("job") or "")


def job_url(entry: LogEntry) -> str | None:
    job = job_id(entry)
    try:
        return reverse("core:job", kwargs={"pk": job}) if job else None
    except NoReverseMatch:
        return None


def object_url(entry: LogEntry) -> str | None:
    """The object's page while it exists (the queryset's `object_exists`, see
    changelog.queries), else None."""
    if not getattr(entry, "object_exists", False) or entry.object_id is None:
        return None
    content_type = entry.content_type
    try:
        return reverse(
            f"{content_type.app_label}:{content_type.model}", kwargs={"pk": entry.object_id}
        )
    except NoReverseMatch:
        return None


def as_dict(entry: LogEntry) -> dict[str, Any]:
    """The entry for a script (`manage.py changelog --json`): the changes as stored, a
    secret's values being its marks."""
    content_type = entry.content_type
    return {
        "id": entry.pk,
        "time": entry.timestamp.isoformat(),
        "action": ACTION_VERBS.get(entry.action, "recorded"),
        "object_type": f"{content_type.app_label}.{content_type.model}",
        "object_id": entry.object_id,
        "object": entry.object_repr,
        "who": actor(entry) or None,
        "origin": origin(entry) or None,
        "job": job_id(entry) or None,
        "changes": entry.changes or {},
    }
