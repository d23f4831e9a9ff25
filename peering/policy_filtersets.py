"""Filters by tag, routing policy and community (every level's list and API), and the
filters of the policies' and communities' own lists."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from taggit.models import Tag

from core.filtersets import SearchFilterSet
from peering.communities import CommunityKind
from peering.policy_models import (
    AddressFamily,
    Community,
    CommunityType,
    PolicyType,
    RoutingPolicy,
)


@extend_schema_field(OpenApiTypes.STR)
class TagFilter(django_filters.ModelMultipleChoiceFilter):
    """Tags by slug, repeatable (`?tag=a&tag=b`)."""


class TaggedFilterSet(SearchFilterSet):
    """Adds `tag`: the objects carrying every tag given (by slug, `?tag=a&tag=b`)."""

    tag = TagFilter(
        label="Tag",
        field_name="tags__slug",
        to_field_name="slug",
        queryset=Tag.objects.order_by("name"),
        conjoined=True,
    )


class AssignedFilterSet(TaggedFilterSet):
    """Adds, to a level's filters, `routing_policy` (assigned at this level as an import or
    an export policy) and `community` (assigned at this level), each by id."""

    routing_policy = django_filters.ModelChoiceFilter(
        label="Routing policy",
        queryset=RoutingPolicy.objects.all(),
        method="filter_policy",
    )
    community = django_filters.ModelChoiceFilter(
        label="Community", field_name="communities", queryset=Community.objects.all()
    )

    def filter_policy(self, queryset: QuerySet, name: str, value: RoutingPolicy | None) -> QuerySet:
        if value is None:
            return queryset
        either = Q(import_routing_policies=value) | Q(export_routing_policies=value)
        return queryset.filter(pk__in=queryset.model.objects.filter(either).values("pk"))


class RoutingPolicyFilterSet(TaggedFilterSet):
    search_fields = ("name", "slug", "description")
    type = django_filters.ChoiceFilter(choices=PolicyType.choices)
    address_family = django_filters.ChoiceFilter(
        label="Address family", choices=AddressFamily.choices
    )
    community = django_filters.ModelChoiceFilter(
        label="Community (matched or set)",
        queryset=Community.objects.all(),
        method="filter_community",
    )

    class Meta:
        model = RoutingPolicy
        fields = ["q", "type", "address_family", "community", "tag"]

    def filter_community(self, queryset: QuerySet, name: str, value: Community | None) -> QuerySet:
        if value is None:
            return queryset
        either = Q(match_communities=value) | Q(set_communities=value)
        return queryset.filter(pk__in=RoutingPolicy.objects.filter(either).values("pk"))


class CommunityFilterSet(TaggedFilterSet):
    search_fields = ("name", "slug", "value", "description")
    kind = django_filters.ChoiceFilter(choices=CommunityKind.choices)
    type = django_filters.ChoiceFilter(
        choices=[*CommunityType.choices, ("none", "None (the template decides)")],
        method="filter_type",
    )

    class Meta:
        model = Community
        fields = ["q", "kind", "type", "tag"]

    def filter_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(type="" if value == "none" else value)
