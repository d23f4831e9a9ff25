"""Jinja2 filters for peering templates (documented in docs/templates.md)."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import yaml
from anyascii import anyascii

from configs.policy_filters import POLICY_FILTERS

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


def _family(value: Any) -> int:
    if value in (4, 6, "4", "6", "ipv4", "ipv6"):
        return 6 if str(value).endswith("6") else 4
    raise ValueError(f"an address family is 4 or 6, not {value!r}")


def _peer(value: Session) -> Session:
    """The AS of a session, or the AS itself."""
    return value.get("autonomous_system", value)


def prefix_list(value: Session, family: int | str | None = None) -> Any:
    """The IRR prefix list of a session or an AS, as last fetched: a list of entries.

    A session gives its own family's list unless `family` (4 or 6) says otherwise; an AS
    gives `{"ipv4": [...], "ipv6": [...]}` without `family`. None when the AS-set has
    never been fetched (test it with `is none`)."""
    lists = _peer(value)["prefix_lists"]
    if not isinstance(lists, dict):  # None, held as UNSET while rendering (configs/sandbox.py)
        return None
    if family is None and "ip_version" in value:
        family = value["ip_version"]
    return lists if family is None else lists[f"ipv{_family(family)}"]


def as_list(value: Session) -> list[int] | None:
    """The origin ASNs of a session's or an AS's AS-set; None when never fetched."""
    asns = _peer(value)["as_list"]
    return asns if isinstance(asns, list) else None


def prefix_range(entry: dict[str, Any]) -> str:
    """An entry of a prefix list as Cisco-style prefix-lists write it (FRR, IOS, EOS):
    `203.0.113.0/24`, or `203.0.112.0/22 ge 24 le 24`, `198.51.100.0/24 le 32`."""
    prefix = entry["prefix"]
    if entry["exact"]:
        return prefix
    length = int(prefix.rpartition("/")[2])  # stored normalised: no parsing per entry
    low, high = entry["greater_equal"], entry["less_equal"]
    if low == high == length:
        return prefix
    # FRR refuses "ge" equal to the prefix's own length (it means the same as leaving it out).
    return f"{prefix} ge {low} le {high}" if low > length else f"{prefix} le {high}"


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
    "prefix_list": prefix_list,
    "as_list": as_list,
    "prefix_range": prefix_range,
    "of_ixp": of_ixp,
    "of_group": of_group,
    "address": address,
    "network": network,
    "prefix_length": prefix_length,
    "quote": quote,
    "safe_string": safe_string,
    "as_json": as_json,
    "as_yaml": as_yaml,
    **POLICY_FILTERS,
}
