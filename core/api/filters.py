"""How lists are filtered: the app's filter set (`filterset_class`), read strictly."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# What a yes/no filter reads as yes or no (any case).
BOOLEAN_VALUES = frozenset({"true", "false", "1", "0"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, where a yes/no filter given anything but true or false (or
    1 or 0) is a 400 naming it: django-filter would read `?affiliated=maybe` as no filter
    at all, and answer every object to a script that asked for some."""

    def get_filterset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {
            name: ["Expected true or false."]
            for name, value in request.query_params.items()
            if isinstance(filterset.filters.get(name), django_filters.BooleanFilter)
            and value.strip() != ""
            and value.strip().lower() not in BOOLEAN_VALUES
        }
        if errors:
            raise ValidationError(errors)
        return filterset
