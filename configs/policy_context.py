"""The routing-policy part of the template context: each session's effective import and
export policies, its communities and its tags, and the tags of everything else a
template sees (documented in docs/templates.md).

A session's levels, nearest first: "session"; "bgp_group" (direct sessions) or
"connection" then "internet_exchange" (IXP sessions); "autonomous_system" (the peer's
AS); "router". Its import (export) policies are those of the nearest level with at
least one import (export) policy for its address family, ordered by (weight, name); its
communities are those of every level, nearest first, each value once.

A fixed number of queries whatever the number of sessions, policies and levels: one per
many-to-many relation of each kind of level (skipped when the router has no object of
that kind), the policies, their match and set communities, the communities, and one for
every tag of every object.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from taggit.models import TaggedItem

from devices.models import Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Community,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
    RoutingPolicy,
)

Data = dict[str, Any]
# A level of a session: (its name, the model's label, the object's primary key).
Level = tuple[str, str, int]

_RELATIONS = ("import_routing_policies", "export_routing_policies", "communities")
_LEVEL_MODELS: tuple[type[models.Model], ...] = (
    Router,
    AutonomousSystem,
    InternetExchange,
    Connection,
    BGPGroup,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)
_POLICY_FIELDS = (
    "pk",
    "name",
    "slug",
    "type",
    "address_family",
    "weight",
    "description",
    "local_preference",
    "as_path_prepend",
    "config_context",
)
_COMMUNITY_FIELDS = ("pk", "name", "slug", "value", "kind", "type", "description")


# The policy types each direction applies.
_TYPES = {
    "import_routing_policies": ("import", "import-export"),
    "export_routing_policies": ("export", "import-export"),
}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@dataclass
class PolicyRequest:
    """What the context builder collects before the queries: the objects whose
    assignments count (per model label, their primary keys) and the dicts that get
    `tags` (per model label and primary key)."""

    assigned: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    tagged: dict[tuple[str, int], list[Data]] = field(default_factory=lambda: defaultdict(list))
    # (session dict, its levels nearest first)
    sessions: list[tuple[Data, list[Level]]] = field(default_factory=list)

    def tag(self, model: type[models.Model], pk: int | None, data: Data | None) -> None:
        """`data` (the dict of `model` #`pk`) gets `tags`."""
        if pk is not None and data is not None:
            data["tags"] = []
            self.tagged[(_label(model), pk)].append(data)

    def session(self, data: Data, levels: Iterable[tuple[str, type[models.Model], int | None]]):
        """`data` (a session dict) gets its policies, communities and tags from `levels`
        (name, model, primary key; nearest first; a None key is skipped)."""
        chain = [(name, _label(model), pk) for name, model, pk in levels if pk is not None]
        for _, label, pk in chain:
            self.assigned[label].add(pk)
        self.sessions.append((data, chain))


def _pairs(model: type[models.Model], relation: str, pks: set[int]) -> list[tuple[int, int]]:
    """(object pk, related pk) of one many-to-many relation for these objects: one query
    on its through table."""
    m2m = model._meta.get_field(relation)
    through = m2m.remote_field.through
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    return list(
        through.objects.filter(**{f"{source}_id__in": pks}).values_list(
            f"{source}_id", f"{target}_id"
        )
    )


def _assignments(request: PolicyRequest) -> dict[str, dict[tuple[str, int], list[int]]]:
    """Per relation, per (model label, pk): the related pks. One query per relation of
    each kind of level the router has."""
    found: dict[str, dict[tuple[str, int], list[int]]] = {r: defaultdict(list) for r in _RELATIONS}
    for model in _LEVEL_MODELS:
        pks = request.assigned.get(_label(model))
        if not pks:
            continue
        for relation in _RELATIONS:
            for owner, related in _pairs(model, relation, pks):
                found[relation][(_label(model), owner)].append(related)
    return found


def _tags(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[str]]:
    """Sorted tag slugs per (model label, pk). One query (none for no keys)."""
    by_label: dict[str, set[int]] = defaultdict(set)
    for label, pk in keys:
        by_label[label].add(pk)
    if not by_label:
        return {}
    condition = Q()
    for label, pks in by_label.items():
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label, content_type__model=model, object_id__in=pks
        )
    rows = TaggedItem.objects.filter(condition).values_list(
        "content_type__app_label", "content_type__model", "object_id", "tag__slug"
    )
    tags: dict[tuple[str, int], list[str]] = defaultdict(list)
    for app_label, model, pk, slug in rows:
        tags[(f"{app_label}.{model}", pk)].append(slug)
    return {key: sorted(slugs) for key, slugs in tags.items()}


def _community(row: Data) -> Data:
    return {name: row[name] for name in _COMMUNITY_FIELDS if name != "pk"}


def _policy(row: Data) -> Data:
    return {name: row[name] for name in _POLICY_FIELDS if name != "pk"}


def _applies(policy: Data, version: int) -> bool:
    return policy["address_family"] in (0, version)


