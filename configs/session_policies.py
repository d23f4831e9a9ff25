"""A session's effective routing policies and communities, as its router's template sees
them (resolved by configs.policy_context, as configs.context.build_context does: the
nearest level with a policy wins, communities merge from every level), for the session's
page: each with the level it comes from, linked to that level's page."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from configs.policy_context import PolicyRequest, attach_policies
from core.links import object_url
from peering.models import BGPSession, DirectPeeringSession
from peering.policy_models import AddressFamily, Community, PolicyType, RoutingPolicy

# The context's level names ("source"), as a page names them.
LEVEL_LABELS = {
    "session": "this session",
    "bgp_group": "BGP group",
    "connection": "connection",
    "internet_exchange": "Internet exchange",
    "autonomous_system": "peer AS",
    "router": "router",
}


@dataclass(frozen=True)
class Effective:
    """A policy or community that applies to the session, and where it was assigned."""

    name: str
    detail: str  # a policy's type and address family, a community's value
    url: str | None
    source: str  # the level's label ("BGP group")
    source_name: str  # the level's object ("Transit")
    source_url: str | None


@dataclass(frozen=True)
class EffectivePolicies:
    import_policies: list[Effective]
    export_policies: list[Effective]
    communities: list[Effective]


def _levels(session: BGPSession) -> dict[str, Model | None]:
    """The objects of the session's levels, by the context's names (no query with the
    session's page queryset: peering.queries)."""
    if isinstance(session, DirectPeeringSession):
        return {
            "session": session,
            "bgp_group": session.bgp_group,
            "autonomous_system": session.autonomous_system,
            "router": session.router,
        }
    connection = session.ixp_connection
    return {
        "session": session,
        "connection": connection,
        "internet_exchange": connection.internet_exchange,
        "autonomous_system": session.autonomous_system,
        "router": connection.router,
    }


def effective_policies(session: BGPSession) -> EffectivePolicies:
    """The session's effective import and export policies and communities: the session and
    its levels only, whatever the size of its router (a fixed number of queries)."""
    levels = _levels(session)
    found: dict[str, Any] = {"ip_version": ipaddress.ip_address(session.ip_address).version}
    request = PolicyRequest()
    request.session(
        found, [(name, type(level), level.pk) for name, level in levels.items() if level]
    )
    attach_policies(request, {})

    policies = found["import_policies"] + found["export_policies"]
    policy_pks = _pks_by_slug(RoutingPolicy, policies)
    community_pks = _pks_by_slug(Community, found["communities"])

    def shown(item: dict[str, Any], model: type[Model], pks: dict[str, int], detail: str):
        level = levels.get(item["source"])
        pk = pks.get(item["slug"])
        return Effective(
            name=item["name"],
            detail=detail,
            url=object_url(model(pk=pk)) if pk is not None else None,
            source=LEVEL_LABELS.get(item["source"], item["source"]),
            source_name=str(level) if level is not None else "",
            source_url=object_url(level),
        )

    def policy(item: dict[str, Any]) -> Effective:
        family = AddressFamily(item["address_family"]).label
        return shown(item, RoutingPolicy, policy_pks, f"{PolicyType(item['type']).label}, {family}")

    return EffectivePolicies(
        import_policies=[policy(item) for item in found["import_policies"]],
        export_policies=[policy(item) for item in found["export_policies"]],
        communities=[
            shown(item, Community, community_pks, item["value"]) for item in found["communities"]
        ],
    )


def _pks_by_slug(model: type[Model], items: list[dict[str, Any]]) -> dict[str, int]:
    """The primary keys of the objects of these dicts, by slug (their page's address): one
    query, none when there are no items."""
    slugs = {item["slug"] for item in items}
    if not slugs:
        return {}
    return dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
