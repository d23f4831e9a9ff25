"""The change log's list and entry pages pass the cases every model's pages pass
(core/tests/model_views.py): login, the view permission, filters and paging."""

from auditlog.models import LogEntry

from changelog import display
from core.tests.builders import platform
from core.tests.model_views import DetailPageCases, ListPageCases


class TestChangeLogPages(ListPageCases, DetailPageCases):
    model = LogEntry

    def make(self) -> LogEntry:
        platform("eos")
        return LogEntry.objects.latest("pk")

    def heading(self, obj: LogEntry) -> str:
        return display.title(obj)
