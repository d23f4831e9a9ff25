"""URLs of the UI's pages, derived from a model's app label and name.

Every model's pages are named `<app>:<model>` (detail), `<app>:<model>_list`, `_add`,
`_edit` and `_delete` (see core.views.generic.ModelViews.urls).
"""

from __future__ import annotations

from django.db.models import Model
from django.urls import NoReverseMatch, reverse


def page_name(model: type[Model] | Model, action: str = "") -> str:
    meta = model._meta
    return f"{meta.app_label}:{meta.model_name}" + (f"_{action}" if action else "")


def object_url(obj: Model | None, action: str = "") -> str | None:
    """The object's page (or its edit/delete page), or None when it has none."""
    if obj is None:
        return None
    try:
        return reverse(page_name(obj, action), kwargs={"pk": obj.pk})
    except NoReverseMatch:
        return None


def list_url(model: type[Model]) -> str:
    return reverse(page_name(model, "list"))


def add_url(model: type[Model]) -> str:
    return reverse(page_name(model, "add"))
