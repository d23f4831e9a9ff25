"""The view set every inventory model's API is declared with, and the door's defaults."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.decorators import classonlymethod
from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from changelog.context import Origin, recording
from core.api.parsers import JSONParser
from core.api.permissions import ModelPermissions, TokenWritePermission
from core.api.schema import AutoSchema


class APIViewMixin:
    """What every API view shares: authentication is the API's own (tokens, or the
    browser's session), so Django's login-required middleware lets its requests through
    and DRF answers 401/403 as JSON. Bodies are JSON only (anything else is a 415): a
    form's text has no null and no types, so an empty box could not tell "keep the stored
    password" from "remove it"; the browsable pages offer their raw JSON form. JSON bodies
    too deeply nested to read are a 400; an object's id in a URL is digits (anything else
    is a 404)."""

    parser_classes = [JSONParser]
    lookup_value_regex = "[0-9]+"
    schema = AutoSchema()

    def get_queryset(self) -> QuerySet:
        """The view's queryset in its order (else the model's), then by primary key, so
        that pages of a list neither repeat nor skip objects that sort alike."""
        queryset = super().get_queryset()  # type: ignore[misc]
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
        if not {"pk", "-pk", "id", "-id"} & set(map(str, ordering)):
            queryset = queryset.order_by(*ordering, "pk")
        return queryset

    @classonlymethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        view = super().as_view(*args, **kwargs)
        view.login_required = False  # see django.contrib.auth.middleware.LoginRequiredMiddleware
        return view


class ModelViewSet(APIViewMixin, viewsets.ModelViewSet):
    """List (filtered by `filterset_class`, paginated), retrieve, create, update, partial
    update and delete one model, with the pages' permissions (core.api.permissions).

    Each write runs in a transaction, and is recorded in the change log as made through
    the API by the request's user (`recording`)."""

    permission_classes = [IsAuthenticated, TokenWritePermission, ModelPermissions]

    def recording(self) -> AbstractContextManager[Any]:
        """The change-log context the writes of this request run in: the request's user
        (the token's), through the API."""
        return recording(user=self.request.user, origin=Origin.API)

    def perform_create(self, serializer: BaseSerializer) -> None:
        with transaction.atomic(), self.recording():
            serializer.save()

    def perform_update(self, serializer: BaseSerializer) -> None:
        with transaction.atomic(), self.recording():
            serializer.save()

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic(), self.recording():
            instance.delete()


class ReadOnlyModelViewSet(APIViewMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only (PeeringDB's mirror, jobs, the change log)."""

    permission_classes = [IsAuthenticated, ModelPermissions]


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@schema(None)
def not_found(request: Request) -> Response:
    """Any other address under /api/: a JSON 404, as the API's other errors are."""
    return Response({"detail": "Not found."}, status=404)


not_found.login_required = False
