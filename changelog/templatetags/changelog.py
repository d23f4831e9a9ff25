"""The change log in templates: the "Changes" card of an object's page, and the pieces
of an entry (its fields, who, its action)."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.safestring import SafeString

from changelog import display, tables
from changelog.queries import changes_of
from changelog.registry import is_tracked

register = template.Library()
# How many of an object's changes its page shows; the list shows them all.
CARD_SIZE = 10


@register.inclusion_tag("changelog/partials/changes_card.html", takes_context=True)
def changes_card(context: dict[str, Any], obj: Model | None) -> dict[str, Any]:
    """The latest CARD_SIZE changes of `obj` (nothing for a model the change log does not
    follow), and a link to all of them for users who may view the change log. One query."""
    if obj is None or not is_tracked(type(obj)):
        return {"shown": False}
    entries = list(changes_of(obj)[: CARD_SIZE + 1])
    user = context["request"].user
    may_list = user.has_perm("auditlog.view_logentry")
    meta = obj._meta
    list_url = None
    if may_list:
        type_name = f"{meta.app_label}.{meta.model_name}"
        list_url = f"{reverse('auditlog:logentry_list')}?type={type_name}&object_id={obj.pk}"
    return {
        "shown": True,
        "entries": entries[:CARD_SIZE],
        "more": len(entries) > CARD_SIZE,
        "list_url": list_url,
        "may_open": may_list,
        "noun": meta.verbose_name,
    }


@register.filter
def entry_changes(entry: LogEntry) -> SafeString:
    return tables.changes_html(entry)


@register.filter
def entry_who(entry: LogEntry) -> SafeString:
    return tables.who_html(entry)


@register.filter
def entry_origin(entry: LogEntry) -> str:
    return display.origin_label(entry) or "—"


@register.filter
def entry_action(entry: LogEntry) -> SafeString:
    return tables.action_badge(entry)
