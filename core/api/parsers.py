"""Request body parsers: JSON that cannot be read as text (nested too deeply, or holding a
lone UTF-16 surrogate such as `"\\ud800"`) is a 400, not a 500."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser


def has_lone_surrogate(data: Any) -> bool:
    """Whether a string anywhere in parsed JSON (keys included) holds a lone surrogate:
    JSON's `\\ud800` escape alone, which is no character, cannot be stored as UTF-8 nor
    written back in a response. Walked without recursion: the nesting may be deep."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class JSONParser(BaseJSONParser):
    """DRF's JSON parser; a body nested deeper than Python's parser goes (RecursionError),
    or a string that is not text, is malformed input like any other."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if has_lone_surrogate(data):
            raise ParseError(
                "JSON parse error - a string holds a lone surrogate (an escape such as "
                "\\ud800 without its pair), which is not text."
            )
        return data
