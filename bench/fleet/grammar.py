"""The EOS configuration commands the emulated routers know, per configuration mode.

A command is tried in the current mode, then in each enclosing mode (as EOS does: a
global command typed inside `router bgp` leaves it); one that no mode knows is refused
with EOS's "Invalid input" (bench.fleet.config.InvalidInput), and a configuration session
that receives one fails as a whole (NAPALM raises MergeConfigException and discards it).

Known: what the emulated routers boot with, what the deploy benchmark pushes
(bench/inventory.py) and what configs/platforms/eos.j2 renders, with their arguments
checked (addresses, AS numbers, prefixes, community values). Syntax from the Arista EOS
User Manual (BGP, route maps, prefix lists, community lists); anything else is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IP4 = r"\d{1,3}(?:\.\d{1,3}){3}"
IP6 = r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"
ADDR = rf"(?:{IP4}|{IP6})"
ASN = r"\d{1,10}(?:\.\d{1,5})?"
NAME = r"[A-Za-z0-9_][A-Za-z0-9_.:/-]*"
PREFIX = rf"(?:{IP4}/\d{{1,2}}|{IP6}/\d{{1,3}})"
RANGE = rf"{PREFIX}(?: ge \d{{1,3}})?(?: le \d{{1,3}})?"
STANDARD = r"\d{1,5}:\d{1,5}"
LARGE = r"\d{1,10}:\d{1,10}:\d{1,10}"
EXTENDED = rf"(?:rt|soo) (?:{IP4}|{ASN}):\d{{1,10}}"
WORD = r"\S+"
TEXT = r".+"


@dataclass(frozen=True)
class Command:
    """A command of a mode: `pattern` for the command itself, `negated` for its `no` /
    `default` form (None: it has none), `enters` the mode it opens (None: a line)."""

    pattern: re.Pattern[str]
    negated: re.Pattern[str] | None
    enters: str | None = None


def _command(pattern: str, negated: str | None = None, enters: str | None = None) -> Command:
    return Command(
        re.compile(rf"^(?:{pattern})$"),
        re.compile(rf"^(?:{negated})$") if negated else None,
        enters,
    )


_NEIGHBOR_ATTRIBUTES = (
    rf"remote-as {ASN}|description {TEXT}|password(?: [07])? {WORD}|ebgp-multihop(?: \d{{1,3}})?"
    rf"|maximum-routes \d+(?: warning-limit \d+(?: percent)?)?|route-map {NAME} (?:in|out)"
    rf"|shutdown|local-as {ASN}(?: no-prepend)?(?: replace-as)?|update-source {WORD}"
    rf"|next-hop-self|peer group {NAME}"
)
_NEIGHBOR = (
    _command(
        rf"neighbor {ADDR} (?:{_NEIGHBOR_ATTRIBUTES})",
        rf"neighbor {ADDR}(?: (?:remote-as|description|password|ebgp-multihop|maximum-routes"
        rf"|route-map(?: {NAME})? (?:in|out)|shutdown|local-as|update-source|next-hop-self"
        rf"|peer group)(?: {TEXT})?)?",
    ),
)

MODES: dict[str, tuple[Command, ...]] = {
    "global": (
        _command("service routing protocols model (?:multi-agent|ribd)"),
        _command(f"hostname {NAME}", "hostname"),
        _command(f"ip domain-name {NAME}", "ip domain-name"),
        _command(f"ip routing(?: vrf {NAME})?", f"ip routing(?: vrf {NAME})?"),
        _command("ipv6 unicast-routing", "ipv6 unicast-routing"),
        _command(f"vrf instance {NAME}", f"vrf instance {NAME}", "vrf"),
        _command(f"interface {NAME}", f"interface {NAME}", "interface"),
        _command(f"router bgp {ASN}", f"router bgp {ASN}", "router-bgp"),
        _command(
            f"route-map {NAME} (?:permit|deny) \\d{{1,5}}",
            f"route-map {NAME}(?: (?:permit|deny) \\d{{1,5}})?",
            "route-map",
        ),
        _command(f"ipv6 prefix-list {NAME}", f"ipv6 prefix-list {NAME}", "prefix-list"),
        _command(f"ip prefix-list {NAME}", f"ip prefix-list {NAME}", "prefix-list"),
        _command(
            f"ip prefix-list {NAME} seq \\d+ (?:permit|deny) {RANGE}",
            f"ip prefix-list {NAME} seq \\d+",
        ),
        _command(
            f"ip community-list {NAME} (?:permit|deny)(?: {STANDARD})+",
            f"ip community-list {NAME}",
        ),
        _command(
            f"ip large-community-list {NAME} (?:permit|deny)(?: {LARGE})+",
            f"ip large-community-list {NAME}",
        ),
        _command(
            f"ip extcommunity-list {NAME} (?:permit|deny)(?: {EXTENDED})+",
            f"ip extcommunity-list {NAME}",
        ),
    ),
    "vrf": (_command(f"description {TEXT}", "description"),),
    "interface": (
        _command(f"description {TEXT}", "description"),
        _command(f"ip address {IP4}/\\d{{1,2}}", "ip address"),
        _command(f"ipv6 address {IP6}/\\d{{1,3}}", "ipv6 address"),
        _command(f"vrf {NAME}", "vrf"),
        _command("shutdown", "shutdown"),
        _command("mtu \\d+", "mtu"),
    ),
    "router-bgp": (
        _command(f"router-id {IP4}", "router-id"),
        _command(f"vrf {NAME}", f"vrf {NAME}", "bgp-vrf"),
        _command("address-family ipv[46]", "address-family ipv[46]", "bgp-af"),
        *_NEIGHBOR,
    ),
    "bgp-vrf": (
        _command(f"router-id {IP4}", "router-id"),
        _command(f"rd {WORD}", "rd"),
        _command("address-family ipv[46]", "address-family ipv[46]", "bgp-af"),
        *_NEIGHBOR,
    ),
    "bgp-af": (
        _command(f"neighbor {ADDR} activate", f"neighbor {ADDR} activate"),
        _command(f"network {PREFIX}", f"network {PREFIX}"),
    ),
    "route-map": (
        _command(f"description {TEXT}", "description"),
        _command(
            f"match (?:ip|ipv6) address prefix-list {NAME}", "match (?:ip|ipv6) address prefix-list"
        ),
        _command(
            f"match (?:community|large-community|extcommunity) {NAME}",
            "match (?:community|large-community|extcommunity)",
        ),
        _command("set local-preference \\d{1,10}", "set local-preference"),
        _command(f"set community(?: {STANDARD})+ additive", "set community"),
        _command(f"set large-community(?: {LARGE})+ additive", "set large-community"),
        _command(f"set extcommunity(?: {EXTENDED})+ additive", "set extcommunity"),
        _command(f"set as-path prepend(?: {ASN})+", "set as-path prepend"),
    ),
    "prefix-list": (_command(f"seq \\d+ (?:permit|deny) {RANGE}", "seq \\d+"),),
}


def known(mode: str, line: str, negated: bool) -> Command | None:
    """The command of `mode` that `line` is (its `no` form when `negated`), or None."""
    for command in MODES[mode]:
        pattern = command.negated if negated else command.pattern
        if pattern is not None and pattern.match(line):
            return command
    return None
