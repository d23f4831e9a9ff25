"""pytest fixtures for tests against the lab's real routers.

- `lab` (session): a running Lab, instance $PEERKEEPER_LAB_INSTANCE or 1, torn down at
  the end of the session, also after failures and Ctrl-C.
- `clean_lab`: the same Lab, reset() after the test (restarts stopped daemons, restores
  r1's configuration).
- `lab_host` (session): only checks that this machine can run a lab, for tests that
  start their own instance.
- `spare_lab`: a Lab of the spare instance ($PEERKEEPER_LAB_SPARE_INSTANCE, else 4),
  down before and after the test, for tests that start, crash or need a down lab.

Without root or the routing packages these fixtures skip the test with a one-line
reason; with PEERKEEPER_REQUIRE_LAB=1 they fail it instead, so CI cannot skip silently.
Tests using them get the `lab` marker.

As root, the session starts by installing the unreachable routes that keep the lab's
addresses on this machine (lab/guard.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

from lab.errors import LabError
from lab.guard import protect_lab_ranges
from lab.instance import Lab, default_instance
from lab.requirements import unavailable_reason
from lab.state import REPO_ROOT

LAB_FIXTURES = frozenset({"lab", "clean_lab", "lab_host", "spare_lab"})
LAB_UP_TIMEOUT = 60.0


def pytest_configure(config: pytest.Config) -> None:
    if not any(line.startswith("lab:") for line in config.getini("markers")):
        config.addinivalue_line(
            "markers", "lab: needs the lab's real routers (root and the Debian routing packages)"
        )


def pytest_sessionstart(session: pytest.Session) -> None:
    # Before any test: a test that reaches a lab address while its lab is down must get
    # "unreachable" from this machine, never an answer from outside it.
    if os.geteuid() == 0:
        protect_lab_ranges()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if LAB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lab)


def require_lab() -> None:
    """Skip (or, with PEERKEEPER_REQUIRE_LAB=1, fail) when the lab cannot run here."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("PEERKEEPER_REQUIRE_LAB") == "1":
        pytest.fail(f"PEERKEEPER_REQUIRE_LAB=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@pytest.fixture(scope="session")
def lab_host() -> None:
    require_lab()


@pytest.fixture(scope="session")
def lab(lab_host: None) -> Iterator[Lab]:
    running = Lab(default_instance(1))
    # A SIGTERM (a CI timeout, say) then unwinds like Ctrl-C, so teardown still runs.
    previous = None
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        failure = None
        try:
            running.up(timeout=LAB_UP_TIMEOUT)
        except LabError as error:
            # Refused (another process, from any checkout, owns the instance) or failed:
            # the sentence says which; up() has already stopped whatever it started.
            failure = str(error)
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        try:
            yield running
        finally:
            running.down()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@pytest.fixture
def clean_lab(lab: Lab) -> Iterator[Lab]:
    yield lab
    lab.reset()


def spare_instance() -> int:
    """Not the shared test instance: $PEERKEEPER_LAB_SPARE_INSTANCE, else 4 (or 5)."""
    value = os.environ.get("PEERKEEPER_LAB_SPARE_INSTANCE")
    if value:
        return int(value)
    return 5 if default_instance(1) == 4 else 4


def _lab_down(instance: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "lab", "down", "--instance", str(instance)],
        capture_output=True, timeout=120, cwd=REPO_ROOT, check=False,
    )  # fmt: skip


@pytest.fixture
def spare_lab(lab_host: None) -> Iterator[Lab]:
    instance = spare_instance()
    _lab_down(instance)
    yield Lab(instance)
    _lab_down(instance)
