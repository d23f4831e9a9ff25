"""A check of FRRouting configuration as configs/platforms/frr.j2 writes it (vtysh
syntax, after the FRR user guide: BGP, IP prefix lists, route-maps, community lists): each
line a known command of its place (global, `router bgp`, an address family, a route-map
entry), `address-family` closed by `exit-address-family`, a route-map entry by `exit`.
Not FRR's own parser (the lab's routers load the real thing)."""

from __future__ import annotations

import re

NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
ADDRESS = r"[0-9A-Fa-f:.]+"
PREFIX = r"[0-9A-Fa-f:.]+/\d{1,3}(?: ge \d{1,3})?(?: le \d{1,3})?"
COMMUNITY = r"\d+:\d+(?::\d+)?"
_LISTS = r"(?:community-list|large-community-list|extcommunity-list)"
_GLOBAL = [
    rf"no (?:ip|ipv6) prefix-list {NAME}",
    rf"no bgp {_LISTS} standard {NAME}",
    rf"bgp {_LISTS} standard {NAME} seq \d+ (?:permit|deny) (?:(?:rt|soo) )?{ADDRESS}:\d+"
    r"(?::\d+)?",
    rf"no route-map {NAME}",
    rf"route-map {NAME} (?:permit|deny) \d+",
    rf"(?:ip|ipv6) prefix-list {NAME} seq \d+ (?:permit|deny) (?:{PREFIX}|any)",
    r"router bgp \d+",
]
_BGP = [
    rf"neighbor {ADDRESS} (?:remote-as \d+|description \S.*|password \S+|ebgp-multihop \d+"
    r"|timers connect \d+|local-as \d+(?: no-prepend(?: replace-as)?)?|shutdown)",
    rf"no neighbor {ADDRESS} shutdown",
    r"address-family ipv[46] unicast",
]
_ROUTE_MAP = [
    rf"match (?:community|large-community|extcommunity) {NAME}",
    r"set local-preference \d+",
    r"set as-path prepend \d+(?: \d+)*",
    rf"set (?:community|large-community) {COMMUNITY}(?: {COMMUNITY})* additive",
    rf"set extcommunity (?:rt|soo) {ADDRESS}:\d+(?: {ADDRESS}:\d+)*",
    r"description \S.*",
    rf"call {NAME}",
    r"on-match (?:next|goto \d+)",
    "exit",
]
_FAMILY = [
    rf"neighbor {ADDRESS} (?:activate|maximum-prefix \d+|soft-reconfiguration inbound"
    rf"|(?:prefix-list|route-map) {NAME} (?:in|out))",
    "exit-address-family",
]


def check(text: str) -> list[str]:
    """The problems of FRR configuration `text` (see the module's doc)."""
    problems: list[str] = []
    place = "global"
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if place == "bgp" and not raw.startswith(" "):
            place = "global"
        known = {"global": _GLOBAL, "bgp": _BGP, "family": _FAMILY, "route-map": _ROUTE_MAP}[place]
        if not any(re.fullmatch(pattern, line) for pattern in known):
            problems.append(f"line {number}: “{line}” is not known here ({place})")
            continue
        if line.startswith("router bgp "):
            place = "bgp"
        elif line.startswith("route-map "):
            place = "route-map"
        elif line == "exit" and place == "route-map":
            place = "global"
        elif line.startswith("address-family "):
            place = "family"
        elif line == "exit-address-family":
            place = "bgp"
    if place == "family":
        problems.append("an address-family is never closed by exit-address-family")
    if place == "route-map":
        problems.append("a route-map entry is never closed by exit")
    return problems
