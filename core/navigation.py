"""The menu: one entry per list page, shown only to users who may view it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class Item:
    label: str
    app: str
    model: str  # the model's name in lower case, as in its URL names and permissions
    # The app whose permission guards the page, when not `app` (tags: taggit's).
    permission_app: str = ""

    @property
    def url_name(self) -> str:
        return f"{self.app}:{self.model}_list"

    @property
    def permission(self) -> str:
        return f"{self.permission_app or self.app}.view_{self.model}"


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    active: bool


def _menu() -> list[tuple[str, list[Item]]]:
    """settings.MENU (the project lists its apps' pages, as INSTALLED_APPS lists the apps)
    as Items."""
    return [(title, [Item(*entry) for entry in entries]) for title, entries in settings.MENU]


def menu_for(user: object, path: str) -> list[tuple[str, list[Entry]]]:
    sections = []
    for title, items in _menu():
        entries = []
        for item in items:
            if user.has_perm(item.permission):
                url = reverse(item.url_name)
                entries.append(Entry(item.label, url, path.startswith(url)))
        if entries:
            sections.append((title, entries))
    return sections
