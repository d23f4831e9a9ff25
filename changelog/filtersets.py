"""The change log's filters: object type, action, who, origin, and a search on names."""

from __future__ import annotations

from typing import Any

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import capfirst

from changelog.context import Origin
from changelog.display import ACTION_CHOICES
from changelog.registry import tracked_models
from core.filtersets import SearchFilterSet


def type_choices() -> list[tuple[str, str]]:
    """("devices.router", "Router") for each model the change log follows."""
    return [
        (f"{model._meta.app_label}.{model._meta.model_name}", capfirst(model._meta.verbose_name))
        for model in tracked_models()
    ]


class ChangeFilterSet(SearchFilterSet):
    """Entries by object type (and object, from its page's card), action, who made them
    (a user's name or a command's OS user, any case), origin, and the object's name."""

    search_fields = ("object_repr",)
    type = django_filters.ChoiceFilter(
        choices=type_choices, method="filter_type", label="Object type"
    )
    object_id = django_filters.NumberFilter(widget=forms.HiddenInput)
    action = django_filters.ChoiceFilter(choices=ACTION_CHOICES)
    actor = django_filters.CharFilter(method="filter_actor", label="Who")
    origin = django_filters.ChoiceFilter(
        choices=Origin.choices, field_name="additional_data__origin", label="Origin"
    )

    class Meta:
        model = LogEntry
        fields = ["q", "type", "object_id", "action", "actor", "origin"]

    def filter_type(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        app_label, _, model = str(value).partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor__username__iexact=value) | Q(additional_data__actor_name__iexact=value)
        )
