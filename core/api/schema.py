"""How the OpenAPI schema describes every API operation: its success response (drf-
spectacular's), and the errors it may answer, each JSON (core.api.exceptions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

ERROR = {
    "type": "object",
    "description": '`{"detail": "…"}`, or the messages by field for invalid input '
    '(`{"name": ["…"], "non_field_errors": ["…"]}`).',
    "additionalProperties": {},
}
REASONS = {
    "400": "Invalid input or filter: the messages name the field.",
    "401": "No credentials, or a token that is unknown, expired or of an inactive user.",
    "403": "Not permitted: the user lacks the model permission, or the token is read-only.",
    "404": "No such object.",
    "409": "The object is still used by others (a protected relation), or the change "
    "conflicts with existing data.",
}


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's schema, with the error responses of the API's views: 401 and 403
    everywhere; 404 on an object's address; 400 where input or filters are read; 409 on
    deletes and writes."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        codes = ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if method in ("POST", "PUT", "PATCH") or (method == "GET" and self._is_list_view()):
            codes.append("400")
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            responses.setdefault(
                code,
                {"content": {"application/json": {"schema": ERROR}}, "description": REASONS[code]},
            )
        return responses
