"""How the OpenAPI schema describes every operation: its answers, errors included.

drf-spectacular documents the success of an operation only. A client (or a generated one)
also needs to know that a refused token is a 401, bad input a 400 naming its fields, an
unknown id a 404 and a conflict a 409, each with its JSON body (core/api/exceptions.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

ERROR = "Error"
INVALID_INPUT = "InvalidInput"
INVALID_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": 'What is wrong with the input: `{"detail": "…"}` when it could not be '
    'read at all, otherwise the messages of each field, e.g. `{"name": ["This field is '
    'required."]}` (`non_field_errors` for the object as a whole; nested fields nest).',
    "additionalProperties": {},
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API: one sentence."""

    detail = serializers.CharField(help_text="What was refused and why, in one sentence.")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with the errors each operation can answer: 400 for
    input that is read (a body, query parameters), 401 and 403 always, 404 for an object
    named in the path, 409 for writes, 413 for a body too large to read and 415 for one of
    a type not read. An operation's own `@extend_schema(responses=…)` wins for a status it
    names."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        invalid_input = ResolvedComponent(
            name=INVALID_INPUT,
            type=ResolvedComponent.SCHEMA,
            object=f"{__name__}.{INVALID_INPUT}",
            schema=INVALID_INPUT_SCHEMA,
        )
        self.registry.register_on_missing(invalid_input)
        references = {
            ERROR: self.resolve_serializer(ErrorSerializer, "response").ref,
            INVALID_INPUT: invalid_input.ref,
        }
        responses = operation.setdefault("responses", {})
        for status, (body, description) in self._error_responses(operation).items():
            responses.setdefault(
                status,
                {
                    "content": {"application/json": {"schema": references[body]}},
                    "description": description,
                },
            )
        return operation

    def _error_responses(self, operation: dict[str, Any]) -> dict[str, tuple[str, str]]:
        parameters = operation.get("parameters", [])
        reads_body = "requestBody" in operation or self.method in ("POST", "PUT", "PATCH")
        errors: dict[str, tuple[str, str]] = {}
        if reads_body or any(p.get("in") == "query" for p in parameters):
            errors["400"] = (INVALID_INPUT, "Invalid input.")
        errors["401"] = (ERROR, "No credentials, or a token that is unknown, expired or malformed.")
        errors["403"] = (ERROR, "Not allowed: the user's permissions or a read-only token.")
        if any(p.get("in") == "path" for p in parameters):
            errors["404"] = (ERROR, "No such object.")
        if self.method in WRITE_METHODS:
            errors["409"] = (ERROR, "The change conflicts with existing data.")
        if reads_body:
            errors["413"] = (ERROR, "The body is larger than the server reads.")
            errors["415"] = (ERROR, "The body is of a media type not read.")
        return errors
