"""What the API tests of jobs and actions share: clients that authenticate with a token,
and a check that a response is what the OpenAPI schema documents."""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from schemathesis.core.transport import Response as SchemathesisResponse

from core.models import Token


def token_client(user: Any, write_enabled: bool = True) -> APIClient:
    """A client sending a new token of `user` (read-only unless `write_enabled`)."""
    _, key = Token.issue(user, write_enabled=write_enabled)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@cache
def _schema() -> Any:
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def assert_documented(response: Any) -> None:
    """Fail unless the schema documents the response's status for its operation and the
    body is of the documented shape."""
    method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
    operation = _schema().find_operation_by_path(method, path)
    assert operation is not None, f"{method} {path} is not in the schema"
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (
        f"{method} {path} answered {response.status_code}, documented: {sorted(documented)}"
    )
    converted = SchemathesisResponse(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(method, f"http://testserver{path}").prepare(),
        elapsed=0.0,
        verify=True,
    )
    operation.validate_response(converted)
