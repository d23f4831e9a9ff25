"""Filters of the IRR prefix lists' API collections: by AS-SET, by AS."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from irr.models import KeptList, PrefixList
from irr.prefix_lists import as_set_of, normalise_as_set
from peering.models import AutonomousSystem


class PrefixListFilterSet(django_filters.FilterSet):
    """`as_set`: the list of that AS-SET (any case, "AS-FOO RIPE::AS-BAR" as stored);
    `asn`: the list the AS of the inventory with that ASN is expanded from (its AS-SET, else
    AS<asn>), and the one it keeps; `failed`: whether its last refresh failed."""

    as_set = django_filters.CharFilter(method="filter_as_set", label="AS-SET")
    asn = django_filters.NumberFilter(
        method="filter_asn", label="ASN", min_value=1, max_value=4_294_967_295
    )
    failed = django_filters.BooleanFilter(method="filter_failed", label="Last refresh failed")

    class Meta:
        model = PrefixList
        fields = ["as_set", "asn", "failed"]

    def filter_as_set(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(as_set=normalise_as_set(value))

    def filter_asn(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        asn = int(value)
        system = AutonomousSystem.objects.filter(asn=asn).first()
        names = {as_set_of(asn, system.irr_as_set if system else "")}
        kept = KeptList.objects.filter(autonomous_system__asn=asn).values("prefix_list")
        return queryset.filter(Q(as_set__in=names) | Q(pk__in=kept))

    def filter_failed(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.exclude(error="") if value else queryset.filter(error="")


class KeptListFilterSet(django_filters.FilterSet):
    """The list each AS keeps: by AS (id), ASN, or the kept list's AS-SET."""

    autonomous_system = django_filters.ModelChoiceFilter(
        label="AS", queryset=AutonomousSystem.objects.all()
    )
    asn = django_filters.NumberFilter(
        field_name="autonomous_system__asn", label="ASN", min_value=1, max_value=4_294_967_295
    )
    as_set = django_filters.CharFilter(method="filter_as_set", label="AS-SET")

    class Meta:
        model = KeptList
        fields = ["autonomous_system", "asn", "as_set"]

    def filter_as_set(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(prefix_list__as_set=normalise_as_set(value))
