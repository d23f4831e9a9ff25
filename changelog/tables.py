"""The change log as a table: one row per entry."""

from __future__ import annotations

import django_tables2 as tables
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from changelog import display
from core.tables import BaseTable, badge


def action_badge(entry: LogEntry) -> SafeString:
    verb = display.ACTION_VERBS.get(entry.action, "recorded")
    return badge("action", display.ACTION_CLASSES.get(entry.action, "other"), verb)


def changes_html(entry: LogEntry) -> SafeString:
    """The entry's fields as a list: "Label: old → new", values cut short, secrets as
    their marks."""
    rows = []
    for change in display.shown_changes(entry):
        if change.old and change.new:
            values = format_html(
                '<span class="old">{}</span> → <span class="new">{}</span>',
                change.old_short,
                change.new_short,
            )
        else:
            values = format_html(
                '<span class="{}">{}</span>',
                "old" if change.old else "new",
                change.old_short or change.new_short or "—",
            )
        rows.append((change.label, values))
    if not rows:
        return format_html('<span class="muted">{}</span>', "no field")
    return format_html('<ul class="changes">{}</ul>', format_html_join("", "<li>{}: {}</li>", rows))


def who_html(entry: LogEntry) -> SafeString:
    """Who, and the job that made the change when one did."""
    name = display.actor(entry) or "—"
    job = display.job_url(entry)
    if job:
        return format_html('{} <a class="muted" href="{}">(job)</a>', name, job)
    return format_html("{}", name)


class ChangeTable(BaseTable):
    """Entries: when (a link to the entry), who, origin, action, object (a link while it
    exists), and the changed fields. Needs changelog.queries.changes() (object_exists)."""

    timestamp = tables.DateTimeColumn(
        verbose_name="Time",
        format="Y-m-d H:i:s",
        order_by=("timestamp", "pk"),
        linkify=lambda record: reverse("auditlog:logentry", kwargs={"pk": record.pk}),
    )
    who = tables.Column(
        verbose_name="Who",
        empty_values=(),
        order_by=("actor__username", "additional_data__actor_name"),
    )
    origin = tables.Column(
        verbose_name="Origin", empty_values=(), order_by=("additional_data__origin",)
    )
    action = tables.Column(verbose_name="Action", empty_values=())
    object_type = tables.Column(
        verbose_name="Type", empty_values=(), order_by=("content_type__model",)
    )
    object_repr = tables.Column(
        verbose_name="Object", linkify=lambda record: display.object_url(record)
    )
    changes = tables.Column(verbose_name="Changes", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = LogEntry
        fields = ["timestamp", "who", "origin", "action", "object_type", "object_repr", "changes"]

    def render_who(self, record: LogEntry) -> SafeString:
        return who_html(record)

    def render_origin(self, record: LogEntry) -> str:
        return display.origin_label(record) or "—"

    def render_action(self, record: LogEntry) -> SafeString:
        return action_badge(record)

    def render_object_type(self, record: LogEntry) -> str:
        return display.type_label(record)

    def render_changes(self, record: LogEntry) -> SafeString:
        return changes_html(record)
