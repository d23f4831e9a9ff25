"""Filter pieces the apps share: a search box over a model's main fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from core.choices import JobOrigin, JobStatus
from core.job_types import kind_choices
from core.models import Job


def yes_no_filter(label: str, **kwargs: Any) -> django_filters.BooleanFilter:
    """A boolean filter shown as any / yes / no."""
    choices = [("", "---------"), ("true", "Yes"), ("false", "No")]
    return django_filters.BooleanFilter(label=label, widget=forms.Select(choices=choices), **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`: a case-insensitive search over `search_fields`; `labels` renames filters."""

    search_fields: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[dict[str, str]] = {}
    q = django_filters.CharFilter(method="search", label="Search")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            self.filters[name].label = label

    def search_query(self, value: str) -> Q:
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return query

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(self.search_query(value)) if value else queryset


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, as UTC: any offset a client writes (`+18:23` is valid
    ISO 8601, but more than PostgreSQL takes) names the same instant in UTC, and one whose
    instant falls outside the years 1 to 9999 is an error beside the filter."""

    def to_python(self, value: Any) -> datetime | None:
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(
                "The date and time is out of range (years 1 to 9999, in UTC).", code="invalid"
            ) from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """A filter on a date and time, given in ISO 8601 with any offset (UTCDateTimeField)."""

    field_class = UTCDateTimeField


def asn_query(value: str, field: str = "asn") -> Q:
    """Matches "64500" or "AS64500" exactly against an ASN field."""
    digits = value.upper().removeprefix("AS")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if digits.isascii() and digits.isdigit() and len(digits) <= 10:
        return Q(**{field: int(digits)})
    return Q(pk__in=[])


class JobFilterSet(SearchFilterSet):
    """Jobs by kind (the registered job types), status, origin (the door they were started
    through), target (the name the target had when the job was enqueued, any case) and
    whether they repeat."""

    search_fields = ("target_name", "output", "error")
    kind = django_filters.ChoiceFilter(choices=kind_choices)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    origin = django_filters.ChoiceFilter(choices=JobOrigin.choices)
    target = django_filters.CharFilter(
        field_name="target_name", lookup_expr="iexact", label="Target"
    )
    repeating = yes_no_filter("Repeats", field_name="repeat_every", method="filter_repeating")

    class Meta:
        model = Job
        fields = ["q", "kind", "status", "origin", "target", "repeating"]

    def filter_repeating(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Yes: each repeating job's latest run (the one to cancel; the runs before it have
        repeated already). No: jobs that do not repeat."""
        if value is None:
            return queryset
        if value:
            return queryset.filter(repeat_every__isnull=False, next_runs__isnull=True)
        return queryset.filter(repeat_every__isnull=True)
