"""The lab's command line refuses clearly when the machine cannot run it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lab import requirements
from lab.state import REPO_ROOT

SYSTEM_PYTHON = Path("/usr/bin/python3")  # readable by an unprivileged user, unlike a venv


@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="needs /usr/bin/python3")
def test_up_without_root_says_root_is_needed_in_one_line() -> None:
    command = [str(SYSTEM_PYTHON), "-m", "lab", "up", "--instance", "9"]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]

    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: the lab needs root (it creates network namespaces): run it as root"
    ]


def test_a_missing_package_is_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        requirements,
        "REQUIRED_FILES",
        (*requirements.REQUIRED_FILES, ("/nonexistent/bird", "bird2")),
    )
    monkeypatch.setattr(requirements.os, "geteuid", lambda: 0)

    reason = requirements.unavailable_reason()

    assert reason is not None and "\n" not in reason
    assert "bird2" in reason
    assert "apt-get install" in reason
