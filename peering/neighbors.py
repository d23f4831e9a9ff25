"""Read a router's BGP neighbours through NAPALM and normalise what drivers return.

Drivers differ: state names ("Established", "Idle (Admin)"), the name of the default VRF
("global", "default"), -1 for an unknown count, AS numbers as integers, strings or asdot
("1.10"). Everything past this module sees one shape.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, replace
from typing import Any

from napalm.base import NetworkDriver

from core.choices import BGPState
from core.validators import ASN_MAX, ASN_MIN

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
# "64499", "AS64499", "as 64499", asdot "1.10" (RFC 5396); surrounding blanks allowed.
_ASN_TEXT = re.compile(r"(?:AS\s*)?(?P<high>[0-9]+)(?:\.(?P<low>[0-9]+))?", re.IGNORECASE)
_ASDOT_HALF_MAX = 65535


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
    # Why the AS the driver gave is not usable, when it gave one (remote_as is then None).
    remote_as_error: str | None = None


class InvalidASN(ValueError):
    """A driver gave something that is not an AS number; the message says what and why."""


def parse_asn(value: Any) -> int | None:
    """An AS number from whatever a driver reports, or None when it reports none.

    Accepts an integer, a numeric string, "AS64499" and asdot "X.Y" (RFC 5396:
    X * 65536 + Y, each half 0 to 65535). None, "" and 0 mean not reported (drivers
    write 0 for an AS they do not know). Anything else raises InvalidASN.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        number = _parse_asn_text(value)
    else:
        # A bool, a list... or a float such as 1.1, which cannot tell asdot 1.1 from 1.10.
        raise InvalidASN(f"{value!r} is not an AS number")
    if number == 0:
        return None
    if not ASN_MIN <= number <= ASN_MAX:
        raise InvalidASN(f"{value!r} is out of range: AS numbers are {ASN_MIN} to {ASN_MAX}")
    return number


def _parse_asn_text(value: str) -> int:
    if not value.strip():
        return 0
    match = _ASN_TEXT.fullmatch(value.strip())
    if match is None:
        raise InvalidASN(f"{value!r} is not an AS number")
    high, low = int(match["high"]), match["low"]
    if low is None:
        return high
    if high > _ASDOT_HALF_MAX or int(low) > _ASDOT_HALF_MAX:
        raise InvalidASN(
            f"{value!r} is not an asdot AS number: each half is 0 to {_ASDOT_HALF_MAX}"
        )
    return high * (_ASDOT_HALF_MAX + 1) + int(low)


def _remote_as(*candidates: Any) -> tuple[int | None, str | None]:
    """The first AS number among what a driver reported (most specific first), else why
    what it reported cannot be used (None, None: it reported nothing)."""
    error = None
    for candidate in candidates:
        try:
            number = parse_asn(candidate)
        except InvalidASN as exc:
            error = error or f"the router reported an unusable peer AS ({exc})"
            continue
        if number is not None:
            return number, None
    return None, error


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
                asn, asn_error = _remote_as(entry.get("remote_as"), remote_as)
                neighbors.append(
                    Neighbor(
                        vrf=normalise_vrf(vrf),
                        address=address,
                        remote_as=asn,
                        state=state,
                        received=_count(entry.get("received_prefix_count")),
                        accepted=_count(entry.get("accepted_prefix_count")),
                        advertised=_count(entry.get("advertised_prefix_count")),
                        uptime=None,
                        remote_as_error=asn_error,
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
            known_uptime = (
                isinstance(uptime, int | float) and not isinstance(uptime, bool) and uptime >= 0
            )
            asn, asn_error = _remote_as(peer.get("remote_as"))
            neighbors.append(
                Neighbor(
                    vrf=normalise_vrf(vrf),
                    address=address,
                    remote_as=asn,
                    state=BGPState.ESTABLISHED if up else BGPState.IDLE,
                    received=_sum([_count(f.get("received_prefixes")) for f in families]),
                    accepted=_sum([_count(f.get("accepted_prefixes")) for f in families]),
                    advertised=_sum([_count(f.get("sent_prefixes")) for f in families]),
                    uptime=float(uptime) if up and known_uptime else None,
                    remote_as_error=asn_error,
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


def with_uptimes(neighbors: list[Neighbor], summary: list[Neighbor]) -> list[Neighbor]:
    """The neighbours, their unknown uptimes filled from the summary getter's neighbours.

    NAPALM's detailed getter has no uptime; the summary getter has. Matched by VRF and
    address, and only for neighbours both getters see established.
    """
    uptimes = {
        (n.vrf, n.address): n.uptime
        for n in summary
        if n.state == BGPState.ESTABLISHED and n.uptime is not None
    }
    return [
        replace(n, uptime=uptimes[(n.vrf, n.address)])
        if n.uptime is None and n.state == BGPState.ESTABLISHED and (n.vrf, n.address) in uptimes
        else n
        for n in neighbors
    ]
