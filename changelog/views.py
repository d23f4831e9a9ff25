"""The change log's pages: the list of every change, filtered, and one entry's page."""

from __future__ import annotations

from typing import Any

from changelog import display
from changelog.filtersets import ChangeFilterSet
from changelog.queries import changes
from changelog.tables import ChangeTable
from core.views.details import Row
from core.views.generic import ModelViews, ObjectDetailView, ObjectListView


class ChangeListView(ObjectListView):
    template_name = "changelog/logentry_list.html"


class ChangeDetailView(ObjectDetailView):
    """One entry: when, who, through which door, the object, and every changed field
    with its old and new value (a template's text as a diff)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = self.object
        url = display.object_url(entry)
        shown_object = entry.object_repr if url else f"{entry.object_repr} (no longer exists)"
        context["title"] = display.title(entry)
        context["rows"] = [
            Row("Time", entry.timestamp, "datetime"),
            Row("Who", display.actor(entry) or "—"),
            Row("Origin", display.origin_label(entry) or "—"),
            *([Row("Job", display.job_id(entry), "link", display.job_url(entry))]
              if display.job_id(entry) else []),
            Row(display.type_label(entry), shown_object, "link", url),
        ]  # fmt: skip
        context["changes"] = display.shown_changes(entry)
        return context


class ChangeViews(ModelViews):
    """/changelog/: needs auditlog.view_logentry, as other pages need their view
    permission; entries are never added, edited or deleted here."""

    queryset = changes()
    table_class = ChangeTable
    filterset_class = ChangeFilterSet
    list_view = ChangeListView
    detail_view = ChangeDetailView
    detail_template = "changelog/logentry.html"
    detail_fields = []
    actions = ("list", "detail")
