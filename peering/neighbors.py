"""Read a router's BGP neighbours through NAPALM and normalise what drivers return.

Drivers differ: state names ("Established", "Idle (Admin)"), the name of the default VRF
("global", "default"), -1 for an unknown count, AS numbers as integers, strings or asdot
("1.10"). Everything past this module sees one shape.

This is the one place that reads the getters' output, so it is also where a driver that
does not keep NAPALM's contract (napalm/base/models.py: the shapes of get_bgp_neighbors
and get_bgp_neighbors_detail) is caught. That is the driver's failure, never ours:

- A container that is not what the contract says (the getter's result, a VRF, its
  `peers`, the list of an AS's neighbours), a neighbour entry that is not a dictionary,
  or a detailed entry whose `remote_address` is not text: `DriverFailed`, the router's
  whole read fails with one sentence. The neighbours in there cannot be told apart, so
  reading on would mark their sessions "not configured on the router": wrong state.
  A poll that fails keeps the last known state, shown as stale, with the sentence.
- A neighbour whose address is text but not an IP address (an unnumbered session's
  interface name): skipped, with a line in the log. No inventory session can be it:
  sessions are stored by IP address.
- A value out of shape or out of any sane range (a state that is not text, `is_up` or
  `up` that is not a boolean, a count or uptime that is not a finite number, negative,
  a count above 2**32 - 1, an uptime above 100 years): unknown, None, never an exception.
  The neighbour is kept; what is unknown is stored as unknown.
- An unusable peer AS: None, with why in `remote_as_error` (discovery says it).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from napalm.base import NetworkDriver

from core.choices import BGPState
from core.validators import ASN_MAX, ASN_MIN, ASNTextError, asn_from_text
from devices.napalm import contract_broken

logger = logging.getLogger(__name__)

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
# Beyond these a value is nonsense, not a measurement: BGP implementations count prefixes
# in 32 bits, and no session has been up for a century.
MAX_PREFIX_COUNT = 2**32 - 1
MAX_UPTIME_S = 100 * 365.25 * 24 * 3600
DETAIL_GETTER, SUMMARY_GETTER = "get_bgp_neighbors_detail", "get_bgp_neighbors"


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


@dataclass(frozen=True)
class _Getter:
    """Which getter's output is read, and from whom: for the sentences that say so."""

    name: str
    driver: str | None = None
    router: str | None = None

    def broken(self, found: Any, where: str, expected: str) -> NoReturn:
        """Fail the read: the driver returned `found` (at `where`) instead of `expected`."""
        raise contract_broken(self.driver, self.router, self.name, found, expected, where)

    def skip(self, address: Any, why: str) -> None:
        """Say in the log that a neighbour was left out, and why."""
        driver = f"the {self.driver} driver" if self.driver else "the driver"
        on = f" on {self.router}" if self.router else ""
        logger.info(
            "%s%s: skipped neighbour %s from %s: %s",
            driver,
            on,
            _name(address),
            self.name,
            why,
        )


def _name(key: Any, limit: int = 40) -> str:
    """A key of the getter's output (a VRF, an AS, an address), as text, cut short."""
    text = str(key)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        if not value.strip():
            return None
        try:
            number = asn_from_text(value)
        except ASNTextError as exc:
            raise InvalidASN(f"{value!r} {exc}") from None
    else:
        # A bool, a list... or a float such as 1.1, which cannot tell asdot 1.1 from 1.10.
        raise InvalidASN(f"{value!r} is not an AS number")
    if number == 0:
        return None
    if not ASN_MIN <= number <= ASN_MAX:
        raise InvalidASN(f"{value!r} is out of range: AS numbers are {ASN_MIN} to {ASN_MAX}")
    return number


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


def normalise_vrf(name: Any) -> str:
    text = "" if name is None else str(name)
    return DEFAULT_VRF if text.lower() in _DEFAULT_VRF_NAMES else text


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


def map_state(text: Any) -> BGPState | None:
    """The BGP state a driver's state name means; None when it is no state (or not text)."""
    if not isinstance(text, str):
        return None
    letters = re.sub(r"[^a-z]", "", text.lower())
    for prefix, state in _STATE_PREFIXES:
        if letters.startswith(prefix):
            return state
    return None


def _number(value: Any, maximum: float) -> float | None:
    """A finite number from 0 to `maximum`, else None (unknown): drivers write -1 for
    unknown, and a value beyond any sane range is no measurement."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if 0 <= value <= maximum else None


def _count(value: Any) -> int | None:
    """A prefix count, or None when the driver does not know (missing, negative, absurd)."""
    number = _number(value, MAX_PREFIX_COUNT)
    return None if number is None else int(number)


def _uptime(value: Any) -> float | None:
    """Seconds, or None when not a number of seconds a session can have been up."""
    number = _number(value, MAX_UPTIME_S)
    return None if number is None else float(number)


def _sum(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _up(value: Any) -> BGPState | None:
    """The state NAPALM's `is_up` / `up` means; None (unknown) when it is no boolean."""
    if value is True:
        return BGPState.ESTABLISHED
    if value is False:
        return BGPState.IDLE
    return None


