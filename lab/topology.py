"""The lab's default topology, as plain data.

Everything inside the namespaces uses the same addresses for every instance; only the
namespace names and the management LAN (198.18.N.0/24) depend on the instance number.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

Software = Literal["frr", "bird"]

IXP_SEGMENT = "ixp"
MGMT_SEGMENT = "mgmt"
IXP_BRIDGE = "br0"


@dataclass(frozen=True)
class Interface:
    """An interface inside a router's namespace, attached to a segment.

    A segment is the IXP bridge, the management link to the root namespace, or a
    point-to-point link named after the two routers it joins.
    """

    name: str
    segment: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """A BGP session as configured on one router."""

    local_address: str
    peer_address: str
    peer_asn: int
    name: str  # BIRD protocol name / FRR neighbour description

    @property
    def family(self) -> Literal["ipv4", "ipv6"]:
        return "ipv6" if ":" in self.peer_address else "ipv4"


@dataclass(frozen=True)
class RouterSpec:
    name: str
    asn: int
    software: Software
    router_id: str
    interfaces: tuple[Interface, ...]
    sessions: tuple[Session, ...]
    announced: tuple[str, ...] = ()
    mgmt_address: str | None = None
    # Announced too, but registered in no IRR object: what an IRR filter drops.
    unregistered: tuple[str, ...] = ()

    def announced_in(self, family: str) -> tuple[str, ...]:
        """Every prefix the router announces in `family` ("ipv4" or "ipv6")."""
        return _of_family(self.announced, family)

    def registered_in(self, family: str) -> tuple[str, ...]:
        """The announced prefixes of `family` that the lab's IRR registers."""
        return tuple(p for p in self.announced_in(family) if p not in self.unregistered)

    def unregistered_in(self, family: str) -> tuple[str, ...]:
        """The announced prefixes of `family` that no IRR object registers."""
        return _of_family(self.unregistered, family)


def _of_family(prefixes: tuple[str, ...], family: str) -> tuple[str, ...]:
    version = 6 if family == "ipv6" else 4
    return tuple(p for p in prefixes if ipaddress.ip_network(p).version == version)


@dataclass(frozen=True)
class Topology:
    instance: int
    routers: tuple[RouterSpec, ...]

    @property
    def prefix(self) -> str:
        """Prefix of every namespace and root-namespace link of this instance."""
        return f"pk{self.instance}-"

    @property
    def ixp_namespace(self) -> str:
        return f"{self.prefix}ix"

    @property
    def mgmt_host_link(self) -> str:
        return f"{self.prefix}mgmt"

    @property
    def mgmt_host_address(self) -> str:
        return f"198.18.{self.instance}.1/24"

    def extra_mgmt_link(self, router: str) -> str:
        """The root-namespace link to a managed router other than the first one
        (`pkN-mgmt-<router>`): its address is routed there as a /32."""
        return f"{self.mgmt_host_link}-{router}"

    def namespace(self, router: str) -> str:
        return f"{self.prefix}{router}"

    def router(self, name: str) -> RouterSpec:
        for spec in self.routers:
            if spec.name == name:
                return spec
        known = ", ".join(spec.name for spec in self.routers)
        raise KeyError(f"no router {name!r} in the lab (routers: {known})")

    def expected_prefixes(self, peer_address: str) -> int | None:
        """How many prefixes the router at `peer_address` announces over that session."""
        for spec in self.routers:
            for interface in spec.interfaces:
                addresses = {a.split("/")[0] for a in interface.addresses}
                if peer_address in addresses:
                    family = "ipv6" if ":" in peer_address else "ipv4"
                    return len(spec.announced_in(family))
        return None


# What p1 announces beyond its IRR registration (AS-PEERONE, irr/fixtures/lab.rpsl: its
# 50 IPv4 /30s in 203.0.113.0-199 and 5 IPv6 /48s): free space between its /30s and p3's
# 203.0.113.224/27, and a /48 of its IPv6 /40 that it did not register.
P1_UNREGISTERED = (
    "203.0.113.200/30",
    "203.0.113.204/30",
    "203.0.113.208/30",
    "2001:db8:1ff::/48",
)


def _subnets(supernet: str, new_prefix: int, count: int) -> tuple[str, ...]:
    subnets = ipaddress.ip_network(supernet).subnets(new_prefix=new_prefix)
    return tuple(str(next(subnets)) for _ in range(count))


