"""A structural check of Junos configuration in curly-brace form (`show configuration`).

It reads the text into statements (words up to `;`, or up to `{` for a block, with
"quoted strings", `[ lists ]`, /* comments */ and the `replace:` / `inactive:` tags),
then checks that braces balance, every statement ends with `;`, and that each statement
is one the schema below knows at its place, with its arguments' shape: the hierarchy
configs/platforms/junos.j2 writes (policy-options and protocols bgp, after the Junos
OS CLI User Guide and Routing Policies guide). It is not Junos's own schema: a statement
outside that hierarchy is reported as unknown, and values are checked by shape only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PREFIX = r"[0-9A-Fa-f:.]+/\d{1,3}"
ADDRESS = r"[0-9A-Fa-f:.]+"
NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
NUMBER = r"\d+"
QUOTED = r'"(?:[^"\\]|\\.)*"'
TEXT = rf"(?:{QUOTED}|\S+)"
LIST = rf"\[(?: {NAME})+ \]"


@dataclass(frozen=True)
class Rule:
    """A statement: `leaf` the shape of its arguments as a one-line statement (None: it
    is a block only); `named` a block that takes a name; `children` what a block holds."""

    leaf: str | None = None
    named: bool = False
    children: dict[str, Rule] | None = None


def block(children: dict[str, Rule], named: bool = False, leaf: str | None = None) -> Rule:
    return Rule(leaf, named, children)


_ROUTE_FILTER = r"(?:exact|orlonger|longer|upto /\d+|prefix-length-range /\d+-/\d+)"
_FROM = {
    "family": Rule(r"inet6?"),
    "community": Rule(rf"(?:{NAME}|{LIST})"),
    "route-filter-list": Rule(NAME),
    "prefix-list": Rule(NAME),
    "protocol": Rule(NAME),
}
_THEN = {
    "accept": Rule(""),
    "reject": Rule(""),
    "next": Rule("(?:policy|term)"),
    "local-preference": Rule(NUMBER),
    "community": Rule(rf"(?:add|set|delete) {NAME}"),
    "as-path-prepend": Rule(r'"\d+(?: \d+)*"'),
}
_THEN_LEAF = rf"(?:accept|reject|next (?:policy|term)|community (?:add|set|delete) {NAME})"
_FROM_LEAF = (
    rf"(?:family inet6?|community (?:{NAME}|{LIST})|(?:route-filter-list|prefix-list) {NAME})"
)
_TERM = {"from": block(_FROM, leaf=_FROM_LEAF), "then": block(_THEN, leaf=_THEN_LEAF)}
_NEIGHBOR = {
    "description": Rule(TEXT),
    "peer-as": Rule(NUMBER),
    "local-as": Rule(rf"{NUMBER}(?: private| alias)?(?: no-prepend-global-as)?"),
    "local-address": Rule(ADDRESS),
    "authentication-key": Rule(TEXT),
    "multihop": block({"ttl": Rule(NUMBER)}, leaf=""),
    "import": Rule(rf"(?:{NAME}|{LIST})"),
    "export": Rule(rf"(?:{NAME}|{LIST})"),
    "family": block(
        {
            "unicast": block(
                {"prefix-limit": block({"maximum": Rule(NUMBER), "teardown": Rule("")})},
                leaf="",
            )
        },
        named=True,
    ),
    "shutdown": Rule(""),
}
_GROUP = {
    "type": Rule("(?:external|internal)"),
    "neighbor": block(_NEIGHBOR, named=True),
    **{k: v for k, v in _NEIGHBOR.items() if k not in ("peer-as", "local-address")},
}
_BGP = block({"group": block(_GROUP, named=True)})
SCHEMA: dict[str, Rule] = {
    "policy-options": block(
        {
            "route-filter-list": block({"*": Rule(rf"{PREFIX} {_ROUTE_FILTER}")}, named=True),
            "prefix-list": block({"*": Rule(PREFIX)}, named=True),
            "community": block({"members": Rule(rf"(?:{TEXT}|{LIST})")}, named=True),
            "policy-statement": block({"term": block(_TERM, named=True), **_TERM}, named=True),
        }
    ),
    "protocols": block({"bgp": _BGP}),
    "routing-instances": block(
        {"*": block({"instance-type": Rule(NAME), "protocols": block({"bgp": _BGP})})}
    ),
}

_TOKEN = re.compile(rf"\s*({QUOTED}|/\*.*?\*/|\[[^\]]*\]|[{{}};]|[^\s{{}};]+)", re.S)


@dataclass
class _Statement:
    words: list[str]
    line: int
    children: list[_Statement] | None = None
    parent: _Statement | None = field(default=None, repr=False)


def _statements(text: str, problems: list[str]) -> list[_Statement]:
    """The text as a tree of statements; structure errors go to `problems`."""
    root = _Statement([], 0, [])
    current, words, line, position = root, [], 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group(1)
        line += text.count("\n", position, match.start(1))
        position = match.start(1)
        if token.startswith("/*"):
            continue
        if token in ("replace:", "inactive:") and not words:
            continue
        if token == ";":
            current.children.append(_Statement(words, line, None, current))  # type: ignore[union-attr]
            words = []
        elif token == "{":
            node = _Statement(words, line, [], current)
            current.children.append(node)  # type: ignore[union-attr]
            current, words = node, []
        elif token == "}":
            if words:
                problems.append(f"line {line}: “{' '.join(words)}” does not end with ';'")
                words = []
            if current.parent is None:
                problems.append(f"line {line}: a '}}' closes nothing")
            else:
                current = current.parent
        else:
            words.append(" ".join(token.split()))
    if words:
        problems.append(f"line {line}: “{' '.join(words)}” does not end with ';'")
    while current.parent is not None:
        problems.append(f"line {current.line}: “{' '.join(current.words)} {{” is never closed")
        current = current.parent
    return root.children or []


_EXTENDED = re.compile(r"(?:target|origin):([^:]+):\d+")


def _member_problem(member: str) -> str | None:
    """Why a community member is wrong: Junos takes an extended community whose AS number
    needs 4 bytes only with the L suffix (`target:4200000000L:100`)."""
    extended = _EXTENDED.fullmatch(member)
    if extended and extended.group(1).isdigit() and int(extended.group(1)) > 65535:
        return f"“{member}”: a 4-byte AS number takes the L suffix ({extended.group(1)}L)"
    return None


def _check(statements: list[_Statement], schema: dict[str, Rule], problems: list[str]) -> None:
    for statement in statements:
        keyword, rest = statement.words[0], statement.words[1:]
        if keyword == "members":
            for member in " ".join(rest).strip("[] ").split():
                problem = _member_problem(member.strip('"'))
                if problem:
                    problems.append(f"line {statement.line}: {problem}")
        rule = schema.get(keyword) or schema.get("*")
        if keyword not in schema and rule is not None:
            rest = statement.words  # "*": the statement is all argument (a name, an entry)
        if rule is None:
            problems.append(f"line {statement.line}: unknown statement “{keyword}” here")
            continue
        arguments = " ".join(rest)
        if statement.children is None:
            if rule.leaf is None or not re.fullmatch(rule.leaf, arguments):
                problems.append(f"line {statement.line}: “{' '.join(statement.words)}” is invalid")
            continue
        if rule.children is None or len(rest) != (1 if rule.named else 0):
            problems.append(f"line {statement.line}: “{' '.join(statement.words)} {{” is invalid")
            continue
        _check(statement.children, rule.children, problems)


def check(text: str) -> list[str]:
    """The problems of Junos curly-brace configuration `text` (see the module's doc)."""
    problems: list[str] = []
    statements = _statements(text, problems)
    _check(statements, SCHEMA, problems)
    return problems
