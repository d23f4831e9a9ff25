"""A structural check of Cisco IOS-XR configuration as configs/platforms/iosxr.j2 writes it.

Sets (`prefix-set`, `community-set`, `large-community-set`, `extcommunity-set rt|soo`)
hold comma-separated entries of their kind and end with `end-set`; a `route-policy` ends
with `end-policy`, its `if ... then` / `endif` balance and its statements are known RPL
ones; `router bgp` is a hierarchy by indentation (one space a level) whose sub-modes end
with `!`, each line a known statement of its mode. Shapes after the IOS-XR Routing
Configuration Guide (Routing Policy Language, BGP). Not IOS-XR's own parser: statements
outside this vocabulary are reported, and values are checked by shape only.
"""

from __future__ import annotations

import re

PREFIX = r"[0-9A-Fa-f:.]+/\d{1,3}(?: ge \d{1,3})?(?: le \d{1,3})?"
NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
ADDRESS = r"[0-9A-Fa-f:.]+"
_SETS = {
    "prefix-set": PREFIX,
    "community-set": r"\d{1,5}:\d{1,5}",
    "large-community-set": r"\d{1,10}:\d{1,10}:\d{1,10}",
    "extcommunity-set rt": r"(?:\d{1,10}|\d{1,3}(?:\.\d{1,3}){3}):\d{1,10}",
    "extcommunity-set soo": r"(?:\d{1,10}|\d{1,3}(?:\.\d{1,3}){3}):\d{1,10}",
}
_SET_START = re.compile(rf"^({'|'.join(_SETS)}) ({NAME})$")
_ATTRIBUTE = r"(?:community|large-community|extcommunity (?:rt|soo))"
_CONDITION = rf"(?:not )?(?:destination in {NAME}|{_ATTRIBUTE} matches-(?:any|every) {NAME})"
_POLICY = [
    re.compile(p)
    for p in (
        r"^(?:pass|drop|done)$",
        r"^#.*$",
        rf"^apply {NAME}$",
        r"^set local-preference \d+$",
        rf"^set {_ATTRIBUTE} {NAME}(?: additive)?$",
        r"^prepend as-path \d+ \d+$",
    )
]
_IF = re.compile(rf"^(?:if|elseif) {_CONDITION}(?: (?:and|or) {_CONDITION})* then$")
_BGP = {
    0: [r"router bgp \d+"],
    1: [rf"neighbor {ADDRESS}", rf"vrf {NAME}", r"bgp router-id \S+"],
    2: [
        r"remote-as \d+",
        r"local-as \d+(?: no-prepend)?(?: replace-as)?",
        r"description \S.*",
        r"password (?:clear|encrypted) \S+",
        r"ebgp-multihop \d+",
        r"shutdown",
        r"address-family ipv[46] unicast",
        r"rd auto",
        rf"neighbor {ADDRESS}",
    ],
    3: [
        rf"route-policy {NAME} (?:in|out)",
        r"maximum-prefix \d+(?: \d+)?",
        r"remote-as \d+",
        r"local-as \d+(?: no-prepend)?(?: replace-as)?",
        r"description \S.*",
        r"password (?:clear|encrypted) \S+",
        r"ebgp-multihop \d+",
        r"shutdown",
        r"address-family ipv[46] unicast",
    ],
    4: [rf"route-policy {NAME} (?:in|out)", r"maximum-prefix \d+(?: \d+)?"],
}


def _set(lines: list[tuple[int, str]], kind: str, problems: list[str]) -> None:
    entries = [text.strip() for _, text in lines]
    for index, (number, _) in enumerate(lines):
        entry = entries[index]
        last = index == len(entries) - 1
        if not last and not entry.endswith(","):
            problems.append(f"line {number}: “{entry}” needs a ',' (more entries follow)")
        if last and entry.endswith(","):
            problems.append(f"line {number}: the last entry “{entry}” ends with ','")
        if not re.fullmatch(_SETS[kind], entry.rstrip(",")):
            problems.append(f"line {number}: “{entry}” is not an entry of a {kind}")


def _policy(lines: list[tuple[int, str]], problems: list[str]) -> None:
    depth = 0
    for number, text in lines:
        line = text.strip()
        if _IF.match(line):
            depth += line.startswith("if ")
        elif line == "else":
            continue
        elif line == "endif":
            depth -= 1
            if depth < 0:
                problems.append(f"line {number}: 'endif' without 'if'")
                depth = 0
        elif not any(p.match(line) for p in _POLICY):
            problems.append(f"line {number}: “{line}” is not a route-policy statement")
    if depth:
        problems.append(f"line {lines[-1][0] if lines else 0}: an 'if' is never closed by 'endif'")


def _bgp(lines: list[tuple[int, str]], problems: list[str]) -> None:
    open_depths: list[int] = []
    for number, text in lines:
        depth = len(text) - len(text.lstrip(" "))
        line = text.strip()
        if line == "!":
            if not open_depths or depth != open_depths[-1]:
                problems.append(f"line {number}: '!' at the wrong depth")
            else:
                open_depths.pop()
            continue
        if depth > (open_depths[-1] + 1 if open_depths else 0):
            problems.append(f"line {number}: “{line}” is indented deeper than its mode")
        if not any(re.fullmatch(p, line) for p in _BGP.get(depth, [])):
            problems.append(f"line {number}: “{line}” is not known at this depth of router bgp")
        if re.match(r"(?:router bgp|neighbor|vrf|address-family) ", line):
            open_depths.append(depth)
    if open_depths:
        problems.append("the router bgp section is not closed by '!'")


def check(text: str) -> list[str]:
    """The problems of IOS-XR configuration `text` (see the module's doc)."""
    problems: list[str] = []
    lines = list(enumerate(text.splitlines(), start=1))
    index = 0
    while index < len(lines):
        number, raw = lines[index]
        line = raw.strip()
        index += 1
        if not line or line.startswith("!"):
            continue
        start = _SET_START.match(line)
        closing = "end-set" if start else "end-policy" if line.startswith("route-policy ") else ""
        if line.startswith("router bgp "):
            body = [(number, raw)]
            while index < len(lines) and lines[index][1] != "!":
                body.append(lines[index])
                index += 1
            index += 1
            _bgp([*body, (number, "!")] if index <= len(lines) else body, problems)
            continue
        if not closing or (not start and not re.fullmatch(rf"route-policy {NAME}", line)):
            problems.append(f"line {number}: “{line}” is not a set, a route-policy or router bgp")
            continue
        body = []
        while index < len(lines) and lines[index][1].startswith(" "):
            body.append(lines[index])
            index += 1
        if index >= len(lines) or lines[index][1].strip() != closing:
            problems.append(f"line {number}: “{line}” is never closed by '{closing}'")
            continue
        index += 1
        if start:
            _set(body, start.group(1), problems)
        else:
            _policy(body, problems)
    return problems
