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
