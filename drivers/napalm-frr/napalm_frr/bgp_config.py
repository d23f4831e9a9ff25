"""`get_bgp_config` from FRR's running configuration (the default BGP instance).

Peer groups become NAPALM groups; neighbours outside any group go to the
group "_", as in NAPALM's other drivers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from napalm.base import models

from napalm_frr.config_text import Block, parse

UNGROUPED = "_"
NAPALM_FAMILIES = {"ipv4": "inet", "ipv6": "inet6"}


@dataclass
class _Settings:
    """What the configuration says about one neighbour or peer group."""

    remote_as: str = ""
    description: str = ""
    password: str = ""
    update_source: str = ""
    multihop_ttl: int = 0
    local_as: int = 0
    group: str = ""
    import_policy: str = ""
    export_policy: str = ""
    remove_private_as: bool = False
    next_hop_self: bool = False
    route_reflector_client: bool = False
    prefix_limit: dict[str, Any] = field(default_factory=dict)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _family_names(af_header: str) -> tuple[str, str] | None:
    """("inet", "unicast") for `address-family ipv4 unicast`; None for other families."""
    words = af_header.split()
    if len(words) < 2 or words[1] not in NAPALM_FAMILIES:
        return None
    return NAPALM_FAMILIES[words[1]], words[2] if len(words) > 2 else "unicast"


def _prefix_limit(words: list[str]) -> dict[str, Any]:
    """`maximum-prefix N [THRESHOLD] [restart MINUTES|warning-only]` as NAPALM describes it."""
    limit: dict[str, Any] = {"limit": int(words[0])}
    rest = words[1:]
    threshold = int(rest.pop(0)) if rest and rest[0].isdigit() else None
    if rest and rest[0] == "warning-only":
        limit["warning_only"] = True
    elif rest and rest[0] == "restart" and len(rest) > 1:
        limit["teardown"] = {"threshold": threshold or 100, "timeout": int(rest[1]) * 60}
    elif threshold is not None:
        limit["teardown"] = {"threshold": threshold, "timeout": 0}
    return limit


def _apply_option(settings: _Settings, words: list[str], family: tuple[str, str] | None) -> None:
    option, args = words[0], words[1:]
    if option == "remote-as" and args:
        settings.remote_as = args[0]
    elif option == "description":
        settings.description = " ".join(args)
    elif option == "password" and args:
        settings.password = " ".join(args)
    elif option == "update-source" and args:
        settings.update_source = args[0]
    elif option == "ebgp-multihop":
        settings.multihop_ttl = int(args[0]) if args else 255
    elif option == "local-as" and args:
        settings.local_as = int(args[0])
    elif option == "peer-group" and args:
        settings.group = args[0]
    elif option == "route-map" and len(args) == 2:
        if args[1] == "in":
            settings.import_policy = args[0]
        else:
            settings.export_policy = args[0]
    elif option == "remove-private-AS":
        settings.remove_private_as = True
    elif option == "next-hop-self":
        settings.next_hop_self = True
    elif option == "route-reflector-client":
        settings.route_reflector_client = True
    elif option == "maximum-prefix" and args and family is not None:
        settings.prefix_limit.setdefault(family[0], {})[family[1]] = _prefix_limit(args)


def _collect(bgp: Block) -> tuple[dict[str, _Settings], dict[str, _Settings], bool]:
    """Peer groups and neighbours of a `router bgp` block, and whether it uses multipath."""
    groups: dict[str, _Settings] = {}
    neighbors: dict[str, _Settings] = {}
    multipath = False

    def handle(text: str, family: tuple[str, str] | None) -> None:
        words = text.split()
        if len(words) == 3 and words[0] == "neighbor" and words[2] == "peer-group":
            groups.setdefault(words[1], _Settings())
        elif words[0] == "neighbor" and len(words) >= 3:
            name = words[1]
            target = groups if name in groups else neighbors
            _apply_option(target.setdefault(name, _Settings()), words[2:], family)

    for line in bgp.lines():
        handle(line.text, None)
    for af in bgp.blocks():
        family = _family_names(af.header or "")
        for line in af.lines():
            if line.text.startswith("maximum-paths") and int(line.text.split()[-1]) > 1:
                multipath = True
            handle(line.text, family)
    return groups, neighbors, multipath


def _as_number(value: str, router_as: int) -> int:
    if value == "internal":
        return router_as
    return int(value) if value.isdigit() else 0


def _session_type(remote_as: str, router_as: int) -> str:
    if remote_as in ("internal", "external"):
        return remote_as
    if not remote_as.isdigit():
        return ""
    return "internal" if int(remote_as) == router_as else "external"


def _local_address(update_source: str) -> str:
    return update_source if _is_address(update_source) else ""


def _group_dict(settings: _Settings, router_as: int, multipath: bool) -> models.BGPConfigGroupDict:
    return {
        "type": _session_type(settings.remote_as, router_as),
        "description": settings.description,
        "apply_groups": [],
        "multihop_ttl": settings.multihop_ttl,
        "multipath": multipath,
        "local_address": _local_address(settings.update_source),
        "local_as": settings.local_as or router_as,
        "remote_as": _as_number(settings.remote_as, router_as),
        "import_policy": settings.import_policy,
        "export_policy": settings.export_policy,
        "remove_private_as": settings.remove_private_as,
        "prefix_limit": settings.prefix_limit,
        "neighbors": {},
    }


def _neighbor_dict(
    own: _Settings, group: _Settings, router_as: int
) -> models.BGPConfigNeighborDict:
    """A neighbour's settings, falling back to its peer group's where it sets none."""
    return {
        "description": own.description or group.description,
        "import_policy": own.import_policy or group.import_policy,
        "export_policy": own.export_policy or group.export_policy,
        "local_address": _local_address(own.update_source or group.update_source),
        "authentication_key": own.password or group.password,
        "nhs": own.next_hop_self or group.next_hop_self,
        "route_reflector_client": own.route_reflector_client or group.route_reflector_client,
        "local_as": own.local_as or group.local_as or router_as,
        "remote_as": _as_number(own.remote_as or group.remote_as, router_as),
        "prefix_limit": own.prefix_limit or group.prefix_limit,
    }


def _default_instance(config: Block) -> Block | None:
    for block in config.blocks():
        words = (block.header or "").split()
        if len(words) == 3 and words[:2] == ["router", "bgp"]:
            return block
    return None


def bgp_config(
    running_config: str, group: str = "", neighbor: str = ""
) -> dict[str, models.BGPConfigGroupDict]:
    """Groups (peer groups, plus "_" for the rest) with their neighbours."""
    bgp = _default_instance(parse(running_config))
    if bgp is None:
        return {}
    router_as = int((bgp.header or "").split()[2])
    groups, neighbors, multipath = _collect(bgp)
    result: dict[str, models.BGPConfigGroupDict] = {
        UNGROUPED: _group_dict(_Settings(), router_as, multipath)
    }
    for name, settings in groups.items():
        result[name] = _group_dict(settings, router_as, multipath)
    for address, settings in neighbors.items():
        group_name = settings.group if settings.group in groups else UNGROUPED
        group_settings = groups.get(group_name, _Settings())
        key = str(ipaddress.ip_address(address)) if _is_address(address) else address
        result[group_name]["neighbors"][key] = _neighbor_dict(settings, group_settings, router_as)
    if group:
        result = {name: data for name, data in result.items() if name == group}
    if neighbor:
        wanted = str(ipaddress.ip_address(neighbor)) if _is_address(neighbor) else neighbor
        for data in result.values():
            data["neighbors"] = {k: v for k, v in data["neighbors"].items() if k == wanted}
        result = {name: data for name, data in result.items() if data["neighbors"]}
    return result
