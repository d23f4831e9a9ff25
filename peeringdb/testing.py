"""pytest fixtures that keep every test away from the real PeeringDB (a pytest plugin,
listed in the top-level conftest.py's `pytest_plugins`).

- `no_real_peeringdb` (every test): PEERINGDB_URL is a closed port of loopback, so a test
  that reaches for PeeringDB without asking for `local_peeringdb` fails at once with
  "connection refused" instead of reaching www.peeringdb.com.
- `local_peeringdb`: a fresh peeringdb.testserver.LocalPeeringDB serving the demo data
  set, PEERINGDB_URL pointing at it and no API key; the server is stopped after the test.

Both change Django's settings in this process only (pytest-django's `settings` fixture).
Programs the tests start (job workers, commands in a subprocess) read their own
configuration: `pytest_configure` points them at the closed port too, through the
environment they inherit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pytest_django.lazy_django import django_settings_is_configured

from peeringdb.testserver import LocalPeeringDB

# Port 1 of loopback: nothing listens there, and no unprivileged program can.
CLOSED_PEERINGDB_URL = "http://127.0.0.1:1/api"


def pytest_configure(config: pytest.Config) -> None:
    """Every process the tests start reads PEERINGDB_URL from this variable."""
    os.environ["PEERKEEPER_PEERINGDB_URL"] = CLOSED_PEERINGDB_URL


@pytest.fixture(autouse=True)
def no_real_peeringdb(request: pytest.FixtureRequest) -> None:
    """Point PEERINGDB_URL at a closed port of loopback for the test."""
    if django_settings_is_configured():
        request.getfixturevalue("settings").PEERINGDB_URL = CLOSED_PEERINGDB_URL


@pytest.fixture
def local_peeringdb(no_real_peeringdb: None, settings) -> Iterator[LocalPeeringDB]:
    """A local PeeringDB with the demo data set, which PEERINGDB_URL names (no API key)."""
    with LocalPeeringDB() as server:
        settings.PEERINGDB_URL = server.url
        settings.PEERINGDB_API_KEY = ""
        yield server
