"""Lab addresses are connected to only while the connection stays on this machine.

The lab's routers have management addresses in 198.18.0.0/15 (RFC 2544's benchmarking
range, settings.LOCAL_ONLY_NETWORKS), reached over a link into the lab's network namespaces.
When that link is absent (the lab is down, crashed, or not started since the machine
booted) and no unreachable route stands in for it (lab/guard.py installs one as root; it
does not survive a reboot), a connection would follow the default route and reach
whatever answers at that address elsewhere. So before a connection is opened, the
kernel is asked whether it has a route there (connecting a UDP socket picks the route
and sends nothing) and through which interface (`ip route get`): only loopback or a lab
link keeps the connection on this machine.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
from collections.abc import Iterable

from lab.guard import LAB_LINK, REFUSED_TYPES, route_of

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def addresses_of(host: str) -> list[IPAddress]:
    """`host` itself when it is an IP address, else what the resolver gives for it (the
    lookup the driver is about to make anyway); [] when it does not resolve."""
    try:
        return [_unmapped(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # the driver reports it, in its words
    return [_unmapped(ipaddress.ip_address(str(entry[4][0]).split("%")[0])) for entry in found]


def _unmapped(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (::ffff:198.18.0.11, RFC 4291) is the IPv4 address it
    reaches."""
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def has_route(address: IPAddress) -> bool:
    """Whether the kernel has a route to `address`: without one (unreachable,
    prohibited) a connection fails here and nothing is sent."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((str(address), 9))  # port 9 (discard): no datagram is sent
        except OSError:
            return False
    return True


def outside_lab(host: str, networks: Iterable[IPNetwork]) -> IPAddress | None:
    """The lab address of `host` that a connection would reach outside this machine, or
    None when there is none: `host` is not in `networks`, there is no route to it, or
    the route stays here: through loopback or a lab link (`ip route get`, which sends
    nothing either; lab/guard.py). Without `ip` to ask, a routed lab address is taken to
    leave."""
    networks = list(networks)
    if not networks:
        return None
    for address in addresses_of(host):
        if not any(address.version == net.version and address in net for net in networks):
            continue
        if not has_route(address):
            continue  # the connection fails here, at once
        if not _stays_here(address):
            return address
    return None


def _stays_here(address: IPAddress) -> bool:
    """Whether the kernel's route to `address` goes through loopback or a lab link, or
    refuses (an unreachable route); False when `ip` cannot tell."""
    try:
        route = route_of(str(address))
    except (OSError, subprocess.SubprocessError, ValueError):
        return False
    if route is None:
        return False
    if route.get("type") in REFUSED_TYPES:
        return True
    device = str(route.get("dev", ""))
    return device == "lo" or LAB_LINK.fullmatch(device) is not None
