"""Shared by the lab's own tests (the spare instance is the plugin's `spare_lab`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

from lab.state import REPO_ROOT


def lab_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m lab ARGS`, with `env` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "lab", *args],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
