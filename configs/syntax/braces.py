"""The least check of a configuration in braces (BIRD, for one): every `{` is closed,
no `}` closes nothing, no "string" is left open. Knows no statement."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|/\*.*?\*/|#[^\n]*|[{}"]', re.S)


def check(text: str) -> list[str]:
    """The problems of `text`: unbalanced braces or an unclosed string, each naming its line."""
    problems: list[str] = []
    opened: list[int] = []
    for match in _TOKEN.finditer(text):
        token, line = match.group(0), text.count("\n", 0, match.start()) + 1
        if token == "{":
            opened.append(line)
        elif token == "}":
            if opened:
                opened.pop()
            else:
                problems.append(f"line {line}: a '}}' closes nothing")
        elif token == '"':
            problems.append(f"line {line}: a string is never closed")
    problems.extend(f"line {line}: a '{{' is never closed" for line in opened)
    return problems