RS1_ASN = 65100


def default_topology(instance: int) -> Topology:
    """r1 (ours) with p1..p3 on an IXP LAN and p4 on a direct link; rs1, a BIRD router
    Peerkeeper manages too, on the IXP LAN with no session at start.

    Announced ranges never cover the management LAN (198.18.0.0/16) or a link of r1.
    """
    if not 0 <= instance <= 9:
        raise ValueError(f"lab instance must be between 0 and 9, not {instance}")
    mgmt = f"198.18.{instance}.11"

    r1 = RouterSpec(
        name="r1",
        asn=64500,
        software="frr",
        router_id="192.0.2.1",
        mgmt_address=mgmt,
        interfaces=(
            Interface("mgmt0", MGMT_SEGMENT, (f"{mgmt}/24",)),
            Interface("ix0", IXP_SEGMENT, ("192.0.2.1/24", "2001:db8:1::1/64")),
            Interface("p4", "r1-p4", ("198.51.100.0/31",)),
        ),
        # p3 is missing on purpose: adding it is what a first deployment does.
        sessions=(
            Session("192.0.2.1", "192.0.2.11", 64501, "p1"),
            Session("2001:db8:1::1", "2001:db8:1::11", 64501, "p1"),
            Session("192.0.2.1", "192.0.2.12", 64502, "p2"),
            Session("198.51.100.0", "198.51.100.1", 64504, "p4"),
        ),
    )
    p1 = RouterSpec(
        name="p1",
        asn=64501,
        software="frr",
        router_id="192.0.2.11",
        interfaces=(Interface("ix0", IXP_SEGMENT, ("192.0.2.11/24", "2001:db8:1::11/64")),),
        sessions=(
            Session("192.0.2.11", "192.0.2.1", 64500, "r1"),
            Session("2001:db8:1::11", "2001:db8:1::1", 64500, "r1"),
        ),
        announced=(
            _subnets("203.0.113.0/24", 30, 50)
            + _subnets("2001:db8:100::/40", 48, 5)
            + P1_UNREGISTERED
        ),
        unregistered=P1_UNREGISTERED,
    )
    p2 = RouterSpec(
        name="p2",
        asn=64502,
        software="bird",
        router_id="192.0.2.12",
        interfaces=(Interface("ix0", IXP_SEGMENT, ("192.0.2.12/24", "2001:db8:1::12/64")),),
        sessions=(Session("192.0.2.12", "192.0.2.1", 64500, "r1"),),
        announced=_subnets("198.19.0.0/16", 32, 10_000),
    )
    p3 = RouterSpec(
        name="p3",
        asn=64503,
        software="bird",
        router_id="192.0.2.13",
        interfaces=(Interface("ix0", IXP_SEGMENT, ("192.0.2.13/24", "2001:db8:1::13/64")),),
        sessions=(
            Session("192.0.2.13", "192.0.2.1", 64500, "r1_v4"),
            Session("2001:db8:1::13", "2001:db8:1::1", 64500, "r1_v6"),
        ),
        announced=_subnets("203.0.113.224/27", 29, 4) + _subnets("2001:db8:300::/40", 48, 2),
    )
    p4 = RouterSpec(
        name="p4",
        asn=64504,
        software="bird",
        router_id="198.51.100.1",
        interfaces=(Interface("r1", "r1-p4", ("198.51.100.1/31",)),),
        sessions=(Session("198.51.100.1", "198.51.100.0", 64500, "r1"),),
        announced=_subnets("198.51.100.128/25", 28, 5),
    )
    # Managed over SSH with napalm-bird; its BGP sessions are what a deployment adds.
    rs1_mgmt = f"198.18.{instance}.12"
    rs1 = RouterSpec(
        name="rs1",
        asn=RS1_ASN,
        software="bird",
        router_id="192.0.2.100",
        mgmt_address=rs1_mgmt,
        interfaces=(
            Interface("mgmt0", MGMT_SEGMENT, (f"{rs1_mgmt}/24",)),
            Interface("ix0", IXP_SEGMENT, ("192.0.2.100/24", "2001:db8:1::100/64")),
        ),
        sessions=(),
    )
    return Topology(instance=instance, routers=(r1, p1, p2, p3, p4, rs1))
