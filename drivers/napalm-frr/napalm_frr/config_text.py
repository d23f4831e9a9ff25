"""FRR configuration text: the banner, contexts (parsing and printing), secrets.

The context rules follow FRR's own: a line opens a context when it starts with
a keyword FRR knows as a node at that level (`router bgp`, `address-family`,
`route-map`, ...); `exit*` closes one context and `end` closes all of them.
frr-reload.py reads a configuration the same way, so a merged candidate built
from these contexts is interpreted identically when it is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Nodes FRR configuration can nest, by the keyword that opens them.
CONTEXT_KEYWORDS: dict[str, dict] = {
    "router bgp ": {
        "address-family ": {"vni ": {}},
        "vnc defaults": {},
        "vnc nve-group ": {},
        "vnc l2-group ": {},
        "vrf-policy ": {},
        "bmp targets ": {},
        "segment-routing srv6": {},
    },
    "router rip": {},
    "router ripng": {},
    "router isis ": {},
    "router openfabric ": {},
    "router ospf": {},
    "router ospf6": {},
    "router eigrp ": {},
    "router babel": {},
    "mpls ldp": {"address-family ": {"interface ": {}}},
    "l2vpn ": {"member pseudowire ": {}},
    "key chain ": {"key ": {}},
    "vrf ": {},
    "interface ": {"link-params": {}},
    "pseudowire ": {},
    "segment-routing": {
        "traffic-eng": {
            "segment-list ": {},
            "policy ": {"candidate-path ": {}},
            "pcep": {"pcc": {}, "pce ": {}, "pce-config ": {}},
        },
        "srv6": {"locators": {"locator ": {}}},
    },
    "nexthop-group ": {},
    "route-map ": {},
    "pbr-map ": {},
    "rpki": {},
    "bfd": {"peer ": {}, "profile ": {}},
    "line vty": {},
}

HEADER_LINES = ("Building configuration...", "Current configuration:")


def normalize(line: str) -> str:
    """One line with surrounding blanks removed and inner runs of blanks collapsed."""
    return " ".join(line.split())


def strip_header(text: str) -> str:
    """Drop the banner `show running-config` prints before the configuration (and the
    "!" after it), giving what `show running-config no-header` prints."""
    lines = text.splitlines()
    had_header = False
    while lines and (not lines[0].strip() or lines[0].strip() in HEADER_LINES):
        had_header = had_header or bool(lines[0].strip())
        lines.pop(0)
    while had_header and lines and lines[0].strip() == "!":
        lines.pop(0)
    return "\n".join(lines) + "\n" if lines else ""


@dataclass
class Line:
    text: str
    index: int | None = None  # position in the parsed text, None for added lines


@dataclass
class Block:
    header: str | None  # None for the top level
    depth: int = 0
    keywords: dict = field(default_factory=dict)
    items: list[Line | Block] = field(default_factory=list)
    start: int | None = None  # index of the header line
    end: int | None = None  # index of the line that closed the context

    def lines(self) -> Iterator[Line]:
        return (item for item in self.items if isinstance(item, Line))

    def blocks(self) -> Iterator[Block]:
        return (item for item in self.items if isinstance(item, Block))

    def find_block(self, header: str) -> Block | None:
        return next((b for b in self.blocks() if b.header == header), None)

    def has_line(self, text: str) -> bool:
        return any(line.text == text for line in self.lines())


def _opens_context(text: str, keywords: dict) -> dict | None:
    for keyword, children in keywords.items():
        if text.startswith(keyword) or text == keyword.strip():
            # pathd's "candidate-path ... explicit ..." is a command, not a node
            if keyword == "candidate-path " and " explicit " in f" {text} ":
                return None
            return children
    return None


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" "))


def parse(text: str) -> Block:
    """Parse configuration text into nested contexts that remember line positions."""
    root = Block(header=None, keywords=CONTEXT_KEYWORDS)
    stack: list[tuple[Block, int, int | None]] = [(root, -1, None)]  # block, indent, body indent
    for index, raw in enumerate(text.splitlines()):
        text_line = normalize(raw)
        if not text_line or text_line.startswith(("!", "#")) or text_line in HEADER_LINES:
            continue
        if text_line == "end":
            while len(stack) > 1:
                stack.pop()[0].end = index
            continue
        if text_line.startswith("exit"):
            if len(stack) > 1:
                stack.pop()[0].end = index
            continue
        # An old-style context (closed by "!" only) ends at a line indented no deeper
        # than its header.
        while len(stack) > 1:
            _, header_indent, body_indent = stack[-1]
            if body_indent is not None and body_indent > header_indent >= _indent(raw):
                stack.pop()
                continue
            break
        parent, header_indent, body_indent = stack[-1]
        if body_indent is None and parent.header is not None:
            stack[-1] = (parent, header_indent, _indent(raw))
        children = _opens_context(text_line, parent.keywords)
        if children is not None:
            block = Block(text_line, parent.depth + 1, children, start=index)
            parent.items.append(block)
            stack.append((block, _indent(raw), None))
        else:
            parent.items.append(Line(text_line, index))
    return root


def _exit_word(header: str, depth: int) -> str:
    if header.startswith("address-family "):
        return "exit-address-family"
    if header.startswith("vrf ") and depth == 1:
        return "exit-vrf"
    if header.startswith("vnc "):
        return "exit-vnc"
    return "exit"


def render_block(block: Block) -> list[str]:
    """A context as FRR prints it: indented one blank per level, closed by its exit word."""
    pad = " " * (block.depth - 1)
    out = [f"{pad}{block.header}"]
    out += [f"{pad} {line.text}" for line in block.lines()]
    for child in block.blocks():
        out.append(f"{pad} !")
        out += render_block(child)
    out.append(f"{pad}{_exit_word(block.header or '', block.depth)}")
    return out


_SECRETS = [
    (re.compile(r"^(\s*neighbor \S+ password )\S.*$"), r"\1<removed>"),
    (re.compile(r"^(\s*(?:enable )?password )\S.*$"), r"\1<removed>"),
    (re.compile(r"^(\s*key-string )\S.*$"), r"\1<removed>"),
    (re.compile(r"^(\s*ip ospf authentication-key )\S.*$"), r"\1<removed>"),
    (re.compile(r"^(\s*ip ospf message-digest-key \d+ md5 )\S.*$"), r"\1<removed>"),
    (
        re.compile(r"^(\s*ipv6 ospf6 authentication key-id \d+ hash-algo \S+ key )\S.*$"),
        r"\1<removed>",
    ),
    (
        re.compile(r"^(\s*(?:isis password|area-password|domain-password) (?:clear|md5) )\S.*$"),
        r"\1<removed>",
    ),
    (re.compile(r"^(\s*tcp-md5-password )\S.*$"), r"\1<removed>"),
]


def sanitize(text: str) -> str:
    """The configuration with passwords and keys replaced by `<removed>`."""
    out = []
    for line in text.splitlines():
        for pattern, replacement in _SECRETS:
            if pattern.match(line):
                line = pattern.sub(replacement, line)
                break
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
