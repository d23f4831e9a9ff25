"""The web doors: changes made while serving a request are the request's user's, made
through the admin (under /admin/), the API (under /api/) or the pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from changelog.context import Origin, recording_request

API_PREFIX = "/api/"


def origin_of(request: HttpRequest) -> str:
    """The door a request came through: "admin", "api" or "page"."""
    if request.path.startswith(reverse("admin:index")):
        return Origin.ADMIN
    if request.path_info.startswith(API_PREFIX):
        return Origin.API
    return Origin.PAGE


class RecordingMiddleware:
    """Runs each request inside a changelog recording (after AuthenticationMiddleware).

    The user is read from the request when a change is recorded, so a request that
    changes nothing costs nothing, and the API's token authentication, which sets the
    user later in the request, is seen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recording_request(request, origin_of(request)):
            return self.get_response(request)
