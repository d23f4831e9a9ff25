"""Available peers: the networks PeeringDB lists on an Internet exchange's IX LANs that the
inventory has no session with yet, and the creation of sessions with those a user picks.

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
the number of connections and peers; creating sessions too (see create_sessions).
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from core.operations import InputError
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.links import IXLanLink, IXLink, connection_ixlans, ixp_ix
from peeringdb.models import IXLan, Network, NetworkIXLan
from peeringdb.records import new_autonomous_systems

ROUTE_SERVER_TYPE = "Route Server"  # PeeringDB's net.info_type of a route server
OURS = "ours"
NOT_OPERATIONAL = "not operational"
NO_ADDRESS = "no address usable on this connection"
PEERED = "already a session on every address"
LEFT_OUT_ORDER = (OURS, NOT_OPERATIONAL, NO_ADDRESS, PEERED)
HAS_SESSION = "already has a session"

# What create_sessions takes: ASNs per connection pk, or ASNs for every connection of the
# target on whose IX LAN they are.
Selection = Mapping[int, Collection[int]] | Collection[int]


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
        PeeringDB entry on the IX LAN says we peer with the route servers."""
        return {
            c.connection.pk: [p.asn for p in c.peers if not p.is_route_server or c.our_rs_peer]
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
class _Inventory:
    """What both services read, in a fixed number of queries (see _read)."""

    ixp: InternetExchange
    connections: list[Connection]
    links: dict[int, IXLanLink]
    entries: dict[int, dict[int, list[NetworkIXLan]]]  # IX LAN id → ASN → its entries
    networks: dict[int, Network]  # by PeeringDB id
    sessions: dict[int, set[str]]  # connection pk → addresses with a session
    inventory: dict[int, int]  # ASN → AutonomousSystem pk, for the ASNs on the IX LANs
    ours: set[int]  # our ASNs
    local_asn: int | None = None  # the exchange's local AS


def _read(ixp: InternetExchange, only: Connection | None = None) -> _Inventory:
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
    read = _Inventory(
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
class _Presence:
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


def _presence(connection: Connection, entries: list[NetworkIXLan], known: set[str]) -> _Presence:
    presence = _Presence()
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


def _left_out(presence: _Presence) -> str:
    """Why a network is not listed (NOT_OPERATIONAL, NO_ADDRESS, PEERED); "" if it is."""
    if not presence.operational:
        return NOT_OPERATIONAL
    if not presence.usable:
        return NO_ADDRESS
    if all(a.has_session for a in presence.usable):
        return PEERED
    return ""


def _is_route_server(ixlan: IXLan, asn: int, network: Network | None) -> bool:
    return asn == ixlan.rs_asn or (network is not None and network.info_type == ROUTE_SERVER_TYPE)


def _our_rs_peer(
    connection: Connection, by_asn: dict[int, list[NetworkIXLan]], read: _Inventory
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


def _connection_peers(connection: Connection, read: _Inventory) -> ConnectionPeers:
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
        presence = _presence(connection, entries, read.sessions[connection.pk])
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
                is_route_server=_is_route_server(link.ixlan, asn, network),
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
    read = _read(ixp)
    ix = ixp_ix(ixp, read.links.values())
    return AvailablePeers(ixp, ix, [_connection_peers(c, read) for c in read.connections])


@dataclass(frozen=True)
class CreatedSession:
    """A session create_sessions created."""

    connection: str
    asn: int
    name: str
    address: str
    is_route_server: bool


@dataclass(frozen=True)
class SkippedAddress:
    """An address of a selected peer that got no session, and why."""

    connection: str
    asn: int
    address: str
    why: str


@dataclass
class SessionsCreated:
    """What create_sessions did: the sessions created, the addresses skipped (each with
    why), and the ASes it added to the inventory ("AS64502 Peer Two")."""

    ixp: str
    created: list[CreatedSession] = field(default_factory=list)
    skipped: list[SkippedAddress] = field(default_factory=list)
    new_ases: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One sentence: how many sessions were created, ASes added, addresses skipped."""
        count = len(self.created)
        line = f"Created {count} session{'' if count == 1 else 's'} on {self.ixp}"
        if self.new_ases:
            line += f" ({len(self.new_ases)} new AS{'' if len(self.new_ases) == 1 else 'es'})"
        if self.skipped:
            skipped = len(self.skipped)
            line += f"; skipped {skipped} address{'' if skipped == 1 else 'es'}"
        return line + "."

    def sentence(self, limit: int = 10) -> str:
        """The summary, then what was created and skipped (the first `limit` of each), for a
        page's message."""
        parts = [self.summary]
        for what, items in (
            ("Created", [f"AS{s.asn} {s.address}" for s in self.created]),
            ("Skipped", [f"AS{s.asn} {s.address} ({s.why})" for s in self.skipped]),
        ):
            if items:
                more = f" and {len(items) - limit} more" if len(items) > limit else ""
                parts.append(f"{what}: {', '.join(items[:limit])}{more}.")
        return " ".join(parts)

    def lines(self) -> list[str]:
        """A line per new AS, session created and address skipped, then the summary."""
        lines = [f"new AS {name} in the inventory" for name in self.new_ases]
        for s in self.created:
            rs = " (route server)" if s.is_route_server else ""
            lines.append(f"{s.connection}: created AS{s.asn} {s.name} {s.address}{rs}")
        lines += [f"{s.connection}: skipped AS{s.asn} {s.address}: {s.why}" for s in self.skipped]
        return [*lines, self.summary]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def _asn_list(asns: Collection[int]) -> str:
    shown = [f"AS{asn}" for asn in sorted(asns)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _wanted(read: _Inventory, target: str, selection: Selection) -> dict[int, list[int]]:
    """The selection as ASNs per connection pk, checked: InputError on anything not an
    available peer's ASN on that connection's IX LAN (an unknown connection or ASN, a
    connection not linked, one of our ASes)."""
    by_pk = {c.pk: c for c in read.connections}
    linked = [c for c in read.connections if read.links[c.pk].linked]
    if not linked:
        raise InputError(
            f"{target} is not linked to PeeringDB (choose its IX LAN on each connection): "
            "nothing was created."
        )

    def present(connection: Connection) -> set[int]:
        return set(read.entries.get(read.links[connection.pk].ixlan.pk, {}))

    if isinstance(selection, Mapping):
        wanted = {pk: sorted(set(asns)) for pk, asns in selection.items() if asns}
        for pk, asns in wanted.items():
            if pk not in by_pk:
                raise InputError(f"Connection {pk} is not one of {target}'s: nothing was created.")
            connection = by_pk[pk]
            if not read.links[pk].linked:
                raise InputError(
                    f"{connection} is not linked to PeeringDB (choose its IX LAN on the "
                    "connection): nothing was created."
                )
            unknown = set(asns) - present(connection)
            if unknown:
                are = "is" if len(unknown) == 1 else "are"
                raise InputError(
                    f"{_asn_list(unknown)} {are} not on the IX LAN of {connection} in "
                    "PeeringDB: nothing was created."
                )
    else:
        asns = set(selection)
        wanted = {c.pk: sorted(asns & present(c)) for c in linked}
        wanted = {pk: asns for pk, asns in wanted.items() if asns}
        unknown = asns - {asn for found in wanted.values() for asn in found}
        if unknown:
            are = "is" if len(unknown) == 1 else "are"
            raise InputError(
                f"{_asn_list(unknown)} {are} on none of {target}'s IX LANs in PeeringDB: "
                "nothing was created."
            )
    if not wanted:
        raise InputError("No peer selected: nothing was created.")
    ours = {asn for asns in wanted.values() for asn in asns} & read.ours
    if ours:
        are = "is" if len(ours) == 1 else "are"
        raise InputError(f"{_asn_list(ours)} {are} ours, not a peer: nothing was created.")
    return wanted


def _validated(obj: AutonomousSystem | InternetExchangePeeringSession, what: str) -> None:
    """full_clean, as a form would; uniqueness is known already (checked by the database
    again on insert), and the foreign keys are objects just read."""
    try:
        obj.full_clean(
            exclude=["ixp_connection", "autonomous_system"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise InputError(f"{what}: {' '.join(exc.messages)} Nothing was created.") from None


@dataclass(frozen=True)
class _Planned:
    connection: Connection
    asn: int
    name: str
    address: str
    is_route_server: bool


def _plan(
    read: _Inventory, wanted: dict[int, list[int]], result: SessionsCreated
) -> list[_Planned]:
    """The sessions to create with the wanted peers; the addresses skipped go to `result`."""
    planned = []
    for connection in read.connections:
        ixlan = read.links[connection.pk].ixlan
        for asn in wanted.get(connection.pk, []):
            entries = read.entries[ixlan.pk][asn]
            network = read.networks.get(entries[0].net_id)
            name = network.name if network else ""
            is_rs = _is_route_server(ixlan, asn, network)
            presence = _presence(connection, entries, read.sessions[connection.pk])
            unusable = [(a.address, HAS_SESSION) for a in presence.usable if a.has_session]
            for address, why in [*unusable, *presence.unusable]:
                result.skipped.append(SkippedAddress(str(connection), asn, address, why))
            planned += [
                _Planned(connection, asn, name, address, is_rs)
                for address in presence.new_addresses
            ]
    return planned


@transaction.atomic
def create_sessions(target: InternetExchange | Connection, selection: Selection) -> SessionsCreated:
    """Create sessions with the selected peers of `target` (an exchange, or one connection),
    in one transaction: all of them, or none.

    `selection`: {connection pk: ASNs}, or ASNs, meaning each on every connection of
    `target` on whose IX LAN it is. Each selected peer gets a session on each of its
    addresses on the IX LAN in a family the connection has, except those that already have
    one or that cannot be used (skipped, with why); `is_route_server` for route servers.
    An AS new to the inventory is created from its PeeringDB record
    (peeringdb.records). Every new row is validated as a form would (full_clean).

    Raises InputError (one sentence; nothing is created) for a selection that names no
    peer, an unknown connection or ASN, a connection not linked to PeeringDB, one of our
    ASes, a row that fails validation, or a session someone created meanwhile. A fixed
    number of queries, whatever the number of sessions.
    """
    if isinstance(target, Connection):
        ixp, only = target.internet_exchange, target
        if not isinstance(selection, Mapping):
            selection = {target.pk: selection}
    else:
        ixp, only = target, None
    read = _read(ixp, only)
    wanted = _wanted(read, str(target), selection)
    result = SessionsCreated(str(ixp))
    planned = _plan(read, wanted, result)
    new = new_autonomous_systems({p.asn for p in planned} - set(read.inventory))
    for autonomous_system in new:
        _validated(autonomous_system, f"AS{autonomous_system.asn}")
    sessions = [
        InternetExchangePeeringSession(
            ixp_connection=p.connection,
            autonomous_system_id=read.inventory.get(p.asn),
            ip_address=p.address,
            is_route_server=p.is_route_server,
        )
        for p in planned
    ]
    for session, p in zip(sessions, planned, strict=True):
        _validated(session, f"AS{p.asn} {p.address} on {p.connection}")
    try:
        with transaction.atomic():
            if new:
                AutonomousSystem.objects.bulk_create(new)
                added = AutonomousSystem.objects.filter(asn__in=[a.asn for a in new])
                ids = dict(added.values_list("asn", "pk"))
                for session, p in zip(sessions, planned, strict=True):
                    session.autonomous_system_id = session.autonomous_system_id or ids[p.asn]
            InternetExchangePeeringSession.objects.bulk_create(sessions)
    except IntegrityError:
        raise InputError(
            f"The inventory changed while sessions were created on {target} (a session or "
            "an AS was added meanwhile): nothing was created; try again."
        ) from None
    result.new_ases = [str(a) for a in new]
    result.created = [
        CreatedSession(str(p.connection), p.asn, p.name, p.address, p.is_route_server)
        for p in planned
    ]
    return result
