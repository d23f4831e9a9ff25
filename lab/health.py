"""Which of a lab's daemons died, how, and what each one last wrote to its log.

A daemon that exits says why only in its own log (sshd: "Missing privilege separation
directory"), so every report of a dead daemon quotes the end of that log.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

LOG_LINES = 5
LOG_LINE_WIDTH = 300


@dataclass(frozen=True)
class DeadDaemon:
    router: str
    daemon: str
    how: str  # "exited with status 255", "was killed by SIGSEGV", or "is not running"
    log_path: Path

    def last_lines(self) -> list[str]:
        return log_tail(self.log_path)

    def sentence(self) -> str:
        """One line: who died, how, and the end of its log."""
        lines = self.last_lines()
        said = " | ".join(lines) if lines else "nothing"
        return f"{self.router}: {self.daemon} {self.how}; the end of {self.log_path}: {said}"


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


def log_tail(path: Path, count: int = LOG_LINES) -> list[str]:
    """The last non-empty lines of a log, each cut to a readable width."""
    try:
        with path.open("rb") as log:
            log.seek(0, 2)
            size = log.tell()
            log.seek(max(size - 16_384, 0))
            text = log.read().decode(errors="replace")
    except FileNotFoundError:
        return []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [line[:LOG_LINE_WIDTH] for line in lines[-count:]]
