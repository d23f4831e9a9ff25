"""Read a router's BGP neighbours through NAPALM and normalise what drivers return.

Drivers differ: state names ("Established", "Idle (Admin)"), the name of the default VRF
("global", "default"), -1 for an unknown count. Everything past this module sees one shape.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any

from napalm.base import NetworkDriver

from core.choices import BGPState

DEFAULT_VRF = ""
_DEFAULT_VRF_NAMES = {"", "global", "default"}
_STATE_PREFIXES = [
    ("established", BGPState.ESTABLISHED),
    ("openconfirm", BGPState.OPENCONFIRM),
    ("opensent", BGPState.OPENSENT),
    ("active", BGPState.ACTIVE),
    ("connect", BGPState.CONNECT),
    ("idle", BGPState.IDLE),
]


@dataclass(frozen=True)
class Neighbor:
    vrf: str  # "" for the default routing table
    address: str  # normalised, compressed
    remote_as: int | None
    state: BGPState | None
    received: int | None
    accepted: int | None
    advertised: int | None
    uptime: float | None  # seconds in the current state when established, if known


def normalise_vrf(name: str | None) -> str:
    return DEFAULT_VRF if (name or "").lower() in _DEFAULT_VRF_NAMES else str(name)


def normalise_address(address: str) -> str | None:
    text = str(address).split("%")[0]
    # The C socket functions give ipaddress's form ten times faster (a poll of a thousand
    # routers normalises a hundred thousand addresses); ipaddress decides the rest, such
    # as IPv6 written with a dotted IPv4 tail.
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            normalised = socket.inet_ntop(family, socket.inet_pton(family, text))
        except (OSError, ValueError):
            continue
        if family == socket.AF_INET or "." not in normalised:
            return normalised
        break
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


def map_state(text: str | None) -> BGPState | None:
    letters = re.sub(r"[^a-z]", "", (text or "").lower())
    for prefix, state in _STATE_PREFIXES:
        if letters.startswith(prefix):
            return state
    return None


def _count(value: Any) -> int | None:
    """A prefix count, or None when the driver does not know (missing or negative)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return int(value)


def _sum(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def from_detail(data: dict[str, Any]) -> list[Neighbor]:
    """Neighbours from `get_bgp_neighbors_detail()`: {vrf: {remote_as: [neighbour, ...]}}."""
    neighbors = []
    for vrf, by_as in data.items():
        for remote_as, entries in by_as.items():
            for entry in entries:
                address = normalise_address(entry.get("remote_address", ""))
                if address is None:
                    continue
                state = map_state(entry.get("connection_state"))
                if state is None and entry.get("up"):
                    state = BGPState.ESTABLISHED
                neighbors.append(
                    Neighbor(
                        vrf=normalise_vrf(vrf),
                        address=address,
                        remote_as=_count(entry.get("remote_as", remote_as)),
                        state=state,
                        received=_count(entry.get("received_prefix_count")),
                        accepted=_count(entry.get("accepted_prefix_count")),
                        advertised=_count(entry.get("advertised_prefix_count")),
                        uptime=None,
                    )
                )
    return neighbors


def from_summary(data: dict[str, Any]) -> list[Neighbor]:
    """Neighbours from `get_bgp_neighbors()`: {vrf: {"peers": {address: neighbour}}}.

    This getter has no state machine, only up or down: down is reported as idle.
    """
    neighbors = []
    for vrf, content in data.items():
        for raw_address, peer in (content.get("peers") or {}).items():
            address = normalise_address(raw_address)
            if address is None:
                continue
            families = list((peer.get("address_family") or {}).values())
            up = bool(peer.get("is_up"))
            uptime = peer.get("uptime")
            known_uptime = isinstance(uptime, int | float) and uptime >= 0
            neighbors.append(
                Neighbor(
                    vrf=normalise_vrf(vrf),
                    address=address,
                    remote_as=_count(peer.get("remote_as")),
                    state=BGPState.ESTABLISHED if up else BGPState.IDLE,
                    received=_sum([_count(f.get("received_prefixes")) for f in families]),
                    accepted=_sum([_count(f.get("accepted_prefixes")) for f in families]),
                    advertised=_sum([_count(f.get("sent_prefixes")) for f in families]),
                    uptime=float(uptime) if up and known_uptime else None,
                )
            )
    return neighbors


def read_neighbors(device: NetworkDriver, prefer_detail: bool = True) -> list[Neighbor]:
    """One getter call: the detailed one when asked for and implemented, else the summary."""
    if prefer_detail:
        try:
            return from_detail(device.get_bgp_neighbors_detail())
        except NotImplementedError:
            pass
    return from_summary(device.get_bgp_neighbors())
