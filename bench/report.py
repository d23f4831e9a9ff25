"""Printing benchmark figures: aligned tables and one-line notes, plus a JSON record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns right-aligned except the first, two spaces apart."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for row in [headers, *rows]:
        cells = [
            str(cell).ljust(width) if n == 0 else str(cell).rjust(width)
            for n, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def heading(text: str) -> str:
    return f"\n{text}\n{'=' * len(text)}"


class Record:
    """Figures of one benchmark run, written as JSON for `python -m bench all`'s summary."""

    def __init__(self, benchmark: str, database: str) -> None:
        self.data: dict[str, Any] = {"benchmark": benchmark, "database": database}

    def add(self, key: str, value: Any) -> None:
        self.data[key] = value

    def write(self, path: Path | None) -> None:
        if path is not None:
            path.write_text(json.dumps(self.data, indent=2, default=str))
