"""Merging a configuration snippet into FRR's running configuration.

The result is the running text with the snippet's lines added where FRR would
print them, lines it replaces or removes (`no ...`) taken out, and new contexts
added beside contexts of the same kind, so that a diff against the running
configuration shows just what changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from napalm_frr.config_text import Block, Line, normalize, parse, render_block

# Commands that hold one value per context: a merged line replaces the old one.
_SINGLE_VALUE = [
    re.compile(p)
    for p in (
        r"^(neighbor \S+ timers connect) ",
        r"^(neighbor \S+ (?:route-map|prefix-list|filter-list|distribute-list)) \S+ (in|out)$",
        r"^(neighbor \S+ (?:remote-as|description|password|update-source|ebgp-multihop"
        r"|ttl-security hops|timers|local-as|peer-group|port|advertisement-interval"
        r"|weight|allowas-in|maximum-prefix|solo|ttl-security))\b",
        r"^(bgp router-id|bgp cluster-id|bgp confederation identifier|timers bgp|hostname"
        r"|domainname|description|router-id|ip router-id|ospf router-id|netns)\b",
        r"^(set (?:local-preference|metric|weight|origin|tag|as-path prepend))\b",
        # a prefix-list entry is keyed by its list and sequence number
        r"^((?:ip|ipv6) prefix-list \S+ seq \d+) ",
    )
]

# Lists and route-maps, which FRR never prints in a `no` form: `no ip prefix-list NAME`
# removes the list (or `no ... seq N` one entry), `no route-map NAME` every entry of the
# route-map. When there is nothing to remove it has nothing to do, and is not a line of
# configuration to keep. Likewise `no neighbor X shutdown`: FRR prints an enabled
# neighbour without it, so it only takes away a `neighbor X shutdown` there is.
_REMOVE_ONLY = re.compile(
    r"^(?:(?:ip|ipv6) prefix-list|bgp as-path access-list|route-map"
    r"|bgp (?:large-|ext)?community-list(?: standard| expanded)?) \S+"
    r"|^neighbor \S+ shutdown$"
)


def single_value_key(text: str) -> str | None:
    """The part of a one-value command that names what it sets, e.g. `bgp router-id`."""
    for pattern in _SINGLE_VALUE:
        match = pattern.match(text)
        if match:
            return " ".join(group for group in match.groups() if group)
    return None


class _Edits:
    """Changes to the running text: deleted positions, and lines or new contexts added
    after a position (new contexts are rendered last, once every merged line is in)."""

    def __init__(self, running_text: str) -> None:
        self.source = running_text.splitlines()
        self.deleted: set[int] = set()
        self.added: dict[int, list[str | Block]] = {}

    def result(self) -> str:
        out = self._additions(-1)  # an empty running configuration has nothing to follow
        for index, line in enumerate(self.source):
            if index not in self.deleted:
                out.append(line)
            out += self._additions(index)
        return "\n".join(out) + "\n"

    def _additions(self, index: int) -> list[str]:
        out: list[str] = []
        for addition in self.added.get(index, []):
            out += _render_new(addition) if isinstance(addition, Block) else [addition]
        return out

    def add_after(self, index: int, addition: str | Block) -> None:
        self.added.setdefault(index, []).append(addition)

    def delete_line(self, line: Line) -> None:
        if line.index is not None:
            self.deleted.add(line.index)

    def delete_block(self, block: Block) -> int | None:
        """Deletes the context and the "!" after it; returns its last deleted position."""
        if block.start is None:
            return None
        last = max([block.start, *(line.index for line in _positions(block))])
        self.deleted.update(range(block.start, last + 1))
        # FRR prints a "!" after a context; it goes with the context
        after = last + 1
        if after < len(self.source) and normalize(self.source[after]) == "!":
            self.deleted.add(after)
            return after
        return last


def _render_new(block: Block) -> list[str]:
    """A context added by a merge, with FRR's separators around it."""
    if block.depth == 1:
        return [*render_block(block), "!"]
    return [" " * (block.depth - 1) + "!", *render_block(block)]


def _positions(block: Block) -> Iterator[Line]:
    """Every line of a context that has a position, exit lines included."""
    for item in block.items:
        if isinstance(item, Line) and item.index is not None:
            yield item
        elif isinstance(item, Block):
            yield from _positions(item)
            if item.end is not None:
                yield Line("exit", item.end)
    if block.end is not None:
        yield Line("exit", block.end)


