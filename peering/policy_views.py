"""Pages of routing policies, communities and tags."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from core.views.generic import ModelViews, ObjectDetailView
from peering.assignments import community_usage, policy_usage, tag_summaries, tagged_models
from peering.policy_filtersets import CommunityFilterSet, RoutingPolicyFilterSet
from peering.policy_forms import CommunityForm, RoutingPolicyForm
from peering.policy_models import Community, RoutingPolicy
from peering.policy_tables import CommunityTable, RoutingPolicyTable


class RoutingPolicyDetailView(ObjectDetailView):
    """A policy, its communities, and where it is assigned (counts per level, linked to
    the lists of those objects)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["usage"] = policy_usage(self.object)
        return context


class CommunityDetailView(ObjectDetailView):
    """A community and where it is assigned or used by policies."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["usage"] = community_usage(self.object)
        return context


class RoutingPolicyViews(ModelViews):
    queryset = RoutingPolicy.objects.prefetch_related(
        "match_communities", "set_communities", "tags"
    )
    table_class = RoutingPolicyTable
    filterset_class = RoutingPolicyFilterSet
    form_class = RoutingPolicyForm
    detail_view = RoutingPolicyDetailView
    detail_template = "peering/usage_detail.html"


class CommunityViews(ModelViews):
    queryset = Community.objects.prefetch_related("tags")
    table_class = CommunityTable
    filterset_class = CommunityFilterSet
    form_class = CommunityForm
    detail_view = CommunityDetailView
    detail_template = "peering/usage_detail.html"
    extra_detail_fields = ["kind"]


class TagListView(PermissionRequiredMixin, TemplateView):
    """Every tag, its slug, and how many objects of each kind carry it, each count linked
    to the list of those objects."""

    permission_required = "taggit.view_tag"
    raise_exception = True
    template_name = "peering/tags.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tags"] = tag_summaries()
        context["kinds"] = [str(model._meta.verbose_name_plural) for model in tagged_models()]
        return context
