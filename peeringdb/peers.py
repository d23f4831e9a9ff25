"""Available peers: the networks PeeringDB lists on an Internet exchange's IX LANs that the
inventory has no session with yet, (peeringdb.peer_sessions creates
sessions with those a user picks).

Per connection of the exchange (its IX LAN: peeringdb.links), each network present on the
IX LAN (`netixlan`) is either listed, with its addresses there in the families the
connection has and which of them already have a session, or left out, counted under why:

- OURS: its ASN is the exchange's local AS, a router's AS, or an affiliated AS;
- NOT_OPERATIONAL: PeeringDB says none of its ports there is operational;
- NO_ADDRESS: none of its addresses is usable on the connection (a family the connection
  lacks, outside the connection's subnet, the router's own address);
- PEERED: every usable address already has a session on the connection.

A network is a route server when its ASN is the IX LAN's route servers' ASN (`rs_asn`) or
its PeeringDB type is "Route Server". Reading costs a fixed number of queries, whatever
the number of connections and peers.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q

from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.links import IXLanLink, IXLink, connection_ixlans, ixp_ix
from peeringdb.models import IXLan, Network, NetworkIXLan

ROUTE_SERVER_TYPE = "Route Server"  # PeeringDB's net.info_type of a route server
# PeeringDB's general policies (net.policy_general) worth a word when creating sessions:
# "No" (the network does not peer), "Restrictive" (it seldom does).
NO_POLICY, RESTRICTIVE_POLICY = "No", "Restrictive"
OURS = "ours"
NOT_OPERATIONAL = "not operational"
NO_ADDRESS = "no address usable on this connection"
PEERED = "already a session on every address"
LEFT_OUT_ORDER = (OURS, NOT_OPERATIONAL, NO_ADDRESS, PEERED)


def policy_is(policy: str, which: str) -> bool:
    """Whether PeeringDB's general policy `policy` is `which` (NO_POLICY...), however
    spelt."""
    return policy.strip().lower() == which.lower()


@dataclass(frozen=True)
class PeerAddress:
    """One of a peer's addresses on the IX LAN, and whether the connection already has a
    session with it."""

    address: str
    has_session: bool = False


@dataclass
class AvailablePeer:
    """A network on a connection's IX LAN: `policy` is PeeringDB's policy_general ("Open",
    "" when not known), `ipv4` / `ipv6` its usable addresses, `is_rs_peer` whether it peers
    with the route servers, `is_route_server` whether it is one of them, `in_inventory`
    whether the inventory has its AS."""

    asn: int
    name: str
    policy: str
    ipv4: list[PeerAddress]
    ipv6: list[PeerAddress]
    is_rs_peer: bool
    is_route_server: bool
    in_inventory: bool

    @property
    def addresses(self) -> list[PeerAddress]:
        return [*self.ipv4, *self.ipv6]

    @property
    def new_addresses(self) -> list[str]:
        """The addresses a session would be created with (those without one)."""
        return [a.address for a in self.addresses if not a.has_session]

    @property
    def does_not_peer(self) -> bool:
        """Whether its PeeringDB policy is "No": it says it does not peer."""
        return policy_is(self.policy, NO_POLICY)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ConnectionPeers:
    """One connection's available peers (by ASN), its IX LAN link, the networks left out
    counted by why (LEFT_OUT_ORDER), and what our own PeeringDB entry on the IX LAN says of
    peering with the route servers (None: we have no entry there)."""

    connection: Connection
    link: IXLanLink
    peers: list[AvailablePeer] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)
    our_rs_peer: bool | None = None

    @property
    def left_out_line(self) -> str:
        """What was left out, counted by why ("3 left out: 1 ours, 2 not operational");
        "" when nothing was."""
        if not self.left_out:
            return ""
        reasons = ", ".join(f"{count} {why}" for why, count in self.left_out.items())
        return f"{sum(self.left_out.values())} left out: {reasons}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "connection": str(self.connection),
            "connection_id": self.connection.pk,
            "router": self.connection.router.name,
            "peeringdb": self.link.as_dict(),
            "we_peer_with_route_servers": self.our_rs_peer,
            "peers": [peer.as_dict() for peer in self.peers],
            "left_out": self.left_out,
        }


@dataclass
class AvailablePeers:
    """An exchange's available peers, per connection (ordered by router name), and its IX."""

    ixp: InternetExchange
    ix: IXLink
    connections: list[ConnectionPeers]

    @property
    def linked(self) -> bool:
        """Whether any connection has an IX LAN."""
        return any(c.link.linked for c in self.connections)

    @property
    def count(self) -> int:
        return sum(len(c.peers) for c in self.connections)

    @property
    def not_linked(self) -> str:
        """Why nothing can be listed, and the fix, in one sentence; "" when linked."""
        if self.linked:
            return ""
        if not self.connections:
            return f"{self.ixp} has no connections: add one with its peering LAN addresses."
        return (
            f"{self.ixp} is not linked to PeeringDB: no connection's subnet is a prefix of "
            "an IX LAN in the PeeringDB mirror; choose each connection's IX LAN on the "
            "connection (or synchronise the mirror: manage.py peeringdb_sync)."
        )

    def all_selection(self) -> dict[int, list[int]]:
        """Every listed peer, per connection pk, route servers only where our own
        PeeringDB entry on the IX LAN says we peer with the route servers, and none whose
        PeeringDB policy is "No" (it does not peer)."""
        return {
            c.connection.pk: [
                p.asn
                for p in c.peers
                if (not p.is_route_server or c.our_rs_peer) and not p.does_not_peer
            ]
            for c in self.connections
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: {"ixp", "peeringdb", "connections": [ConnectionPeers...]}."""
        return {
            "ixp": str(self.ixp),
            "peeringdb": self.ix.as_dict(),
            "linked": self.linked,
            "connections": [c.as_dict() for c in self.connections],
        }


@dataclass
class ExchangeRead:
    """What listing and creating sessions read, in a fixed number of queries (see
    read_exchange)."""

    ixp: InternetExchange
    connections: list[Connection]
    links: dict[int, IXLanLink]
    entries: dict[int, dict[int, list[NetworkIXLan]]]  # IX LAN id → ASN → its entries
    networks: dict[int, Network]  # by PeeringDB id
    sessions: dict[int, set[str]]  # connection pk → addresses with a session
    inventory: dict[int, int]  # ASN → AutonomousSystem pk, for the ASNs on the IX LANs
    ours: set[int]  # our ASNs
    local_asn: int | None = None  # the exchange's local AS


def read_exchange(ixp: InternetExchange, only: Connection | None = None) -> ExchangeRead:
    """The exchange's connections (or `only` this one), their IX LAN links, who is on the
    IX LANs, the sessions of the connections and the ASes of the inventory. At most seven
    queries: connections, prefixes, IX LANs, netixlans, networks, sessions, ASes."""
    connections = Connection.objects.select_related("internet_exchange", "router")
    if only is not None:
        connections = connections.filter(pk=only.pk)
    else:
        connections = connections.filter(internet_exchange=ixp).order_by("router__name", "pk")
    connections = list(connections)
    links = connection_ixlans(connections)
    read = ExchangeRead(
        ixp, connections, links, {}, {}, {c.pk: set() for c in connections}, {}, set()
    )
    ixlan_ids = {link.ixlan.pk for link in links.values() if link.ixlan is not None}
    if not ixlan_ids:
        return read
    entries: dict[int, dict[int, list[NetworkIXLan]]] = defaultdict(lambda: defaultdict(list))
    for entry in NetworkIXLan.objects.filter(ixlan_id__in=ixlan_ids).order_by("asn", "id"):
        entries[entry.ixlan_id][entry.asn].append(entry)
    read.entries = {ixlan_id: dict(by_asn) for ixlan_id, by_asn in entries.items()}
    net_ids = {e.net_id for by_asn in entries.values() for es in by_asn.values() for e in es}
    read.networks = Network.objects.in_bulk(list(net_ids)) if net_ids else {}
    rows = InternetExchangePeeringSession.objects.filter(ixp_connection__in=connections)
    for connection_id, address in rows.values_list("ixp_connection_id", "ip_address"):
        read.sessions[connection_id].add(address)
    asns = {asn for by_asn in entries.values() for asn in by_asn}
    local = {ixp.local_autonomous_system_id}
    local |= {c.router.local_autonomous_system_id for c in connections}
    for pk, asn, affiliated in AutonomousSystem.objects.filter(
        Q(asn__in=asns) | Q(affiliated=True) | Q(pk__in=local)
    ).values_list("pk", "asn", "affiliated"):
        read.inventory[asn] = pk
        if affiliated or pk in local:
            read.ours.add(asn)
        if pk == ixp.local_autonomous_system_id:
            read.local_asn = asn
    return read


def _unusable(connection: Connection, version: int, address: str) -> str:
    """Why a session with `address` cannot be on the connection; "" when it can."""
    subnet = connection.subnet(version)
    if subnet is None:
        return f"the connection has no IPv{version} address"
    ip = ipaddress.ip_address(address)
    if ip not in subnet:
        return f"not inside the connection's subnet {subnet}"
    own = connection.ipv4_address if version == 4 else connection.ipv6_address
    if ip == ipaddress.ip_interface(own).ip:
        return "the router's own address on this connection"
    return ""


@dataclass
class Presence:
    """One network's addresses on one connection's IX LAN: usable ones by family, in
    address order, and the others with why."""

    ipv4: list[PeerAddress] = field(default_factory=list)
    ipv6: list[PeerAddress] = field(default_factory=list)
    unusable: list[tuple[str, str]] = field(default_factory=list)  # (address, why)
    operational: bool = False
    is_rs_peer: bool = False

    @property
    def usable(self) -> list[PeerAddress]:
        return [*self.ipv4, *self.ipv6]

    @property
    def new_addresses(self) -> list[str]:
        return [a.address for a in self.usable if not a.has_session]


def presence_on(connection: Connection, entries: list[NetworkIXLan], known: set[str]) -> Presence:
    presence = Presence()
    seen: set[str] = set()
    for entry in entries:
        presence.operational |= entry.operational
        presence.is_rs_peer |= entry.is_rs_peer
        for version, address in ((4, entry.ipaddr4), (6, entry.ipaddr6)):
            if not address or address in seen:
                continue
            seen.add(address)
            why = "not operational in PeeringDB" if not entry.operational else ""
            why = why or _unusable(connection, version, address)
            if why:
                presence.unusable.append((address, why))
            else:
                family = presence.ipv4 if version == 4 else presence.ipv6
                family.append(PeerAddress(address, address in known))
    for family in (presence.ipv4, presence.ipv6):
        family.sort(key=lambda a: int(ipaddress.ip_address(a.address)))
    return presence


def _left_out(presence: Presence) -> str:
    """Why a network is not listed (NOT_OPERATIONAL, NO_ADDRESS, PEERED); "" if it is."""
    if not presence.operational:
        return NOT_OPERATIONAL
    if not presence.usable:
        return NO_ADDRESS
    if all(a.has_session for a in presence.usable):
        return PEERED
    return ""


def is_route_server(ixlan: IXLan, asn: int, network: Network | None) -> bool:
    return asn == ixlan.rs_asn or (network is not None and network.info_type == ROUTE_SERVER_TYPE)


def _our_rs_peer(
    connection: Connection, by_asn: dict[int, list[NetworkIXLan]], read: ExchangeRead
) -> bool | None:
    """What our own entry on the IX LAN says of peering with the route servers: the entry
    at the connection's address, else one of the exchange's local AS; None without one."""
    addresses = (connection.ipv4_address, connection.ipv6_address)
    own = {str(ipaddress.ip_interface(a).ip) for a in addresses if a}
    ours = [entry for asn in sorted(read.ours) for entry in by_asn.get(asn, [])]
    at_address = [e for e in ours if {e.ipaddr4, e.ipaddr6} & own]
    of_local = [e for e in ours if e.asn == read.local_asn]
    found = [*at_address, *of_local]
    return found[0].is_rs_peer if found else None


def _connection_peers(connection: Connection, read: ExchangeRead) -> ConnectionPeers:
    link = read.links[connection.pk]
    result = ConnectionPeers(connection, link)
    if link.ixlan is None:
        return result
    by_asn = read.entries.get(link.ixlan.pk, {})
    result.our_rs_peer = _our_rs_peer(connection, by_asn, read)
    left_out: Counter[str] = Counter()
    for asn, entries in sorted(by_asn.items()):
        if asn in read.ours:
            left_out[OURS] += 1
            continue
        presence = presence_on(connection, entries, read.sessions[connection.pk])
        why = _left_out(presence)
        if why:
            left_out[why] += 1
            continue
        network = read.networks.get(entries[0].net_id)
        result.peers.append(
            AvailablePeer(
                asn=asn,
                name=network.name if network else "",
                policy=network.policy_general if network else "",
                ipv4=presence.ipv4,
                ipv6=presence.ipv6,
                is_rs_peer=presence.is_rs_peer,
                is_route_server=is_route_server(link.ixlan, asn, network),
                in_inventory=asn in read.inventory,
            )
        )
    result.left_out = {why: left_out[why] for why in LEFT_OUT_ORDER if left_out[why]}
    return result


def available_peers(ixp: InternetExchange) -> AvailablePeers:
    """The exchange's available peers, per connection (see the module's docstring).

    At most eight queries (seven when its chosen IX is loaded with it:
    select_related("peeringdb_ix")), whatever the number of connections, networks and
    sessions. An exchange none of whose connections is linked lists none: `not_linked`
    says why and the fix.
    """
    read = read_exchange(ixp)
    ix = ixp_ix(ixp, read.links.values())
    return AvailablePeers(ixp, ix, [_connection_peers(c, read) for c in read.connections])
