"""Jinja2 filters for peering templates (documented in docs/templates.md)."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import yaml
from anyascii import anyascii

Session = dict[str, Any]


def _address_of(value: Any) -> str:
    return value["ip_address"] if isinstance(value, dict) else str(value)


def ip_version(value: Any, version: int | None = None) -> Any:
    """`"192.0.2.1" | ip_version` -> 4; `sessions | ip_version(6)` -> the IPv6 sessions."""
    if version is None:
        if isinstance(value, dict) and "ip_version" in value:
            return value["ip_version"]  # a session: known already, no parsing per use
        return ipaddress.ip_interface(_address_of(value)).version
    return [item for item in value if ip_version(item) == version]


def ipv4(sessions: Iterable[Any]) -> list[Any]:
    return ip_version(sessions, 4)


def ipv6(sessions: Iterable[Any]) -> list[Any]:
    return ip_version(sessions, 6)


def enabled(sessions: Iterable[Session]) -> list[Session]:
    """Sessions that are enabled, along with their IXP, connection or BGP group."""
    return [session for session in sessions if session["enabled"]]


def max_prefix(session: Session, default: int | None = None) -> int | None:
    """The peer's maximum prefix count for the session's address family."""
    peer = session["autonomous_system"]
    limit = peer["ipv4_max_prefixes"] if ip_version(session) == 4 else peer["ipv6_max_prefixes"]
    return limit if limit else default


def of_ixp(sessions: Iterable[Session], slug: str) -> list[Session]:
    return [
        s for s in sessions if s["internet_exchange"] and s["internet_exchange"]["slug"] == slug
    ]


def of_group(sessions: Iterable[Session], slug: str) -> list[Session]:
    return [s for s in sessions if s["bgp_group"] and s["bgp_group"]["slug"] == slug]


def address(value: str) -> str:
    """`"192.0.2.1/24" | address` -> "192.0.2.1"."""
    return str(ipaddress.ip_interface(value).ip)


def network(value: str) -> str:
    """`"192.0.2.1/24" | network` -> "192.0.2.0/24"."""
    return str(ipaddress.ip_interface(value).network)


def prefix_length(value: str) -> int:
    return ipaddress.ip_interface(value).network.prefixlen


def quote(value: Any) -> str:
    """A double-quoted string with quotes and backslashes escaped."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:/@+,()-]+")


def safe_string(value: Any) -> str:
    """Text safe in a router's description or name: no quotes, newlines or shell characters.

    Letters outside ASCII are transliterated (`TELEFÓNICA` -> `TELEFONICA`, `Zürich` ->
    `Zurich`) rather than dropped, so a peer's name stays readable on the router.
    """
    text = re.sub(r"\s", " ", anyascii(re.sub(r"\s", " ", str(value))))
    return re.sub(r" +", " ", _UNSAFE.sub("", text)).strip()


def as_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, sort_keys=True)


def as_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True)


FILTERS: dict[str, Callable[..., Any]] = {
    "ip_version": ip_version,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "enabled": enabled,
    "max_prefix": max_prefix,
    "of_ixp": of_ixp,
    "of_group": of_group,
    "address": address,
    "network": network,
    "prefix_length": prefix_length,
    "quote": quote,
    "safe_string": safe_string,
    "as_json": as_json,
    "as_yaml": as_yaml,
}