def _vrfs(data: Any, getter: _Getter, expected: str) -> list[tuple[Any, Mapping[str, Any]]]:
    if not isinstance(data, Mapping):
        getter.broken(data, "", "a dictionary of VRFs")
    for vrf, content in data.items():
        if not isinstance(content, Mapping):
            getter.broken(content, f" for VRF {_name(vrf)}", expected)
    return list(data.items())


def from_detail(data: Any, driver: str | None = None, router: str | None = None) -> list[Neighbor]:
    """Neighbours from `get_bgp_neighbors_detail()`: {vrf: {remote_as: [neighbour, ...]}}.

    `driver` and `router` name who returned `data` in the sentence of a DriverFailed.
    """
    getter = _Getter(DETAIL_GETTER, driver, router)
    neighbors = []
    for vrf, by_as in _vrfs(data, getter, "a dictionary of peer ASes"):
        for remote_as, entries in by_as.items():
            where = f" for AS {_name(remote_as)} in VRF {_name(vrf)}"
            if not isinstance(entries, list | tuple):
                getter.broken(entries, where, "a list of neighbours")
            for entry in entries:
                neighbor = _detail_neighbor(vrf, remote_as, entry, getter, where)
                if neighbor is not None:
                    neighbors.append(neighbor)
    return neighbors


def _detail_neighbor(
    vrf: Any, remote_as: Any, entry: Any, getter: _Getter, where: str
) -> Neighbor | None:
    if not isinstance(entry, Mapping):
        getter.broken(entry, f" as a neighbour{where}", "a dictionary of its details")
    raw_address = entry.get("remote_address")
    if not isinstance(raw_address, str) or not raw_address.strip():
        getter.broken(raw_address, f" as a neighbour's remote_address{where}", "its IP address")
    address = normalise_address(raw_address)
    if address is None:
        getter.skip(raw_address, "not an IP address")
        return None
    state = map_state(entry.get("connection_state"))
    if state is None and entry.get("up") is True:
        state = BGPState.ESTABLISHED
    asn, asn_error = _remote_as(entry.get("remote_as"), remote_as)
    return Neighbor(
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


def from_summary(data: Any, driver: str | None = None, router: str | None = None) -> list[Neighbor]:
    """Neighbours from `get_bgp_neighbors()`: {vrf: {"peers": {address: neighbour}}}.

    This getter has no state machine, only up or down: down is reported as idle (and an
    `is_up` that is no boolean as unknown). A VRF without `peers` has no neighbours.
    `driver` and `router` name who returned `data` in the sentence of a DriverFailed.
    """
    getter = _Getter(SUMMARY_GETTER, driver, router)
    neighbors = []
    for vrf, content in _vrfs(data, getter, "a dictionary with router_id and peers"):
        peers = content.get("peers", {})
        if not isinstance(peers, Mapping):
            getter.broken(peers, f" as the peers of VRF {_name(vrf)}", "a dictionary")
        for raw_address, peer in peers.items():
            if not isinstance(peer, Mapping):
                where = f" for neighbour {_name(raw_address)} in VRF {_name(vrf)}"
                getter.broken(peer, where, "a dictionary of its state")
            address = normalise_address(raw_address)
            if address is None:
                getter.skip(raw_address, "not an IP address")
                continue
            counts = _families(peer.get("address_family"))
            state = _up(peer.get("is_up"))
            asn, asn_error = _remote_as(peer.get("remote_as"))
            neighbors.append(
                Neighbor(
                    vrf=normalise_vrf(vrf),
                    address=address,
                    remote_as=asn,
                    state=state,
                    received=_sum([_count(f.get("received_prefixes")) for f in counts]),
                    accepted=_sum([_count(f.get("accepted_prefixes")) for f in counts]),
                    advertised=_sum([_count(f.get("sent_prefixes")) for f in counts]),
                    uptime=_uptime(peer.get("uptime")) if state == BGPState.ESTABLISHED else None,
                    remote_as_error=asn_error,
                )
            )
    return neighbors


def _families(families: Any) -> list[Mapping[str, Any]]:
    """The address families' counters; none (counts unknown) when not in NAPALM's shape."""
    if not isinstance(families, Mapping):
        return []
    return [counters for counters in families.values() if isinstance(counters, Mapping)]


def read_neighbors(
    device: NetworkDriver,
    prefer_detail: bool = True,
    driver: str | None = None,
    router: str | None = None,
) -> list[Neighbor]:
    """One getter call: the detailed one when asked for and implemented, else the summary.

    Output that breaks NAPALM's contract raises DriverFailed naming `driver` and `router`.
    """
    if prefer_detail:
        try:
            data = device.get_bgp_neighbors_detail()
        except NotImplementedError:
            pass
        else:
            return from_detail(data, driver, router)
    return from_summary(device.get_bgp_neighbors(), driver, router)


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
