"""Where routing policies, communities and tags are assigned, and what may be assigned.

The levels (peering.policy_models.PolicyAssignments) are the models below; pages, the API
and the admin ask this module which policies an import or export list takes, and where a
policy, a community or a tag is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Model, Q, QuerySet
from taggit.models import Tag, TaggedItem

from core.links import list_url
from peering.policy_models import Community, PolicyType, RoutingPolicy

# The levels, in the order pages list them: "app_label.ModelName".
LEVEL_MODELS = (
    "devices.Router",
    "peering.AutonomousSystem",
    "peering.InternetExchange",
    "peering.Connection",
    "peering.BGPGroup",
    "peering.DirectPeeringSession",
    "peering.InternetExchangePeeringSession",
)
# Objects with tags: the levels, then the policies and communities.
TAGGED_MODELS = (*LEVEL_MODELS, "peering.RoutingPolicy", "peering.Community")
# The fields every level has, beside its own.
ASSIGNMENT_FIELDS = ("import_routing_policies", "export_routing_policies", "communities", "tags")

# Which policy types each direction takes.
DIRECTIONS = {
    "import": (PolicyType.IMPORT, PolicyType.IMPORT_EXPORT),
    "export": (PolicyType.EXPORT, PolicyType.IMPORT_EXPORT),
}


def tags_from_string(text: str) -> list[str]:
    """The tag names typed in a form's tags box: comma-separated, a name with a comma in
    double quotes (as taggit writes such a name back). "Tier 1" is one tag (taggit's own
    parser would make two of a text without commas). Sorted, each once.

    Used by taggit through the TAGGIT_TAGS_FROM_STRING setting."""
    names: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text or "":
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return sorted({name.strip() for name in names if name.strip()})


def same_tags(names: Iterable[str]) -> list[Tag | str]:
    """The tags a user means by `names`: an existing tag whose name is the same but for
    case, or whose slug the name gives ("Tier 1" and "tier-1" are one tag, `tier-1`), else
    the name itself (a new tag). One query; taggit's set() takes the result."""
    names = list(names)
    if not names:
        return []
    slugs = {name: Tag().slugify(name) for name in names}
    condition = Q(slug__in=set(slugs.values()))
    for name in names:
        condition |= Q(name__iexact=name)
    existing = list(Tag.objects.filter(condition))
    by_name = {tag.name.casefold(): tag for tag in existing}
    by_slug = {tag.slug: tag for tag in existing}
    found: list[Tag | str] = []
    for name in names:
        tag = by_name.get(name.casefold()) or by_slug.get(slugs[name]) or name
        if tag not in found:
            found.append(tag)
    return found


def unsupported_uses(policy: RoutingPolicy) -> str | None:
    """Why `policy` cannot take its type: the levels that have it as an import (export)
    policy when that type is not one; None when no level does. One query per level and
    direction the type no longer allows."""
    problems = []
    for direction, relation in (
        ("import", "import_routing_policies"),
        ("export", "export_routing_policies"),
    ):
        if policy.type in DIRECTIONS[direction]:
            continue
        counts = [
            (model, model.objects.filter(**{relation: policy.pk}).count())
            for model in level_models()
        ]
        used = [
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in counts
            if count
        ]
        if used:
            problems.append(f"it is an {direction} policy of {', '.join(used)}")
    if not problems:
        return None
    return (
        f"“{policy.name}” cannot be {policy.get_type_display().lower()} only while "
        f"{'; '.join(problems)}: take it off those lists first."
    )


def level_models() -> list[type[Model]]:
    """The models a policy or community can be assigned to, in LEVEL_MODELS order."""
    return [apps.get_model(label) for label in LEVEL_MODELS]


def tagged_models() -> list[type[Model]]:
    """The models that carry tags, in TAGGED_MODELS order."""
    return [apps.get_model(label) for label in TAGGED_MODELS]


def policies_for(direction: str) -> QuerySet[RoutingPolicy]:
    """The policies an import (or export) list may hold: that type, or import-export."""
    return RoutingPolicy.objects.filter(type__in=DIRECTIONS[direction])


