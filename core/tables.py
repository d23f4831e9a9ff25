"""Table pieces the apps share: the base table, links, badges for status and BGP state."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Model
from django.utils.html import format_html, format_html_join

from core.links import list_url, object_url
from core.models import Job

MAX_PER_PAGE = 500
NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}


def link_record(record: Model) -> str | None:
    return object_url(record)


def link_value(value: Model | None) -> str | None:
    return object_url(value)


def badge(kind: str, value: str | None, label: str | None = None) -> str:
    value = value or "unknown"
    return format_html('<span class="badge {}-{}">{}</span>', kind, value, label or value)


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table"}
        empty_text = "Nothing to show."

    def paginate(self, paginator_class: type = Paginator, per_page: int | None = None,
                 page: int = 1, *args: Any, **kwargs: Any) -> BaseTable:  # fmt: skip
        # ?per_page= comes from the user: keep one page affordable, and at least one row.
        per_page = max(1, min(per_page or self._meta.per_page, MAX_PER_PAGE))
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class ChoiceBadgeColumn(tables.Column):
    """A choice field as a coloured badge (status, BGP state, job status)."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("default", None)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, record: Model, value: str | None, bound_column: Any) -> str:
        # `value` is already the choice's label; the badge's colour needs the stored value.
        stored = bound_column.accessor.resolve(record)
        return badge(self.kind, stored, value if stored else None)


class CountColumn(tables.Column):
    """A count, right-aligned, with thousands separators: "1,234,567" (not for AS numbers,
    which are identifiers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value: int) -> str:
        return f"{value:,}"


class TagsColumn(tables.Column):
    """An object's tags as small badges, each linked to the list (`list_url`) filtered by
    it. Prefetch "tags" on the table's queryset: a row then costs no query."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", "Tags")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("accessor", "pk")
        # the badges wrap in a narrow cell: session lists must fit a laptop's screen
        kwargs.setdefault("attrs", {"td": {"class": "tags"}})
        super().__init__(**kwargs)

    def render(self, record: Model) -> str:
        tags = sorted(record.tags.all(), key=lambda tag: tag.name)
        if not tags:
            return "—"
        base = list_url(type(record))
        return format_html_join(
            " ",
            '<a class="badge tag" href="{}?tag={}">{}</a>',
            ((base, tag.slug, tag.name) for tag in tags),
        )


def status_column(**kwargs: Any) -> ChoiceBadgeColumn:
    return ChoiceBadgeColumn("status", **kwargs)


def link_target(record: Job) -> str | None:
    """The job's target's page, while the target exists."""
    return object_url(record.target) if record.target_id is not None else None


def render_duration(value: float | None) -> str:
    """Seconds, one decimal ("12.3 s"); "—" for a job not finished."""
    return "—" if value is None else f"{value:.1f} s"


class JobTable(BaseTable):
    """Jobs; the target is linked while it exists (prefetch `target` for a long list).
    "Started by" is who asked and through which door ("alice · page", "root · command")."""

    created = tables.DateTimeColumn(linkify=link_record, format="Y-m-d H:i:s")
    kind = tables.Column(accessor="kind_label", order_by=("kind",), verbose_name="Kind")
    target = tables.Column(
        accessor="target_name", linkify=link_target, order_by=("target_name",), default="—"
    )
    status = ChoiceBadgeColumn("job")
    started_by = tables.Column(
        accessor="started_by", order_by=("requested_by", "origin"), verbose_name="Started by"
    )
    duration = tables.Column(
        accessor="duration_s", orderable=False, verbose_name="Duration", empty_values=()
    )
    finished = tables.DateTimeColumn(format="Y-m-d H:i:s")

    class Meta(BaseTable.Meta):
        model = Job
        fields = ["created", "kind", "target", "status", "started_by", "duration", "finished"]

    def render_duration(self, value: float | None) -> str:
        return render_duration(value)


class RecentJobTable(JobTable):
    """A target's recent jobs (its page's card): each one's outcome line too, with what it
    gave (a deploy's diff, passwords masked; a poll's report) to unfold."""

    outcome = tables.TemplateColumn(
        template_name="core/partials/job_outcome.html", orderable=False, verbose_name="Outcome"
    )

    class Meta(JobTable.Meta):
        fields = [*JobTable.Meta.fields, "outcome"]
