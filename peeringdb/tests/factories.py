"""PeeringDB mirror rows for tests, made with the ORM, and the demo's exchange on both sides.

`demo_exchange()` is the demo inventory's exchange (peering.demo): "Demo IX" of AS64500,
r1's connection at 192.0.2.1/24 and 2001:db8:1::1/64, sessions with AS64501 (IPv4 and
IPv6), AS64502 (IPv4) and AS64503 (IPv4 and IPv6).

`demo_ixlan()` is the lab's Demo IX as PeeringDB lists it: IX LAN 1 with the prefixes
192.0.2.0/24 and 2001:db8:1::/64 and route servers of AS64510; on it, our AS64500 at
192.0.2.1 and 2001:db8:1::1, the demo's peers (AS64501 at .11 and ::11, AS64502 at .12
and ::12, AS64503 at .13 and ::13), five more networks at .15 to .19 (DEMO_NETWORKS) and
the route servers at .253 and .254.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from itertools import count
from typing import Any

from core.tests.builders import our_as, router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan

WHEN = datetime(2025, 1, 1, tzinfo=UTC)
_ids = count(1000)

# (asn, name, policy, type, IPv4 suffix or None, IPv6 suffix or None, peers with the RS)
DEMO_NETWORKS = [
    (64500, "Peerkeeper Demo", "Open", "Content", 1, 1, True),
    (64501, "Peer One", "Open", "NSP", 11, 11, True),
    (64502, "Peer Two", "Selective", "Cable/DSL/ISP", 12, 12, False),
    (64503, "Peer Three", "Restrictive", "NSP", 13, 13, True),
    (64505, "Peer Five", "Open", "Content", 15, 15, True),
    (64506, "Peer Six", "Selective", "NSP", 16, None, False),
    (64507, "Peer Seven", "No", "Enterprise", 17, 17, False),
    (64508, "Peer Eight", "Open", "Educational/Research", None, 18, True),
    (64509, "Peer Nine", "Open", "", 19, 19, True),
]
DEMO_RS_ASN = 64510


def _stamps(fields: dict[str, Any]) -> dict[str, Any]:
    fields.setdefault("created", WHEN)
    fields.setdefault("updated", WHEN)
    return fields


def network(asn: int, name: str | None = None, **fields: Any) -> Network:
    """The PeeringDB network of `asn` (created the first time)."""
    found = Network.objects.filter(asn=asn).first()
    if found is not None:
        return found
    fields.setdefault("id", asn)
    return Network.objects.create(asn=asn, name=name or f"Network {asn}", **_stamps(fields))


def ix(name: str = "Demo IX", **fields: Any) -> IX:
    """An IX (created the first time)."""
    found = IX.objects.filter(name=name).first()
    if found is not None:
        return found
    fields.setdefault("id", next(_ids))
    return IX.objects.create(name=name, **_stamps(fields))


def ixlan(of: IX, *prefixes: str, **fields: Any) -> IXLan:
    """A new IX LAN of `of`, with these prefixes (normalised already)."""
    fields.setdefault("id", next(_ids))
    lan = IXLan.objects.create(ix=of, **_stamps(fields))
    for prefix in prefixes:
        IXLanPrefix.objects.create(
            id=next(_ids),
            ixlan=lan,
            prefix=prefix,
            protocol="IPv6" if ":" in prefix else "IPv4",
            **_stamps({}),
        )
    return lan


def netixlan(
    on: IXLan, of: Network, ipaddr4: str | None = None, ipaddr6: str | None = None, **fields: Any
) -> NetworkIXLan:
    """`of`'s port on `on`, at these addresses (normalised already)."""
    fields.setdefault("id", next(_ids))
    return NetworkIXLan.objects.create(
        ixlan=on,
        net=of,
        ix_id=on.ix_id,
        asn=of.asn,
        ipaddr4=ipaddr4,
        ipaddr6=ipaddr6,
        **_stamps(fields),
    )


def demo_ixlan() -> IXLan:
    """The lab's Demo IX as PeeringDB lists it (see the module's docstring); created the
    first time, the same IX LAN afterwards."""
    existing = IXLan.objects.filter(pk=1).first()
    if existing is not None:
        return existing
    demo = ix("Demo IX", id=1, city="Lab")
    lan = ixlan(demo, "192.0.2.0/24", "2001:db8:1::/64", id=1, rs_asn=DEMO_RS_ASN)
    for asn, name, policy, kind, v4, v6, rs_peer in DEMO_NETWORKS:
        of = network(
            asn,
            name,
            policy_general=policy,
            info_type=kind,
            irr_as_set=f"AS-PEER{asn}",
            info_prefixes4=100 if v4 else None,
            info_prefixes6=20 if v6 else None,
        )
        netixlan(
            lan,
            of,
            f"192.0.2.{v4}" if v4 else None,
            f"2001:db8:1::{v6}" if v6 else None,
            is_rs_peer=rs_peer,
            speed=10_000,
        )
    servers = network(
        DEMO_RS_ASN, "Demo IX Route Servers", policy_general="Open", info_type="Route Server"
    )
    netixlan(lan, servers, "192.0.2.253", "2001:db8:1::253", speed=1000)
    netixlan(lan, servers, "192.0.2.254", "2001:db8:1::254", speed=1000)
    return lan


# (peer asn, name, address) of the demo inventory's sessions
DEMO_SESSIONS = [
    (64501, "Peer One", "192.0.2.11"),
    (64501, "Peer One", "2001:db8:1::11"),
    (64502, "Peer Two", "192.0.2.12"),
    (64503, "Peer Three", "192.0.2.13"),
    (64503, "Peer Three", "2001:db8:1::13"),
]


def demo_exchange(**connection: Any) -> InternetExchange:
    """The demo inventory's Demo IX (see the module's docstring); `connection` overrides
    fields of r1's connection (ipv6_address=None: IPv4 only)."""
    exchange = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=our_as()
    )
    fields = {"ipv4_address": "192.0.2.1/24", "ipv6_address": "2001:db8:1::1/64", **connection}
    port = Connection.objects.create(internet_exchange=exchange, router=router("r1"), **fields)
    for asn, name, address in DEMO_SESSIONS:
        ip = ipaddress.ip_address(address)
        subnet = port.subnet(ip.version)
        if subnet is None or ip not in subnet:
            continue
        peer = AutonomousSystem.objects.get_or_create(asn=asn, defaults={"name": name})[0]
        InternetExchangePeeringSession.objects.create(
            ixp_connection=port, autonomous_system=peer, ip_address=address
        )
    return exchange
