"""The API's URL root: `/api/` lists every collection; each app declares its own in
`<app>/api/urls.py` as `ROUTES`, a list of (prefix, view set) pairs, e.g.
`("devices/routers", RouterViewSet)`, named `<prefix with - for />-list` and `-detail`."""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api.views import APIViewMixin, not_found

app_name = "api"
# The apps whose api/urls.py declares ROUTES, in the order /api/ lists them.
API_APPS = ("devices", "peering", "configs", "peeringdb", "irr", "core", "changelog")


class Router(DefaultRouter):
    """DefaultRouter whose root view, like every API view, does its own authentication."""

    def get_api_root_view(self, api_urls: object = None) -> object:
        view = super().get_api_root_view(api_urls)
        view.login_required = False
        return view


def api_router() -> Router:
    router = Router()
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api" and exc.name != f"{app}.api.urls":
                raise
            continue
        for prefix, viewset in module.ROUTES:
            router.register(prefix, viewset, basename=prefix.replace("/", "-"))
    return router


class SchemaView(APIViewMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with `?format=json`), for API users only. Its
    refusals (no token, an unknown `?format=`) are JSON, as all the API's are, not a YAML
    rendering of them."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The browsable documentation: a page (login like every page), assets served locally.
    path(
        "docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include(api_router().urls)),
    # Any other address, line breaks included (`.` alone stops at one): a JSON 404.
    re_path(r"^[\s\S]*$", not_found),
]
