"""Tables of routing policies and communities."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html_join

from core.links import object_url
from core.tables import BaseTable, TagsColumn, link_record
from peering.policy_models import Community, RoutingPolicy


class CommunitiesColumn(tables.Column):
    """A policy's communities (prefetched), each linked to its page."""

    def __init__(self, verbose_name: str, **kwargs: object) -> None:
        super().__init__(verbose_name, orderable=False, empty_values=(), **kwargs)

    def render(self, value: object) -> str:
        communities = list(value.all())
        if not communities:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}" title="{}">{}</a>',
            ((object_url(c), c.name, c.value) for c in communities),
        )


class RoutingPolicyTable(BaseTable):
    name = tables.Column(linkify=link_record)
    match_communities = CommunitiesColumn("Matches")
    set_communities = CommunitiesColumn("Sets")
    local_preference = tables.Column("Local pref")
    as_path_prepend = tables.Column("Prepend")
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = RoutingPolicy
        fields = [
            "name",
            "type",
            "address_family",
            "weight",
            "match_communities",
            "set_communities",
            "local_preference",
            "as_path_prepend",
            "description",
            "tags",
        ]


class CommunityTable(BaseTable):
    name = tables.Column(linkify=link_record)
    value = tables.Column(linkify=link_record, attrs={"td": {"class": "mono"}})
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = Community
        fields = ["name", "value", "kind", "type", "description", "tags"]
