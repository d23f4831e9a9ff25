"""Request body parsers: JSON that no field here can take whatever its place (nested too
deeply, a string holding a lone UTF-16 surrogate such as `"\\ud800"`, a number past 64 bits
or overflowing to infinity) is a 400 naming the field that holds it, not a 500."""

from __future__ import annotations

import math
from typing import Any

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser as BaseJSONParser

# Integers a database here stores and compares: signed 64-bit.
INTEGER_BOUND = 2**63


def unreadable(data: Any) -> str | None:
    """Why parsed JSON holds a value nothing here can take, or None. A lone surrogate
    (JSON's `\\ud800` escape alone) is no character: it can be neither stored as UTF-8 nor
    written back in a response; an integer past 64 bits is no id, count or AS number, and
    no database can even compare it; 1e999 is read as infinity, which JSON has no place
    for. Walked without recursion: the nesting may be deep."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return (
                    "a string holds a lone surrogate (an escape such as \\ud800 without its "
                    "pair), which is not text"
                )
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not -INTEGER_BOUND <= value < INTEGER_BOUND:
            return "a whole number is past 64 bits, larger than any value here"
        elif isinstance(value, float) and not math.isfinite(value):
            return "a number is too large to represent (such as 1e999)"
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return None


class JSONParser(BaseJSONParser):
    """DRF's JSON parser; a body nested deeper than Python's parser goes (RecursionError)
    is malformed input like any other, and one holding a value nothing here can take
    (`unreadable`) is refused naming the field that holds it (`{"asn": ["…"]}`)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if isinstance(data, dict):
            errors = {}
            for name, value in data.items():
                reason = unreadable(name) or unreadable(value)
                if reason:
                    errors[name.encode("utf-8", "backslashreplace").decode()] = [f"{reason}."]
            if errors:
                raise ValidationError(errors)
        else:
            reason = unreadable(data)
            if reason:
                raise ParseError(f"JSON parse error - {reason}.")
        return data
