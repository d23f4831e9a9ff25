"""What this process tries to reach over the network, seen through Python's audit hooks
(`socket.connect`, `socket.sendto`, `socket.getaddrinfo`), for tests that must prove that
nothing leaves the machine: every socket opened by any library, ours or third-party.

    with outbound_attempts() as attempts:
        ...
    assert not [a for a in attempts if not a.stays_local]
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.getaddrinfo"})
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class Attempt:
    """One attempt to reach somewhere: a connection, a datagram or a name looked up."""

    event: str
    destination: str
    stays_local: bool


_recorders: list[list[Attempt]] = []


def _host_stays_local(host: Any) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): a local wildcard address
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).split("%", 1)[0]  # an IPv6 scope
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name to look up: the resolver may ask a server elsewhere


def _attempt(event: str, args: tuple[Any, ...]) -> Attempt:
    if event == "socket.getaddrinfo":
        host, port = args[0], args[1]
        return Attempt(event, f"{host}:{port}", _host_stays_local(host))
    sock, address = args[0], args[-1]
    if getattr(sock, "family", None) == socket.AF_UNIX or isinstance(address, str | bytes):
        return Attempt(event, f"unix:{address!r}", True)
    host, port = address[0], address[1]
    return Attempt(event, f"{host}:{port}", _host_stays_local(host))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recorders and event in EVENTS:
        attempt = _attempt(event, args)
        for recorder in _recorders:
            recorder.append(attempt)


sys.addaudithook(_audit)  # once per process: audit hooks cannot be removed


@contextmanager
def outbound_attempts() -> Iterator[list[Attempt]]:
    """Record every connection, datagram and name look-up this process attempts (in any
    thread) while the block runs."""
    recorder: list[Attempt] = []
    _recorders.append(recorder)
    try:
        yield recorder
    finally:
        _recorders.remove(recorder)


def leaving(attempts: list[Attempt]) -> list[str]:
    """The attempts that could have left the machine, as `event destination` lines."""
    return sorted({f"{a.event} {a.destination}" for a in attempts if not a.stays_local})
