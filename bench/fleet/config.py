"""Running configuration of an emulated router, and a naive EOS-like CLI editor.

The configuration is a tree of lines (sections hold indented lines). The
editor applies flat commands as eAPI receives them (NAPALM strips the
indentation), in the configuration mode bench.fleet.grammar finds them in; a
command no mode knows is refused as EOS refuses it (InvalidInput). It knows
realistic BGP peering configuration, not the whole of EOS.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bench.fleet import grammar
from bench.fleet.model import EOS_VERSION, RouterInfo, SessionInfo

INDENT = "   "

# Lines that replace an existing line with the same key instead of being added again.
_SINGLETON_KEYS = (
    re.compile(r"^(hostname|description|router-id|mtu|ip address|ipv6 address|ip domain-name) "),
    re.compile(
        r"^neighbor \S+ (remote-as|description|update-source|peer group|maximum-routes|password"
        r"|ebgp-multihop|local-as|next-hop-self) "
    ),
    re.compile(r"^neighbor \S+ route-map (?=\S+ (in|out)$)"),
)


def _singleton_key(line: str) -> str | None:
    for pattern in _SINGLETON_KEYS:
        match = pattern.match(line)
        if match:
            key = match.group(0)
            return key + line.rsplit(" ", 1)[1] if "route-map" in key else key
    return None


class ConfigNode:
    """A configuration line and, for a section, the lines under it (indexed for big configs)."""

    __slots__ = ("_by_key", "_by_text", "children", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.children: list[ConfigNode] = []
        self._by_text: dict[str, ConfigNode] = {}
        self._by_key: dict[str, ConfigNode] = {}

    def __repr__(self) -> str:
        return f"ConfigNode({self.text!r}, {len(self.children)} children)"

    def find(self, text: str) -> ConfigNode | None:
        return self._by_text.get(text)

    def add(self, text: str) -> ConfigNode:
        node = ConfigNode(text)
        self.adopt(node)
        return node

    def adopt(self, node: ConfigNode) -> None:
        self.children.append(node)
        self._by_text[node.text] = node
        key = _singleton_key(node.text)
        if key:
            self._by_key[key] = node

    def find_or_add(self, text: str) -> ConfigNode:
        return self._by_text.get(text) or self.add(text)

    def set_line(self, text: str) -> None:
        """Add a line, or rewrite the one it supersedes (same hostname, same neighbor attribute)."""
        if text in self._by_text:
            return
        key = _singleton_key(text)
        old = self._by_key.get(key) if key else None
        if old is None or old.children:
            self.add(text)
            return
        del self._by_text[old.text]
        old.text = text
        self._by_text[text] = old

    def remove(self, what: str) -> None:
        """Remove the line `what` and every line that starts with it (`no neighbor X`)."""
        kept = [c for c in self.children if c.text != what and not c.text.startswith(what + " ")]
        if len(kept) != len(self.children):
            self.children = []
            self._by_text.clear()
            self._by_key.clear()
            for child in kept:
                self.adopt(child)

    def copy(self) -> ConfigNode:
        clone = ConfigNode(self.text)
        for child in self.children:
            clone.adopt(child.copy())
        return clone


class InvalidInput(Exception):
    """A command no configuration mode knows; `token` is the position of the word EOS
    points at (the first one)."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command
        self.token = 0


class ConfigEditor:
    """Applies CLI configuration commands, one at a time, to a configuration tree."""

    def __init__(self, root: ConfigNode) -> None:
        self.root = root
        self.path: list[ConfigNode] = [root]
        self.modes: list[str] = ["global"]

    def apply(self, command: str) -> None:
        """Apply one command; raises InvalidInput (and changes nothing) for one it does
        not know in the current mode or any enclosing one."""
        line = " ".join(command.split())
        if not line or line.startswith("!"):
            return
        if line in ("exit", "end"):
            keep = max(len(self.path) - 1, 1) if line == "exit" else 1
            del self.path[keep:], self.modes[keep:]
            return
        negated = line.startswith(("no ", "default "))
        body = line.split(" ", 1)[1] if negated else line
        for depth in range(len(self.modes) - 1, -1, -1):
            found = grammar.known(self.modes[depth], body, negated)
            if found is not None:
                break
        else:
            raise InvalidInput(line)
        del self.path[depth + 1 :], self.modes[depth + 1 :]
        if negated:
            self.path[-1].remove(body)
        elif found.enters:
            self.path.append(self.path[-1].find_or_add(body))
            self.modes.append(found.enters)
        else:
            self.path[-1].set_line(body)

    def apply_all(self, commands: Iterable[str]) -> None:
        for command in commands:
            self.apply(command)


