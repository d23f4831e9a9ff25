"""API addresses of objects, found from the collections the apps declare (`ROUTES`)."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.db.models import Model
from django.urls import NoReverseMatch
from rest_framework.request import Request
from rest_framework.reverse import reverse


@cache
def _detail_names() -> dict[type[Model], str]:
    """The detail view name of each model that has an API collection ("api:devices-routers-
    detail" for Router). Read once, from the apps' ROUTES, which are fixed at start-up."""
    from peerkeeper.api_urls import API_APPS  # the URL root imports this module's users

    names: dict[type[Model], str] = {}
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{app}.api", f"{app}.api.urls"):
                raise
            continue
        for prefix, viewset in module.ROUTES:
            queryset = getattr(viewset, "queryset", None)
            if queryset is not None and hasattr(viewset, "retrieve"):
                names.setdefault(queryset.model, f"api:{prefix.replace('/', '-')}-detail")
    return names


def api_url(obj: Model | None, request: Request | None = None) -> str | None:
    """The object's address in the API (absolute when `request` is given), or None when it
    is None or its model has no collection."""
    if obj is None:
        return None
    name = _detail_names().get(type(obj))
    if name is None:
        return None
    try:
        return reverse(name, kwargs={"pk": obj.pk}, request=request)
    except NoReverseMatch:
        return None
