"""Keep secrets out of what people read: configurations, diffs, errors and logs.

Masking is learned from the template, not from a list of password syntaxes. The template
is rendered twice more with every secret slot of the context (every session's password,
set or not) holding a stand-in: two stand-ins that differ at every non-blank position and keep the
secret's shape (letters, digits, punctuation, spaces where the secret has them), so a
template that slices or transforms a password renders both. Where the two renders differ
is where a secret, in whatever form the template derives from it, reaches the text:

- each such line gives a *shape*: the text around the secret with addresses and numbers
  generalised (`neighbor \\S+ password <secret>`). Any line of a router's diff or
  message with that shape is masked, so the previous password on a removed line is
  masked too, and so is the line of a session that has no password any more;
- the real render's text at those places, and every secret itself, are masked wherever
  they appear (an error message that quotes the candidate, say).
"""

from __future__ import annotations

import hmac
import random
import re
import secrets
import socket
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from core.secrets import quoted_forms

MASK = "********"
# A generic stand-in for an empty secret slot (a session without a password).
_GENERIC_SECRET = "Pk7secret4mask2"
# Masked derived text shorter than this is left (one or two characters say nothing).
_MIN_LITERAL = 3
_PUNCTUATION = "!#%&*+-./:=?@^_~"


_ALPHABETS = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
# Stand-ins are drawn with this process's own key: the same secret gets the same
# stand-ins (templates that group or compare sessions by password render alike), and
# without the key, which is never shown, a stand-in says nothing of its secret.
_KEY = secrets.token_bytes(32)


def stand_ins(secret: str | None) -> tuple[str, str]:
    """Two stand-ins with the shape of `secret`: letters stay letters (same case), digits
    digits, white space as it is; any other character becomes a punctuation mark. Every
    other character is drawn, unlike the secret's and the other stand-in's. The same
    secret gives the same pair in one process; one derived from the secret itself (a
    shift along the alphabet, say) could be undone from an error that quotes it."""
    text = secret or _GENERIC_SECRET
    draw = random.Random(hmac.digest(_KEY, text.encode("utf-8", "surrogatepass"), "sha256"))
    first, second = [], []
    for character in text:
        if character.isspace():
            first.append(character)
            second.append(character)
            continue
        alphabet = next((a for a in _ALPHABETS if character in a), _PUNCTUATION)
        one = draw.choice([c for c in alphabet if c != character])
        first.append(one)
        second.append(draw.choice([c for c in alphabet if c not in (character, one)]))
    return "".join(first), "".join(second)


@dataclass(frozen=True)
class Masker:
    """Masks secrets in text: `shapes` (multi-line patterns, one line each), then
    `literals` anywhere."""

    shapes: tuple[re.Pattern[str], ...] = ()
    literals: tuple[str, ...] = ()

    def mask(self, text: str) -> str:
        for shape in self.shapes:
            text = shape.sub(rf"\g<before>{MASK}\g<after>", text)
        for literal in self.literals:
            text = text.replace(literal, MASK)
        return text

    def with_literals(self, secrets: Iterable[str | None]) -> Masker:
        """The same masker that also masks these values (a router's own password), also
        as a program quotes them (escaped by repr() or JSON)."""
        extra = {form for s in secrets if s for form in quoted_forms(s)} - set(self.literals)
        if not extra:
            return self
        literals = sorted({*self.literals, *extra}, key=len, reverse=True)
        return Masker(self.shapes, tuple(literals))


def literal_masker(secrets: Iterable[str | None]) -> Masker:
    """Masks only these exact values: when no shape could be learned."""
    return Masker().with_literals(secrets)


# Where a secret is in a line of the stand-in render: the text before and after it.
_Surrounding = tuple[str, str]
# Real lines the stand-in render did not explain, beyond which learning gives up (a
# template whose every line depends on a password's value).
_MAX_UNEXPLAINED = 200


@dataclass(frozen=True)
class Learned:
    """What the stand-in renders taught: the masker for what a router says about this
    configuration, and the configuration as people may read it (each secret replaced
    where it stands, whatever its length)."""

    masker: Masker
    masked_text: str


def learn(real: str, shape_a: str, shape_b: str, secrets: Iterable[str | None]) -> Learned | None:
    """Learn from `real`, the text pushed to the router, and `shape_a` / `shape_b`, the
    renders with stand-ins of variants 0 and 1. None when the renders cannot be lined up
    (the template renders differently for the real passwords): mask the passwords
    themselves then. Linear in the number of lines."""
    a_lines, b_lines, real_lines = shape_a.splitlines(), shape_b.splitlines(), real.splitlines()
    if len(a_lines) != len(b_lines):
        return None
    secret_lines = _secret_lines(a_lines, b_lines)
    patterns = {_shape(*surrounding) for surrounding in secret_lines.values()}
    shapes = tuple(re.compile(p, re.MULTILINE) for p in sorted(patterns - {None}))  # type: ignore[arg-type]
    aligned = _align(a_lines, secret_lines, real_lines)
    if aligned is None:
        return None
    literals = {s for s in secrets if s}
    shown = list(real_lines)
    for index, surrounding in aligned.items():
        line = real_lines[index]
        if surrounding is None:  # a line only the real passwords render: all of it
            derived = line.strip()
            shown[index] = line[: len(line) - len(line.lstrip())] + MASK
        else:
            before, after = surrounding
            derived = line[len(before) : len(line) - len(after)].strip()
            shown[index] = before + MASK + after
        if len(derived) >= _MIN_LITERAL:
            literals.add(derived)
    ending = "\n" if real.endswith("\n") else ""
    masker = Masker(shapes).with_literals(literals)
    return Learned(masker, masker.mask("\n".join(shown) + ending))


