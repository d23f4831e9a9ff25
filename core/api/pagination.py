"""Lists come in pages: `?limit=` (default 50, at most 1,000) and `?offset=`."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

# The largest number a limit or an offset may be: what a database here can skip to (a
# signed 64-bit integer).
MAXIMUM = 2**63 - 1


def _whole_number(request: Request, name: str, minimum: int) -> int | None:
    """The query parameter `name` as a whole number from `minimum` to MAXIMUM, None when
    absent or blank; anything else is a 400 naming the parameter."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAXIMUM)):
        value = int(raw)
        if minimum <= value <= MAXIMUM:
            return value
    raise ValidationError({name: [f"Expected a whole number from {minimum} to {MAXIMUM}."]})


class Pagination(LimitOffsetPagination):
    """`{"count", "next", "previous", "results"}`; a limit above MAX_LIMIT is lowered to it.
    A limit or offset that is not a whole number in range (`-1`, `ten`, an offset past
    2^63 - 1) is a 400 naming it, never a silent default nor a database error."""

    default_limit = 50
    max_limit = 1000

    def get_limit(self, request: Request) -> int:
        limit = _whole_number(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        offset = _whole_number(request, self.offset_query_param, 0)
        return offset or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAXIMUM},
            self.offset_query_param: {"minimum": 0, "maximum": MAXIMUM},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
