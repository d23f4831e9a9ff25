"""pytest fixtures that keep every test away from public IRR servers, and give the tests
a real one (a pytest plugin, listed in the top-level conftest.py's `pytest_plugins`).

- `no_real_irr` (every test): IRR_HOST is a closed port of loopback, so a test that runs
  bgpq4 without asking for `local_irr` fails at once with "connection refused" instead
  of reaching rr.ntt.net (the default).
- `irrd` (session): one real IRRd (irr.irrd_server.LocalIRRd) serving
  irr/fixtures/lab.rpsl as source PEERKEEPER, started on first use (~15 s) and stopped at
  the end of the session. Skipped, with the reason, only when PostgreSQL or Redis is
  unreachable.
- `local_irr`: `irrd`, with IRR_HOST pointing at it, IRR_SOURCES ["PEERKEEPER"] and
  IRR_ALLOW_PRIVATE_ASNS True (the lab's ASNs are private) for the test.
- `silent_irr`: a server on 127.0.0.1 that accepts connections and never answers; its
  `address` is what IRR_HOST takes.

Both setting fixtures change Django's settings in this process only (pytest-django's
`settings` fixture). Programs the tests start (job workers, commands in a subprocess)
read their own configuration: `pytest_configure` points them at the closed port too,
through the environment they inherit; `local_irr_environment(irrd)` is what to add to a
child's environment to point it at the local IRRd.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
from pytest_django.lazy_django import django_settings_is_configured

from irr.irrd_server import IRRdUnavailable, LocalIRRd

# Port 1 of loopback: nothing listens there, and no unprivileged program can.
CLOSED_IRR_HOST = "127.0.0.1:1"


def pytest_configure(config: pytest.Config) -> None:
    """Every process the tests start reads IRR_HOST from this variable."""
    os.environ["PEERKEEPER_IRR_HOST"] = CLOSED_IRR_HOST


def local_irr_environment(irrd: LocalIRRd) -> dict[str, str]:
    """The PEERKEEPER_* variables that point a child process at `irrd`."""
    return {
        "PEERKEEPER_IRR_HOST": irrd.address,
        "PEERKEEPER_IRR_SOURCES": ",".join(irrd.sources),
        "PEERKEEPER_IRR_ALLOW_PRIVATE_ASNS": "true",
    }


@pytest.fixture(autouse=True)
def no_real_irr(request: pytest.FixtureRequest) -> None:
    """Point IRR_HOST at a closed port of loopback for the test."""
    if django_settings_is_configured():
        request.getfixturevalue("settings").IRR_HOST = CLOSED_IRR_HOST


@pytest.fixture(scope="session")
def irrd() -> Iterator[LocalIRRd]:
    """A real IRRd on 127.0.0.1 serving irr/fixtures/lab.rpsl, for the whole session."""
    server = LocalIRRd()
    try:
        server.start()
    except IRRdUnavailable as exc:
        # CI sets PEERKEEPER_REQUIRE_IRRD=1: there, an IRRd that cannot start is a failure.
        if os.environ.get("PEERKEEPER_REQUIRE_IRRD") == "1":
            pytest.fail(f"no local IRRd: {exc}")
        pytest.skip(f"no local IRRd: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def local_irr(no_real_irr: None, irrd: LocalIRRd, settings) -> LocalIRRd:
    """`irrd`, which IRR_HOST and IRR_SOURCES name, private ASNs allowed."""
    settings.IRR_HOST = irrd.address
    settings.IRR_SOURCES = list(irrd.sources)
    settings.IRR_ALLOW_PRIVATE_ASNS = True
    return irrd


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte; closes them on stop."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._listener.settimeout(0.1)
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._held.append(connection)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def silent_irr() -> Iterator[SilentServer]:
    """A server on 127.0.0.1 that accepts and never answers: bgpq4 waits on it forever."""
    server = SilentServer()
    try:
        yield server
    finally:
        server.stop()
