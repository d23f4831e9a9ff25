"""The jobs pages (list and detail), and a check that every model with pages has the
cases of core/tests/model_views.py for each page it has."""

import importlib

from core.models import Job
from core.tests.model_views import (
    APPS,
    CASES_OF_ACTION,
    DetailPageCases,
    ListPageCases,
    PageCases,
    all_model_views,
)


class TestJobPages(ListPageCases, DetailPageCases):
    model = Job

    def make(self) -> Job:
        return Job.objects.create(kind="ping", target_name="r1", output="r1: reachable")

    def heading(self, obj: Job) -> str:
        return f"{obj.kind_label} on r1"


def _case_classes() -> list[type[PageCases]]:
    for app in APPS:
        importlib.import_module(f"{app}.tests.test_model_views")
    found, todo = [], list(PageCases.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__name__.startswith("Test"):
            found.append(cls)
    return found


def test_every_page_of_every_model_has_its_cases() -> None:
    cases = _case_classes()
    missing = []
    for model, views in all_model_views().items():
        for action in views.actions:
            wanted = CASES_OF_ACTION[action]
            if not any(c.model is model and issubclass(c, wanted) for c in cases):
                missing.append(f"{model.__name__} {action}")
    assert missing == []
