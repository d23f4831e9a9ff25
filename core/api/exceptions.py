"""Every API error is JSON: `{"detail": "…"}`, or `{"field": ["…"]}` for invalid input."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.views.generic import refused_deletion

logger = logging.getLogger(__name__)


def validation_detail(error: DjangoValidationError) -> dict[str, Any] | list[str]:
    """A Django ValidationError as DRF shows one: messages per field, or a list."""
    if hasattr(error, "error_dict"):
        return {
            "non_field_errors" if field == "__all__" else field: messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the errors of Django and the database that bad input can cause:
    a model's validation (400), a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413) or
    with more fields than Django reads (400), a delete refused by a protecting relation
    (409), a uniqueness race the serializer could not see (409). Invalid input is always
    an object (a bare list of messages becomes `non_field_errors`). Anything else is our
    fault: 500, still JSON, with the traceback in the log."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):  # too many form fields or files, say
        logger.warning("API request refused: %s", exc)
        return Response({"detail": "The request cannot be read."}, status=400)
    if isinstance(exc, ProtectedError | RestrictedError):
        view = context.get("view")
        model = getattr(getattr(view, "queryset", None), "model", None)
        name = str(model._meta.verbose_name) if model is not None else "object"
        return Response({"detail": refused_deletion(name, exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        logger.warning("API write refused by the database: %s", exc)
        return Response(
            {"detail": "The database refused the change: it conflicts with existing data."},
            status=status.HTTP_409_CONFLICT,
        )
    logger.exception("Unexpected error in the API", exc_info=exc)
    return Response(
        {"detail": "Internal error; the server's log has the details."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