def _shared_words(first: str, second: str) -> int:
    shared = 0
    for mine, theirs in zip(first.split(), second.split(), strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared


def _matches(text: str, target: str) -> bool:
    return text == target or text.startswith(target + " ")


class Merger:
    """Applies a snippet to a running configuration the way FRR would merge it."""

    def __init__(self, running_text: str) -> None:
        self.tree = parse(running_text)
        self.edits = _Edits(running_text)
        self.top_end = self._before_end(self.edits.source)
        # What `no <target>` lines removed, and where: a line or context of the snippet that
        # restates it goes back there, so that a list or route-map stated whole shows in a
        # diff only where it changed.
        self.removed: list[tuple[str, int]] = []

    @staticmethod
    def _before_end(lines: list[str]) -> int:
        """Top-level additions go before the final `end` line."""
        for index in range(len(lines) - 1, -1, -1):
            if normalize(lines[index]) == "end":
                return index - 1
        return len(lines) - 1

    def merge(self, snippet_text: str) -> str:
        self._merge_block(self.tree, parse(snippet_text))
        return self.edits.result()

    def _merge_block(self, running: Block, snippet: Block) -> None:
        for item in snippet.items:
            if isinstance(item, Line):
                self._merge_line(running, item.text)
                continue
            existing = running.find_block(item.header or "")
            if existing is not None:
                self._merge_block(existing, item)
                continue
            new = Block(item.header, running.depth + 1, item.keywords)
            running.items.append(new)
            if running.start is not None or running.header is None:
                anchor = self._removed_anchor(item.header or "")
                if anchor is None:
                    anchor = self._block_anchor(running, new)
                self.edits.add_after(anchor, new)
            self._merge_block(new, item)

    def _merge_line(self, running: Block, text: str) -> None:
        if text.startswith("no ") and (
            self._remove(running, text[3:]) or _REMOVE_ONLY.match(text[3:])
        ):
            return
        if running.has_line(text):
            return
        key = single_value_key(text)
        replaced: int | None = None
        for line in list(running.lines()):
            if line.text == f"no {text}" or (key and single_value_key(line.text) == key):
                self.edits.delete_line(line)
                running.items.remove(line)
                replaced = line.index if replaced is None else replaced
        anchor = replaced if replaced is not None else self._removed_anchor(text)
        if anchor is None:
            anchor = self._line_anchor(running, text)
        running.items.append(Line(text))
        if anchor is not None:
            self.edits.add_after(anchor, " " * running.depth + text)

    def _removed_anchor(self, text: str) -> int | None:
        """Where the last thing a `no` line removed and `text` restates was; None if none."""
        places = [index for target, index in self.removed if _matches(text, target)]
        return max(places) if places else None

    def _line_anchor(self, block: Block, text: str) -> int | None:
        """After the existing line most like the new one; None inside a new context."""
        if block.header is not None and block.start is None:
            return None
        best: tuple[int, int] | None = None
        for line in block.lines():
            if line.index is not None and line.index not in self.edits.deleted:
                shared = _shared_words(text, line.text)
                if best is None or shared >= best[0]:
                    best = (shared, line.index)
        if best is not None and (best[0] > 0 or block.header is not None):
            return best[1]
        if block.header is None:
            return self.top_end
        return block.start

    def _block_anchor(self, parent: Block, new: Block) -> int:
        if parent.header is None:
            kind = (new.header or "").split()[0]
            same = [
                b.end
                for b in parent.blocks()
                if b.end is not None and (b.header or "").split()[0] == kind
            ]
            if not same:
                return self.top_end
            anchor = same[-1]
            following = anchor + 1
            if following < len(self.edits.source) and (
                normalize(self.edits.source[following]) == "!"
            ):
                anchor = following
            return anchor
        inner = [line.index for line in _positions(parent) if line.index != parent.end]
        return max(inner) if inner else (parent.start or 0)

    def _remove(self, running: Block, target: str) -> bool:
        """Delete what `no <target>` removes; False when nothing matched."""
        removed = False
        for item in list(running.items):
            text = item.text if isinstance(item, Line) else item.header or ""
            if not _matches(text, target):
                continue
            if isinstance(item, Line):
                self.edits.delete_line(item)
                place = item.index
            else:
                place = self.edits.delete_block(item)
            if place is not None:
                self.removed.append((target, place))
            running.items.remove(item)
            removed = True
        if removed and target.startswith("neighbor "):
            # a removed neighbour takes its address-family settings with it
            for child in _descendants(running):
                self._remove(child, target)
        return removed


def _descendants(block: Block) -> Iterator[Block]:
    for child in block.blocks():
        yield child
        yield from _descendants(child)


def merge(running_text: str, snippet_text: str) -> str:
    """The configuration that results from merging a snippet into the running one."""
    return Merger(running_text).merge(snippet_text)
