"""A check of FRRouting configuration as configs/platforms/frr.j2 writes it (vtysh
syntax, after the FRR user guide: BGP, IP prefix lists): each line a known command of
its place (global, `router bgp`, an address family), `address-family` closed by
`exit-address-family`. Not FRR's own parser (the lab's routers load the real thing)."""

from __future__ import annotations

import re

NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
ADDRESS = r"[0-9A-Fa-f:.]+"
PREFIX = r"[0-9A-Fa-f:.]+/\d{1,3}(?: ge \d{1,3})?(?: le \d{1,3})?"
_GLOBAL = [
    rf"no (?:ip|ipv6) prefix-list {NAME}",
    rf"(?:ip|ipv6) prefix-list {NAME} seq \d+ (?:permit|deny) (?:{PREFIX}|any)",
    r"router bgp \d+",
]
_BGP = [
    rf"neighbor {ADDRESS} (?:remote-as \d+|description \S.*|password \S+|ebgp-multihop \d+"
    r"|timers connect \d+)",
    r"address-family ipv[46] unicast",
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
        known = {"global": _GLOBAL, "bgp": _BGP, "family": _FAMILY}[place]
        if not any(re.fullmatch(pattern, line) for pattern in known):
            problems.append(f"line {number}: “{line}” is not known here ({place})")
            continue
        if line.startswith("router bgp "):
            place = "bgp"
        elif line.startswith("address-family "):
            place = "family"
        elif line == "exit-address-family":
            place = "bgp"
    if place == "family":
        problems.append("an address-family is never closed by exit-address-family")
    return problems
