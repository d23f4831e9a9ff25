"""Helpers for the API's tests: a client that authenticates with a token and speaks JSON."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Token


class APIClient:
    """Requests to the API as one user, with a token of theirs; bodies are JSON."""

    def __init__(self, user: Any, write_enabled: bool = True) -> None:
        self.user = user
        self.token, key = Token.issue(user, write_enabled=write_enabled)
        self.client = Client(HTTP_AUTHORIZATION=f"Token {key}")

    def get(self, url: str, params: dict[str, Any] | None = None) -> HttpResponse:
        return self.client.get(url, params or {})

    def _send(self, method: str, url: str, data: Any) -> HttpResponse:
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        return getattr(self.client, method)(url, body, content_type="application/json")

    def post(self, url: str, data: Any) -> HttpResponse:
        return self._send("post", url, data)

    def put(self, url: str, data: Any) -> HttpResponse:
        return self._send("put", url, data)

    def patch(self, url: str, data: Any) -> HttpResponse:
        return self._send("patch", url, data)

    def delete(self, url: str) -> HttpResponse:
        return self.client.delete(url)

    def queries(self, url: str, params: dict[str, Any] | None = None) -> int:
        """How many queries a GET of `url` makes (it must answer 200)."""
        with CaptureQueriesContext(connection) as captured:
            response = self.get(url, params)
        assert response.status_code == 200, response.content
        return len(captured)


def ids(response: HttpResponse) -> list[int]:
    """The ids of a list response's results."""
    return [item["id"] for item in response.json()["results"]]


def permission_user(username: str, *codenames: str) -> Any:
    """A user with exactly these permissions ("app.codename"), and no others."""
    from django.contrib.auth.models import Permission, User
    from django.db.models import Q

    user = User.objects.create(username=username)  # no password: tokens only, no hashing
    query = Q(pk__in=[])
    for name in codenames:
        app, codename = name.split(".")
        query |= Q(content_type__app_label=app, codename=codename)
    user.user_permissions.set(Permission.objects.filter(query))
    return user


def check_model_permissions(list_url: str, model: Any, payload: dict[str, Any]) -> None:
    """The pages' model permissions on a collection: without the view permission a list
    is 403; with it the list answers but a create is 403; with the add permission too the
    create is 201."""
    meta = model._meta
    view, add = (
        f"{meta.app_label}.view_{meta.model_name}",
        f"{meta.app_label}.add_{meta.model_name}",
    )
    name = meta.model_name
    nobody = APIClient(permission_user(f"nobody-{name}"))
    assert nobody.get(list_url).status_code == 403
    assert nobody.post(list_url, payload).status_code == 403
    viewer = APIClient(permission_user(f"viewer-{name}", view))
    assert viewer.get(list_url).status_code == 200
    response = viewer.post(list_url, payload)
    assert response.status_code == 403, response.content
    assert response.json()["detail"]
    adder = APIClient(permission_user(f"adder-{name}", view, add))
    response = adder.post(list_url, payload)
    assert response.status_code == 201, response.content


def assert_bad(response: HttpResponse, field: str) -> None:
    """A 400 whose JSON names `field`."""
    assert response.status_code == 400, (response.status_code, response.content)
    body = response.json()
    assert field in body, body