def derived_forms(variant: str, real: str) -> set[str]:
    """What `variant`, a render with other passwords in some slots, has where `real` has
    the current ones: the forms the template gives those other passwords."""
    variant_lines, real_lines = variant.splitlines(), real.splitlines()
    if len(variant_lines) != len(real_lines):
        known = set(real_lines)
        return {line.strip() for line in variant_lines if line not in known} - {""}
    forms = set()
    for line, real_line in zip(variant_lines, real_lines, strict=True):
        if line != real_line:
            start, end = _differing_span(line, real_line)
            forms.add(line[start:end].strip())
    return {form for form in forms if len(form) >= _MIN_LITERAL}


def _secret_lines(a_lines: list[str], b_lines: list[str]) -> dict[int, _Surrounding]:
    """The lines of the stand-in renders that hold a secret, by index, with the text
    around it (the renders have as many lines)."""
    found = {}
    for index, (a_line, b_line) in enumerate(zip(a_lines, b_lines, strict=True)):
        if a_line != b_line:
            start, end = _differing_span(a_line, b_line)
            found[index] = (a_line[:start], a_line[end:])
    return found


def _surrounds(line: str, surrounding: _Surrounding) -> bool:
    before, after = surrounding
    return len(line) > len(before) + len(after) and line.startswith(before) and line.endswith(after)


def _align(
    a_lines: list[str], secret_lines: dict[int, _Surrounding], real_lines: list[str]
) -> dict[int, _Surrounding | None] | None:
    """The real lines that hold a secret, by index: with the surrounding of the stand-in
    line they stand for, or None for a line the stand-ins did not render at all.

    The real render is the stand-in render less the secret lines of sessions without a
    secret: one walk along both finds them. A real line equal to the next plain stand-in
    line is that line (the secret lines before it were not rendered), even when a secret
    line's surrounding (empty, say) would also fit. None when more than a few real lines
    are not in the stand-in render (it renders differently for the real passwords)."""
    next_plain = [len(a_lines)] * (len(a_lines) + 1)
    for index in range(len(a_lines) - 1, -1, -1):
        next_plain[index] = next_plain[index + 1] if index in secret_lines else index
    found: dict[int, _Surrounding | None] = {}
    unexplained = 0
    i = 0
    for index, line in enumerate(real_lines):
        plain = next_plain[i]
        if plain < len(a_lines) and a_lines[plain] == line:
            i = plain + 1
            continue
        fitting = next((j for j in range(i, plain) if _surrounds(line, secret_lines[j])), None)
        if fitting is not None:
            found[index] = secret_lines[fitting]
            i = fitting + 1
            continue
        found[index] = None  # only the real passwords render this line
        unexplained += 1
        if unexplained > _MAX_UNEXPLAINED:
            return None
    return found


def _differing_span(first: str, second: str) -> tuple[int, int]:
    """(start, end) in `first` of the part between the common prefix and suffix."""
    limit = min(len(first), len(second))
    start = 0
    while start < limit and first[start] == second[start]:
        start += 1
    end = 0
    while end < limit - start and first[-1 - end] == second[-1 - end]:
        end += 1
    return start, len(first) - end


def _shape(before: str, after: str) -> str | None:
    """The regular expression of a secret between `before` and `after` on one line, or
    None when the text before it has no word to anchor on (it would match every line)."""
    before_tokens = before.split()
    if not any(_is_word(token) for token in before_tokens):
        return None
    head = r"[ \t]+".join(_generalised(token) for token in before_tokens)
    if before[-1:].isspace():
        head += r"[ \t]+"
    tail = r"[ \t]+".join(_generalised(token) for token in after.split())
    if after[:1].isspace() and tail:
        tail = r"[ \t]+" + tail
    # What follows the text after the secret is kept: a router may append to the line
    # (Junos writes `## SECRET-DATA`).
    rest = r"[^\n]*" if tail else r"[ \t\r]*"
    return rf"(?P<before>(?<!\S){head})(?P<secret>\S[^\n]*?)(?P<after>{tail}{rest})$"


@lru_cache(maxsize=4096)
def _is_value(token: str) -> bool:
    """Addresses (with or without a prefix length) and numbers differ from session to
    session: they are generalised. (inet_pton: a thousand times cheaper than ipaddress.)"""
    address, _, length = token.partition("/")
    if length and not length.isdigit():
        return False
    if address.isdigit():
        return not length
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, address)
        except OSError:
            continue
        return True
    return False


def _is_word(token: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2}", token)) and not _is_value(token)


def _generalised(token: str) -> str:
    return r"\S+" if _is_value(token) else re.escape(token)
