"""What every API action that starts a job shares.

An action is a button of a page, reached over HTTP: it needs the permission the page's
button needs (`requires`), starts the same job type through core.jobs.enqueue with the
request's user (`job_accepted`), and answers 202 Accepted with the job (JobSerializer)
and its address in `Location`; the client then reads `GET /api/core/jobs/{id}/` until
its status is completed, failed or errored.

Its body is a JSON object of the job type's arguments (checked by the type itself, as
for a command's `--tasks`), plus `repeat_every` (seconds) to make the job repeat. Bad
input is a 400 (`{"detail": "…"}`, or the refused fields each with why) and a job the
task backend cannot take a 503 (`{"detail": "…"}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.jobs import ErrorSerializer, JobSerializer
from core.api.parsers import JSONParser
from core.api.permissions import TokenWritePermission
from core.choices import JobOrigin
from core.job_types import JobType, get_job_type
from core.jobs import MAX_REPEAT_EVERY, JobNotQueued, enqueue

REPEAT_EVERY = "repeat_every"
# An action's body is JSON: a form's values are text, which no job argument is.
JSON_BODY = [JSONParser]
_FIELDS = {bool: serializers.BooleanField, int: serializers.IntegerField}
# The response header of a 202: where the job is (schema only; job_accepted sets it).
JOB_LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[202],
    description="The job's address: `/api/core/jobs/{id}/`.",
)


# A 400's body: one sentence, or the refused fields each with why (a serializer's errors).
BAD_REQUEST = OpenApiResponse(
    {
        "oneOf": [
            {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
            {
                "type": "object",
                "description": 'Per field: {"<field>": ["why"]}; "non_field_errors" for the '
                "body as a whole.",
                "minProperties": 1,
                "additionalProperties": {
                    "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
                },
            },
        ]
    },
    description="Bad input: nothing was done. One sentence, or the refused fields.",
)


def requires(*permissions: str) -> list[type[BasePermission]]:
    """The permission classes of an action that needs these Django permissions (all of
    them), besides a user (401 without one) and, to write, a token that may write (403)."""

    class Required(BasePermission):
        message = f"This needs the permission {' and '.join(permissions)}."

        def has_permission(self, request: Request, view: Any) -> bool:
            return request.user.has_perms(permissions)

    Required.__name__ = Required.__qualname__ = "Requires_" + "_".join(
        p.replace(".", "_") for p in permissions
    )
    return [IsAuthenticated, TokenWritePermission, Required]


def check_permission(request: Request, permission: str, why: str = "") -> None:
    """403 unless the request's user has `permission` (for an action whose permission
    depends on its body); `why` ends the sentence."""
    if not request.user.has_perm(permission):
        raise PermissionDenied(f"This needs the permission {permission}{why}.")


def body_object(request: Request) -> dict[str, Any]:
    """The request's body as a dict (empty without a body); 400 unless it is an object."""
    data = request.data
    if isinstance(data, QueryDict):
        return data.dict()
    if not isinstance(data, Mapping):
        raise ParseError("The body must be a JSON object.")
    return dict(data)


def job_accepted(
    request: Request,
    job_type: JobType | type[JobType] | str,
    target: Model | None,
    body: Mapping[str, Any],
) -> Response:
    """Start a job of `job_type` about `target` for the request's user, with the body's
    arguments and `repeat_every`: 202 with the job and its `Location`; 400 with the
    type's sentence for an argument it refuses; 503 when the task backend cannot take
    the job (the job is then kept, errored)."""
    arguments = {name: value for name, value in body.items() if name != REPEAT_EVERY}
    try:
        job = enqueue(
            job_type,
            target=target,
            user=request.user,
            arguments=arguments,
            repeat_every=body.get(REPEAT_EVERY),
            origin=JobOrigin.API,
        )
    except JobNotQueued as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    except ValueError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    data = JobSerializer(job, context={"request": request}).data
    # str(): the URL field gives a Hyperlink (a str subclass), which WSGI servers refuse.
    location = str(data["url"])
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def arguments_serializer(
    job_type: type[JobType], name: str, **extra: serializers.Field
) -> type[serializers.Serializer]:
    """The body of an action starting `job_type` as a serializer named `name`, for the
    schema: the type's arguments, `repeat_every`, and `extra` fields."""
    fields: dict[str, serializers.Field] = {}
    for argument in get_job_type(job_type).arguments:
        options: dict[str, Any] = {"required": argument.required}
        if argument.default is not None:
            options["default"] = argument.default
        else:
            options["allow_null"] = True
        if argument.minimum is not None:
            options["min_value"] = argument.minimum
        if argument.unit:
            options["help_text"] = f"In {argument.unit}."
        if argument.type is str:
            options["allow_blank"] = True
        fields[argument.name] = _FIELDS.get(argument.type, serializers.CharField)(**options)
    fields.update(extra)
    fields[REPEAT_EVERY] = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_REPEAT_EVERY,
        help_text="Seconds: repeat the job this often until it is cancelled.",
    )
    return type(name, (serializers.Serializer,), fields)


def job_responses(about_an_object: bool = True) -> dict[int, Any]:
    """The responses of an action that starts a job, for the schema (a 404 when the job is
    about an object of the URL)."""
    responses = {
        202: OpenApiResponse(
            JobSerializer,
            description="The job, queued; `Location` is its address. Read it until its "
            "status is completed, failed or errored.",
        ),
        400: BAD_REQUEST,
        401: OpenApiResponse(ErrorSerializer, description="No credentials, or bad ones."),
        403: OpenApiResponse(
            ErrorSerializer,
            description="Not allowed: a permission is missing, or the token is read-only.",
        ),
        404: OpenApiResponse(ErrorSerializer, description="No such object."),
        503: OpenApiResponse(
            ErrorSerializer,
            description="The task backend could not take the job (the job is kept, errored).",
        ),
    }
    if not about_an_object:
        del responses[404]
    return responses