class _Resolver:
    """Effective policies and communities of sessions, from the assignments."""

    def __init__(
        self,
        assignments: dict[str, dict[tuple[str, int], list[int]]],
        policies: dict[int, Data],
        communities: dict[int, Data],
    ) -> None:
        self.assignments = assignments
        self.policies = policies
        self.communities = communities
        self._sourced: dict[tuple[str, int, str], Data] = {}
        self._lists: dict[tuple[str, str, int, int], list[Data]] = {}
        self.used_policies: set[int] = set()
        self.used_communities: set[int] = set()

    def _with_source(self, kind: str, pk: int, source: str) -> Data:
        """The policy ("p") or community ("c") dict with its `source`: one dict per pair,
        shared by the sessions that have it."""
        found = self._sourced.get((kind, pk, source))
        if found is None:
            pool = self.policies if kind == "p" else self.communities
            found = self._sourced[(kind, pk, source)] = {**pool[pk], "source": source}
        return found

    def effective(self, relation: str, chain: list[Level], version: int) -> list[Data]:
        """The policies of `relation` of the nearest level with one for `version`."""
        for name, label, pk in chain:
            key = (relation, label, pk, version)
            if key in self._lists:
                if self._lists[key]:
                    return self._lists[key]
                continue
            # A policy of the other direction only (its type changed outside the forms
            # and the API, which refuse that) is not applied.
            pks = [
                p
                for p in self.assignments[relation].get((label, pk), ())
                if p in self.policies and self.policies[p]["type"] in _TYPES[relation]
            ]
            chosen = sorted(
                (p for p in pks if _applies(self.policies[p], version)),
                key=lambda p: (self.policies[p]["weight"], self.policies[p]["name"]),
            )
            self._lists[key] = [self._with_source("p", p, name) for p in chosen]
            self.used_policies.update(chosen)
            if chosen:
                return self._lists[key]
        return []

    def merged_communities(self, chain: list[Level]) -> list[Data]:
        """The communities of every level, nearest first, each value once."""
        seen: set[str] = set()
        merged: list[Data] = []
        for name, label, pk in chain:
            level = sorted(
                (c for c in self.assignments["communities"].get((label, pk), ())),
                key=lambda c: self.communities[c]["value"],
            )
            for community in level:
                value = self.communities[community]["value"]
                if value in seen:
                    continue
                seen.add(value)
                self.used_communities.add(community)
                merged.append(self._with_source("c", community, name))
        return merged


def attach_policies(request: PolicyRequest, context: Data) -> None:
    """Give every session of `request` its `import_policies`, `export_policies`,
    `communities` and `tags`, every tagged dict its `tags`, and `context` its
    `routing_policies` and `communities` (in place)."""
    assignments = _assignments(request)
    policy_pks = {
        pk
        for relation in ("import_routing_policies", "export_routing_policies")
        for pks in assignments[relation].values()
        for pk in pks
    }
    policy_rows = (
        list(RoutingPolicy.objects.filter(pk__in=policy_pks).order_by().values(*_POLICY_FIELDS))
        if policy_pks
        else []
    )
    matched: list[tuple[int, int]] = []
    set_by: list[tuple[int, int]] = []
    if policy_rows:
        matched = _pairs(RoutingPolicy, "match_communities", policy_pks)
        set_by = _pairs(RoutingPolicy, "set_communities", policy_pks)
    community_pks = {pk for pks in assignments["communities"].values() for pk in pks}
    community_pks |= {c for _, c in matched} | {c for _, c in set_by}
    community_rows = (
        list(Community.objects.filter(pk__in=community_pks).order_by().values(*_COMMUNITY_FIELDS))
        if community_pks
        else []
    )

    tagged = dict(request.tagged)
    tag_keys = [
        *tagged,
        *((_label(RoutingPolicy), row["pk"]) for row in policy_rows),
        *((_label(Community), row["pk"]) for row in community_rows),
    ]
    tags = _tags(tag_keys)
    for key, dicts in tagged.items():
        for data in dicts:
            data["tags"] = tags.get(key, [])

    communities = {row["pk"]: _community(row) for row in community_rows}
    for pk, data in communities.items():
        data["tags"] = tags.get((_label(Community), pk), [])
    by_value = lambda pk: communities[pk]["value"]  # noqa: E731
    policy_communities: dict[str, dict[int, list[int]]] = {
        "match_communities": defaultdict(list),
        "set_communities": defaultdict(list),
    }
    for relation, pairs in (("match_communities", matched), ("set_communities", set_by)):
        for policy, community in pairs:
            policy_communities[relation][policy].append(community)
    policies: dict[int, Data] = {}
    for row in policy_rows:
        data = policies[row["pk"]] = _policy(row)
        for relation in ("match_communities", "set_communities"):
            data[relation] = [
                communities[c]
                for c in sorted(policy_communities[relation][row["pk"]], key=by_value)
            ]
        data["tags"] = tags.get((_label(RoutingPolicy), row["pk"]), [])

    resolver = _Resolver(assignments, policies, communities)
    for session, chain in request.sessions:
        version = session["ip_version"]
        session["import_policies"] = resolver.effective("import_routing_policies", chain, version)
        session["export_policies"] = resolver.effective("export_routing_policies", chain, version)
        session["communities"] = resolver.merged_communities(chain)

    used = sorted(
        resolver.used_policies, key=lambda p: (policies[p]["weight"], policies[p]["name"])
    )
    context["routing_policies"] = [policies[p] for p in used]
    wanted = set(resolver.used_communities)
    for p in used:
        wanted.update(
            c
            for relation in ("match_communities", "set_communities")
            for c in policy_communities[relation][p]
        )
    context["communities"] = [communities[c] for c in sorted(wanted, key=by_value)]
