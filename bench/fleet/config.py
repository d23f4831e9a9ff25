"""Running configuration of an emulated router, and a naive EOS-like CLI editor.

The configuration is a tree of lines (sections hold indented lines). The
editor applies flat commands as eAPI receives them (NAPALM strips the
indentation), guessing the mode from a few well-known section keywords. It is
deliberately simple: enough to merge, replace and diff realistic BGP peering
configuration, not a full EOS parser.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bench.fleet.model import EOS_VERSION, RouterInfo, SessionInfo

INDENT = "   "

_TOP_SECTION = re.compile(
    r"^(interface \S+|router \S+|route-map \S+ (permit|deny) \d+|ip(v6)? prefix-list \S+$"
    r"|ip(v6)? access-list |vrf instance |management |peer-filter |daemon |policy-map |class-map )"
)
# Single-line global commands: they leave any section the editor is in.
_TOP_LINE = re.compile(
    r"^(hostname|ip routing|ipv6 unicast-routing|ip(v6)? route |ip(v6)? prefix-list \S+ seq "
    r"|ip (community|extcommunity|large-community)-list |ip as-path |ip domain-name|ip name-server"
    r"|ntp |logging |username |service |spanning-tree |snmp-server |dns |clock |aaa )"
)
_BGP_VRF = re.compile(r"^vrf \S+$")
_ADDRESS_FAMILY = re.compile(r"^address-family ")

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


class ConfigEditor:
    """Applies CLI configuration commands, one at a time, to a configuration tree."""

    def __init__(self, root: ConfigNode) -> None:
        self.root = root
        self.path: list[ConfigNode] = [root]

    def apply(self, command: str) -> None:
        line = " ".join(command.split())
        if not line or line.startswith("!"):
            return
        if line == "exit":
            if len(self.path) > 1:
                self.path.pop()
            return
        if line == "end":
            self.path = [self.root]
            return
        if _TOP_SECTION.match(line):
            self.path = [self.root, self.root.find_or_add(line)]
            return
        if _TOP_LINE.match(line):
            self.path = [self.root]
        in_bgp = len(self.path) > 1 and self.path[1].text.startswith("router bgp ")
        if in_bgp and _BGP_VRF.match(line):
            self.path = [*self.path[:2], self.path[1].find_or_add(line)]
            return
        if in_bgp and _ADDRESS_FAMILY.match(line):
            parent = (
                self.path[2] if len(self.path) > 2 and _BGP_VRF.match(self.path[2].text) else None
            )
            self.path = self.path[:3] if parent else self.path[:2]
            self.path.append(self.path[-1].find_or_add(line))
            return
        if line.startswith(("no ", "default ")):
            self._remove(line.split(" ", 1)[1])
            return
        self.path[-1].set_line(line)

    def apply_all(self, commands: Iterable[str]) -> None:
        for command in commands:
            self.apply(command)

    def _remove(self, what: str) -> None:
        # `no router bgp 1` removes a whole section whatever mode the editor is in.
        node = self.root if _TOP_SECTION.match(what) else self.path[-1]
        node.remove(what)


def render_lines(root: ConfigNode) -> list[str]:
    """Configuration body in `show running-config` layout, without the header."""
    lines: list[str] = []
    previous_was_section = True
    for node in root.children:
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
