"""Connection failures, on loopback: refused, and a server that never answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import napalm
import pytest
from napalm.base.exceptions import ConnectionException, ConnectTimeoutError
from napalm_bird import BIRDDriver


def test_napalm_finds_the_driver_by_name():
    assert napalm.get_network_driver("bird") is BIRDDriver


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        yield server.getsockname()[1]


def test_closed_port_is_a_connection_error_naming_host_and_port(closed_port):
    driver = BIRDDriver("127.0.0.1", "root", "x", timeout=5, optional_args={"port": closed_port})
    with pytest.raises(ConnectionException, match=f"127.0.0.1:{closed_port}.*refused"):
        driver.open()
    assert driver.is_alive() == {"is_alive": False}


def test_silent_server_times_out(silent_port):
    driver = BIRDDriver("127.0.0.1", "root", "x", timeout=1, optional_args={"port": silent_port})
    with pytest.raises(ConnectTimeoutError, match=f"127.0.0.1:{silent_port}"):
        driver.open()
