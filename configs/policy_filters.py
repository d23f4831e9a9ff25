"""Jinja2 filters for routing policies, communities and tags (documented in
docs/templates.md). They read the dicts of configs/policy_context.py; the names are those
Peering Manager's templates use where the meaning is the same."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

Data = dict[str, Any]
_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")


def _policies(value: Data, direction: str, field: str, family: Any) -> list[Any]:
    key = f"{direction}_policies"
    if not isinstance(value, dict) or key not in value:
        raise ValueError(f"only a session has {direction} policies, not {value!r}")
    policies = value[key]
    if family in (4, 6, "4", "6"):
        policies = [p for p in policies if p["address_family"] in (0, int(family))]
    return [p[field] for p in policies] if field else list(policies)


def iter_import_policies(value: Data, field: str = "", family: Any = None) -> list[Any]:
    """A session's effective import policies, in the order they apply (its nearest level
    with any, by weight then name). `field` gives that field of each ("slug");
    `family` (4 or 6) keeps those of that address family.

    `session | iter_import_policies("slug")` -> ["ixp-in", "bogons"]."""
    return _policies(value, "import", field, family)


def iter_export_policies(value: Data, field: str = "", family: Any = None) -> list[Any]:
    """A session's effective export policies; as iter_import_policies."""
    return _policies(value, "export", field, family)


def config_name(value: Data | str) -> str:
    """The name a policy or a community has on the router: its slug upper-cased, "-"
    kept (`{"slug": "ixp-in", ...} | config_name` -> "IXP-IN")."""
    slug = value["slug"] if isinstance(value, dict) else str(value)
    return slug.upper()


def _selected(items: Iterable[Data], kind: str, type: str) -> list[Data]:
    return [c for c in items if (not kind or c["kind"] == kind) and (not type or c["type"] == type)]


def communities(value: Any, field: str = "", kind: str = "", type: str = "") -> list[Any]:
    """The communities of a session (merged from its levels), of a policy (those it
    matches and those it sets), or a list of community dicts as they are; `kind`
    ("standard", "extended", "large") and `type` ("ingress", "egress") select, `field`
    gives that field of each.

    `session | communities("value", kind="large", type="ingress")` -> ["64500:1:2"]."""
    if isinstance(value, dict) and "match_communities" in value:
        items = [*value["match_communities"], *value["set_communities"]]
    elif isinstance(value, dict):
        items = value["communities"]
    else:
        items = list(value)
    chosen = _selected(items, kind, type)
    return [c[field] for c in chosen] if field else chosen


def merge_communities(value: Data) -> list[Data]:
    """A session's communities from every level, nearest first, each value once (the
    session's `communities`)."""
    return communities(value)


def ingress_communities(value: Any, kind: str = "") -> list[Data]:
    """The communities to set on routes received (type "ingress"), of one `kind` if given."""
    return communities(value, kind=kind, type="ingress")


def egress_communities(value: Any, kind: str = "") -> list[Data]:
    """The communities to add to routes sent (type "egress"), of one `kind` if given."""
    return communities(value, kind=kind, type="egress")


def of_kind(items: Iterable[Data], kind: str) -> list[Data]:
    """Community dicts of one kind: `policy.match_communities | of_kind("large")`."""
    return _selected(items, kind, "")


def _slug(tag: str) -> str:
    return _NOT_SLUG.sub("-", str(tag).strip().lower()).strip("-")


def tags(value: Data) -> list[str]:
    """The tag slugs of an object (a session, AS, IXP, connection, BGP group, router,
    policy or community), sorted."""
    return list(value["tags"])


def has_tag(value: Data, tag: str) -> bool:
    """Whether an object carries `tag` (its slug, or its name: "Tier 1" is "tier-1")."""
    return tag in value["tags"] or _slug(tag) in value["tags"]


def has_not_tag(value: Data, tag: str) -> bool:
    """Whether an object does not carry `tag`."""
    return not has_tag(value, tag)


def tagged(items: Iterable[Data], tag: str) -> list[Data]:
    """The objects carrying `tag`: `sessions | tagged("rs")`."""
    return [item for item in items if has_tag(item, tag)]


def not_tagged(items: Iterable[Data], tag: str) -> list[Data]:
    """The objects not carrying `tag`."""
    return [item for item in items if not has_tag(item, tag)]


def _find(data: Any, key: str, recursive: bool) -> tuple[Any, bool]:
    if not isinstance(data, dict):
        return None, False
    if key in data:
        return data[key], True
    if recursive:
        for nested in data.values():
            found, ok = _find(nested, key, recursive)
            if ok:
                return found, True
    return None, False


def _config_context(value: Data) -> Any:
    if not isinstance(value, dict) or "config_context" not in value:
        raise ValueError(f"only a routing policy has a config context, not {value!r}")
    return value["config_context"]


def context_has_key(value: Data, key: str, recursive: bool = True) -> bool:
    """Whether a policy's `config_context` has `key` (in nested objects too, unless
    `recursive=false`)."""
    return _find(_config_context(value), key, recursive)[1]


def context_has_not_key(value: Data, key: str, recursive: bool = True) -> bool:
    return not context_has_key(value, key, recursive)


def context_get_key(value: Data, key: str, default: Any = None, recursive: bool = True) -> Any:
    """The value of `key` in a policy's `config_context` (first found, depth first), or
    `default`."""
    found, ok = _find(_config_context(value), key, recursive)
    return found if ok else default


POLICY_FILTERS: dict[str, Callable[..., Any]] = {
    "iter_import_policies": iter_import_policies,
    "iter_export_policies": iter_export_policies,
    "config_name": config_name,
    "communities": communities,
    "merge_communities": merge_communities,
    "ingress_communities": ingress_communities,
    "egress_communities": egress_communities,
    "of_kind": of_kind,
    "tags": tags,
    "has_tag": has_tag,
    "has_not_tag": has_not_tag,
    "tagged": tagged,
    "not_tagged": not_tagged,
    "context_has_key": context_has_key,
    "context_has_not_key": context_has_not_key,
    "context_get_key": context_get_key,
}