def wrong_direction(policies: Iterable[RoutingPolicy], direction: str) -> str | None:
    """Why these policies cannot all be `direction` ("import" or "export") policies, as a
    sentence naming each wrong one; None when they can."""
    wrong = [policy for policy in policies if policy.type not in DIRECTIONS[direction]]
    if not wrong:
        return None
    names = ", ".join(f"“{policy.name}” ({policy.get_type_display().lower()})" for policy in wrong)
    plural = "is not an" if len(wrong) == 1 else "are not"
    return (
        f"{names} {plural} {direction} {'policy' if len(wrong) == 1 else 'policies'}: "
        f"choose {direction} or import-export policies."
    )


def wrong_direction_of_keys(values: Iterable[Any], direction: str) -> str | None:
    """wrong_direction() for the primary keys a form or a client sent (anything not a key
    is left to the field's own error)."""
    keys = [int(v) for v in values if str(v).isascii() and str(v).isdigit() and len(str(v)) < 19]
    return wrong_direction(RoutingPolicy.objects.filter(pk__in=keys), direction) if keys else None


@dataclass(frozen=True)
class Usage:
    """How many objects of one level use a policy, a community or a tag, and where they
    are listed (the level's list page, filtered to them)."""

    label: str
    count: int
    url: str
    detail: str = ""


def _plural(model: type[Model]) -> str:
    name = str(model._meta.verbose_name_plural)
    return name[0].upper() + name[1:]


def policy_usage(policy: RoutingPolicy) -> list[Usage]:
    """Per level, how many objects have `policy` as an import or an export policy: one
    query per level."""
    found = []
    for model in level_models():
        counts = model.objects.aggregate(
            imports=Count("pk", filter=Q(import_routing_policies=policy), distinct=True),
            exports=Count("pk", filter=Q(export_routing_policies=policy), distinct=True),
            either=Count(
                "pk",
                filter=Q(import_routing_policies=policy) | Q(export_routing_policies=policy),
                distinct=True,
            ),
        )
        found.append(
            Usage(
                _plural(model),
                counts["either"],
                f"{list_url(model)}?routing_policy={policy.pk}",
                f"{counts['imports']} import, {counts['exports']} export",
            )
        )
    return found


def community_usage(community: Community) -> list[Usage]:
    """Per level, how many objects have `community` assigned, then the policies matching
    or setting it: one query each."""
    found = [
        Usage(
            _plural(model),
            model.objects.filter(communities=community).count(),
            f"{list_url(model)}?community={community.pk}",
        )
        for model in level_models()
    ]
    policies = RoutingPolicy.objects.aggregate(
        matching=Count("pk", filter=Q(match_communities=community), distinct=True),
        setting=Count("pk", filter=Q(set_communities=community), distinct=True),
    )
    found.append(
        Usage(
            "Routing policies",
            policies["matching"] + policies["setting"],
            f"{list_url(RoutingPolicy)}?community={community.pk}",
            f"{policies['matching']} matching, {policies['setting']} setting",
        )
    )
    return found


@dataclass(frozen=True)
class TagSummary:
    """A tag, and how many objects of each kind carry it (TAGGED_MODELS order)."""

    tag: Tag
    usage: list[Usage]

    @property
    def total(self) -> int:
        return sum(usage.count for usage in self.usage)


def tag_summaries() -> list[TagSummary]:
    """Every tag by name with its counts per kind of object: two queries in all."""
    models = tagged_models()
    content_types = {ct_model: ct for ct_model, ct in _content_types(models).items()}
    counts: dict[tuple[int, int], int] = {
        (row["tag_id"], row["content_type_id"]): row["n"]
        for row in TaggedItem.objects.values("tag_id", "content_type_id").annotate(n=Count("pk"))
    }
    summaries = []
    for tag in Tag.objects.order_by("name"):
        usage = [
            Usage(
                _plural(model),
                counts.get((tag.pk, content_types[model].pk), 0),
                f"{list_url(model)}?tag={tag.slug}",
            )
            for model in models
        ]
        summaries.append(TagSummary(tag, usage))
    return summaries


def _content_types(models: list[type[Model]]) -> dict[type[Model], Any]:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_models(*models)
