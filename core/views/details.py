"""The rows of an object's detail page: a label and a display value per field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from core.fields import EncryptedTextField
from core.links import list_url, object_url
from core.secrets import mask_options

# Counts shown with thousands separators, as in the tables (AS numbers, identifiers, not).
COUNT_SUFFIXES = ("_count", "_max_prefixes")


@dataclass(frozen=True)
class Row:
    label: str
    value: Any
    # How the template shows it: text, link, links, tags, datetime, boolean, secret, code,
    # status, bgp_state
    kind: str = "text"
    url: str | None = None


@dataclass(frozen=True)
class Item:
    """One of several values of a row (kind "links" or "tags"): its text and its page."""

    text: str
    url: str | None = None


def _label(field: models.Field) -> str:
    name = str(field.verbose_name)
    return name[0].upper() + name[1:] if name and name[0].islower() else name


def field_row(obj: models.Model, name: str, label: str | None = None) -> Row:
    field = obj._meta.get_field(name)
    label = label or _label(field)
    if isinstance(field, EncryptedTextField):
        # Credentials are write-only: say whether one is stored, never what it is.
        return Row(label, bool(getattr(obj, name)), "secret")
    if field.many_to_many:
        return many_row(obj, name, label)
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, name)
        return Row(label, related, "link", object_url(related))
    value = getattr(obj, name)
    if field.choices and name in ("status", "bgp_state"):
        return Row(label, value, name)
    if field.choices:
        return Row(label, getattr(obj, f"get_{name}_display")())
    if isinstance(field, models.BooleanField):
        return Row(label, value, "boolean")
    if isinstance(value, datetime):
        return Row(label, value, "datetime")
    if isinstance(value, int) and name.endswith(COUNT_SUFFIXES):
        return Row(label, f"{value:,}")
    if isinstance(field, models.JSONField):
        shown = json.dumps(mask_options(value), indent=2, sort_keys=True) if value else ""
        return Row(label, shown, "code")
    return Row(label, value)


def many_row(obj: models.Model, name: str, label: str) -> Row:
    """A many-to-many field: each related object linked to its page; tags (kind "tags")
    linked to the list of the objects of this kind that carry them. Prefetch the field
    to keep the page's queries bounded."""
    related = list(getattr(obj, name).all())
    if name == "tags":
        base = list_url(type(obj))
        return Row(label, [Item(tag.name, f"{base}?tag={tag.slug}") for tag in related], "tags")
    return Row(label, [Item(str(item), object_url(item)) for item in related], "links")


def detail_rows(obj: models.Model, names: list[str], labels: dict[str, str]) -> list[Row]:
    return [field_row(obj, name, labels.get(name)) for name in names]
