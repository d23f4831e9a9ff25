"""Lab addresses are connected to only while the connection stays on this machine.

The lab's routers have management addresses in 198.18.0.0/15 (RFC 2544's benchmarking
range, settings.LOCAL_ONLY_NETWORKS), reached over a link into the lab's network namespaces.
When that link is absent (the lab is down, crashed, or not started since the machine
booted) and no unreachable route stands in for it (lab/guard.py installs one as root; it
does not survive a reboot), a connection would follow the default route and reach
whatever answers at that address elsewhere. So before a connection is opened, the
kernel is asked which route it would take: connecting a UDP socket picks the route and
its source address and sends nothing (connect(2) on a datagram socket).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def addresses_of(host: str) -> list[IPAddress]:
    """`host` itself when it is an IP address, else what the resolver gives for it (the
    lookup the driver is about to make anyway); [] when it does not resolve."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []  # the driver reports it, in its words
    return [ipaddress.ip_address(str(entry[4][0]).split("%")[0]) for entry in found]


def source_for(address: IPAddress) -> IPAddress | None:
    """The source address the kernel would use to reach `address`; None when it has no
    route there (unreachable, prohibited: then nothing can be sent either)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((str(address), 9))  # port 9 (discard): no datagram is sent
        except OSError:
            return None
        return ipaddress.ip_address(probe.getsockname()[0].split("%")[0])


def outside_lab(host: str, networks: Iterable[IPNetwork]) -> IPAddress | None:
    """The lab address of `host` that a connection would reach outside this machine, or
    None when there is none: `host` is not in `networks`, or the route to it stays here
    (its source is a loopback address or one of the lab's own, as on the link into a
    running lab), or there is no route at all."""
    networks = list(networks)
    if not networks:
        return None
    for address in addresses_of(host):
        if not any(address.version == net.version and address in net for net in networks):
            continue
        source = source_for(address)
        if source is None or source.is_loopback:
            continue
        if not any(source.version == net.version and source in net for net in networks):
            return address
    return None