# The order of `show running-config`: kinds of global command, then by name.
_ORDER = [
    re.compile(p)
    for p in (
        r"^service ",
        r"^hostname ",
        r"^ip domain-name ",
        r"^vrf instance ",
        r"^interface ",
        r"^ip routing",
        r"^ipv6 unicast-routing",
        r"^ip community-list ",
        r"^ip extcommunity-list ",
        r"^ip large-community-list ",
        r"^ip prefix-list ",
        r"^ipv6 prefix-list ",
        r"^route-map ",
        r"^router bgp ",
    )
]


def _running_order(node: ConfigNode) -> tuple[int, str, int]:
    kind = next((i for i, p in enumerate(_ORDER) if p.match(node.text)), len(_ORDER))
    if kind in (0, 1, 2, 4, 5, 6, len(_ORDER)):  # kept in the order entered
        return kind, "", 0
    words = node.text.split()
    sequence = int(words[3]) if words[0] == "route-map" and len(words) > 3 else 0
    name = words[2] if words[0] in ("vrf", "route-map") or "list" in words[1] else ""
    return kind, name if words[0] != "route-map" else words[1], sequence


def render_lines(root: ConfigNode) -> list[str]:
    """Configuration body in `show running-config` layout, without the header."""
    lines: list[str] = []
    previous_was_section = True
    for node in sorted(root.children, key=_running_order):
        if node.children:
            if not previous_was_section:
                lines.append("!")
            _render_section(node, 0, lines)
            lines.append("!")
            previous_was_section = True
        else:
            lines.append(node.text)
            previous_was_section = False
    if not previous_was_section:
        lines.append("!")
    lines.append("end")
    return lines


def _render_section(node: ConfigNode, depth: int, lines: list[str]) -> None:
    # Like EOS: a mode's own commands first, then its sub-modes.
    lines.append(INDENT * depth + node.text)
    lines.extend(INDENT * (depth + 1) + child.text for child in node.children if not child.children)
    for child in node.children:
        if child.children:
            lines.append(INDENT * (depth + 1) + "!")
            _render_section(child, depth + 1, lines)


def running_config_text(router: RouterInfo, root: ConfigNode) -> str:
    header = [
        "! Command: show running-config",
        f"! device: {router.hostname} ({router.model}, EOS-{EOS_VERSION})",
        "!",
    ]
    return "\n".join(header + render_lines(root)) + "\n"


def config_diff(running: ConfigNode, candidate: ConfigNode, session: str) -> str:
    """Unified diff in the layout of `show session-config named <s> diffs`; empty if equal."""
    diff = difflib.unified_diff(
        render_lines(running),
        render_lines(candidate),
        fromfile="system:/running-config",
        tofile=f"session:/{session}-session-config",
        lineterm="",
    )
    text = "\n".join(diff)
    return text + "\n" if text else ""


def initial_config(
    router: RouterInfo, sessions: Iterable[SessionInfo], vrfs: list[str]
) -> ConfigNode:
    """The configuration a router boots with: identity, interfaces, VRFs and its BGP sessions."""
    root = ConfigNode("")
    editor = ConfigEditor(root)
    editor.apply_all(
        [
            "service routing protocols model multi-agent",
            f"hostname {router.hostname}",
            f"ip domain-name {router.fqdn.split('.', 1)[1]}",
        ]
    )
    for vrf in vrfs[1:]:
        editor.apply_all([f"vrf instance {vrf}", "exit"])
    editor.apply_all(["interface Loopback0", f"ip address {router.router_id}/32", "exit"])
    editor.apply_all(["ip routing", *(f"ip routing vrf {vrf}" for vrf in vrfs[1:])])
    by_vrf: dict[str, list[SessionInfo]] = {vrf: [] for vrf in vrfs}
    for session in sessions:
        by_vrf[session.vrf].append(session)
    editor.apply_all([f"router bgp {router.local_as}", f"router-id {router.router_id}"])
    for vrf in vrfs:
        if vrf != "default":
            editor.apply_all([f"vrf {vrf}", f"router-id {router.router_id}"])
        editor.apply_all(_bgp_vrf_lines(by_vrf[vrf]))
    return root


def _bgp_vrf_lines(sessions: list[SessionInfo]) -> list[str]:
    lines = []
    for s in sessions:
        lines += [
            f"neighbor {s.neighbor_ip} remote-as {s.remote_as}",
            f"neighbor {s.neighbor_ip} description {s.description}",
            f"neighbor {s.neighbor_ip} route-map {s.import_policy} in",
            f"neighbor {s.neighbor_ip} route-map {s.export_policy} out",
        ]
        if s.admin_shutdown:
            lines.append(f"neighbor {s.neighbor_ip} shutdown")
    for family in (4, 6):
        members = [s for s in sessions if s.address_family == family]
        if members:
            lines.append(f"address-family ipv{family}")
            lines += [f"neighbor {s.neighbor_ip} activate" for s in members]
    return lines
