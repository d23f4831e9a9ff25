"""Sessions with the available peers a user picks (peeringdb.peers lists them): created in
bulk, in one transaction, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from changelog.entries import record_created
from core.operations import InputError
from core.validators import validate_asn
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.peers import (
    NO_POLICY,
    RESTRICTIVE_POLICY,
    AvailablePeers,
    ExchangeRead,
    is_route_server,
    policy_is,
    presence_on,
    read_exchange,
)
from peeringdb.records import new_autonomous_systems

HAS_SESSION = "already has a session"
ADD_AS_PERMISSION = "peering.add_autonomoussystem"


def peer_label(asn: int, name: str) -> str:
    """A peer for a person: its ASN and name ("AS64505 Peer Five"), its ASN alone when the
    network has no name."""
    return f"AS{asn} {name}" if name.strip() else f"AS{asn}"


def checked_asn(asn: int) -> int:
    """`asn` when it is an AS number (core.validators.validate_asn); else InputError, one
    sentence that says why and that nothing was created."""
    try:
        validate_asn(asn)
    except ValidationError as exc:
        raise InputError(f"{exc.messages[0].removesuffix('.')}; nothing was created.") from None
    return asn


def route_servers_left_out(peers: AvailablePeers, create_option: str) -> list[str]:
    """A line per connection whose route servers every_peer leaves out, and why (a route
    server is named in `create_option` to have it anyway)."""
    lines = []
    for item in peers.connections:
        servers = [f"AS{p.asn}" for p in item.peers if p.is_route_server]
        if servers and not item.our_rs_peer:
            said = "has no entry" if item.our_rs_peer is None else "does not say we peer"
            lines.append(
                f"{item.connection}: left out route server {', '.join(servers)}: our PeeringDB "
                f"entry on the IX LAN {said} with the route servers (name it in {create_option})"
            )
    return lines


def no_policy_left_out(peers: AvailablePeers, create_option: str) -> list[str]:
    """A line per connection whose peers every_peer leaves out because their PeeringDB
    policy is "No" (they do not peer; route servers left out anyway are not repeated)."""
    lines = []
    for item in peers.connections:
        named = [
            peer_label(p.asn, p.name)
            for p in item.peers
            if p.does_not_peer and (not p.is_route_server or item.our_rs_peer)
        ]
        if named:
            them = "it" if len(named) == 1 else "them"
            lines.append(
                f"{item.connection}: left out {', '.join(named)}: PeeringDB policy No, "
                f"the network does not peer (name {them} in {create_option})"
            )
    return lines


def every_peer(
    peers: AvailablePeers, all_option: str, create_option: str
) -> tuple[dict[int, list[int]], list[str]]:
    """What "every available peer" selects (AvailablePeers.all_selection: ASNs per
    connection pk), and a line per peer it leaves out and why. `all_option` ("--all")
    and `create_option` ("--create") are what the door calls the choice of every peer and
    the list of ASNs, for its sentences. InputError when the exchange is not linked to
    PeeringDB or nothing is left to create."""
    if not peers.linked:
        raise InputError(peers.not_linked)
    selection = {pk: asns for pk, asns in peers.all_selection().items() if asns}
    left_out = [
        *route_servers_left_out(peers, create_option),
        *no_policy_left_out(peers, create_option),
    ]
    if not selection and left_out:
        raise InputError(
            f"{all_option} leaves out every available peer of {peers.ixp} "
            f"({'; '.join(left_out)}): nothing to create."
        )
    if not selection:
        raise InputError(f"{peers.ixp} has no available peers: nothing to create.")
    return selection, left_out


# What create_sessions takes: ASNs per connection pk, or ASNs for every connection of the
# target on whose IX LAN they are.
Selection = Mapping[int, Collection[int]] | Collection[int]


@dataclass(frozen=True)
class CreatedSession:
    """A session create_sessions created: on `connection` ("Demo IX on r1"), whose router
    is `router` (with the connection's address when the router has several connections to
    the exchange: "r1 192.0.2.3/24")."""

    connection: str
    router: str
    asn: int
    name: str
    address: str
    is_route_server: bool
    policy: str = ""  # PeeringDB's general policy ("Open"...; "" when not known)

    @property
    def policy_note(self) -> str:
        """The policy in words after a session, when PeeringDB's is Restrictive or No (a
        session with such a network may never come up): " (policy Restrictive)"; else ""."""
        if any(policy_is(self.policy, which) for which in (RESTRICTIVE_POLICY, NO_POLICY)):
            return f" (policy {self.policy.strip()})"
        return ""


@dataclass(frozen=True)
class SkippedAddress:
    """An address of a selected peer that got no session, and why (`connection` and
    `router` as CreatedSession's)."""

    connection: str
    router: str
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
        """The summary, then what was created and skipped (the first `limit` of each, each
        once), for a page's message. Each names its router when sessions were created or
        skipped on more than one connection."""
        parts = [self.summary]
        connections = {s.router for s in [*self.created, *self.skipped]}

        def on(item: CreatedSession | SkippedAddress) -> str:
            return f" on {item.router}" if len(connections) > 1 else ""

        for what, items in (
            ("Created", [f"AS{s.asn} {s.address}{on(s)}{s.policy_note}" for s in self.created]),
            ("Skipped", [f"AS{s.asn} {s.address}{on(s)} ({s.why})" for s in self.skipped]),
        ):
            items = list(dict.fromkeys(items))
            if items:
                more = f" and {len(items) - limit} more" if len(items) > limit else ""
                parts.append(f"{what}: {', '.join(items[:limit])}{more}.")
        return " ".join(parts)

    def lines(self) -> list[str]:
        """A line per new AS, session created and address skipped, then the summary."""
        lines = [f"new AS {name} in the inventory" for name in self.new_ases]
        for s in self.created:
            rs = " (route server)" if s.is_route_server else ""
            peer = peer_label(s.asn, s.name)
            lines.append(f"{s.connection}: created {peer} {s.address}{rs}{s.policy_note}")
        lines += [f"{s.connection}: skipped AS{s.asn} {s.address}: {s.why}" for s in self.skipped]
        return [*lines, self.summary]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def _asn_list(asns: Collection[int]) -> str:
    shown = [f"AS{asn}" for asn in sorted(asns)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _wanted(read: ExchangeRead, target: str, selection: Selection) -> dict[int, list[int]]:
    """The selection as ASNs per connection pk, checked: InputError on anything not an
    available peer's ASN on that connection's IX LAN (a number that is no AS number, an
    unknown connection or ASN, a connection not linked, one of our ASes)."""
    selected = selection.values() if isinstance(selection, Mapping) else [selection]
    for asn in sorted({asn for asns in selected for asn in asns}):
        checked_asn(asn)
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
    router: str
    asn: int
    name: str
    address: str
    is_route_server: bool
    policy: str


def _routers(connections: list[Connection]) -> dict[int, str]:
    """Each connection's router name, by connection pk, with the connection's address when
    the router has several of these connections."""
    names = Counter(c.router.name for c in connections)
    return {
        c.pk: c.router.name
        if names[c.router.name] == 1
        else f"{c.router.name} {c.ipv4_address or c.ipv6_address}"
        for c in connections
    }


def _plan(
    read: ExchangeRead, wanted: dict[int, list[int]], result: SessionsCreated
) -> list[_Planned]:
    """The sessions to create with the wanted peers; the addresses skipped go to `result`."""
    planned = []
    routers = _routers(read.connections)
    for connection in read.connections:
        ixlan = read.links[connection.pk].ixlan
        for asn in wanted.get(connection.pk, []):
            entries = read.entries[ixlan.pk][asn]
            network = read.networks.get(entries[0].net_id)
            name = network.name if network else ""
            policy = network.policy_general if network else ""
            is_rs = is_route_server(ixlan, asn, network)
            presence = presence_on(connection, entries, read.sessions[connection.pk])
            unusable = [(a.address, HAS_SESSION) for a in presence.usable if a.has_session]
            router = routers[connection.pk]
            for address, why in [*unusable, *presence.unusable]:
                result.skipped.append(SkippedAddress(str(connection), router, asn, address, why))
            planned += [
                _Planned(connection, router, asn, name, address, is_rs, policy)
                for address in presence.new_addresses
            ]
    return planned


def _refuse_new_ases(asns: Collection[int]) -> NoReturn:
    """InputError: these ASes are needed and may not be added to the inventory."""
    are = "is" if len(asns) == 1 else "are"
    them = "it" if len(asns) == 1 else "them"
    raise InputError(
        f"{_asn_list(asns)} {are} not in the inventory, and adding {them} needs the "
        f"permission to add autonomous systems ({ADD_AS_PERMISSION}): nothing was created."
    )


def _keys_of(sessions: list[InternetExchangePeeringSession]) -> list[int]:
    """The primary keys of `sessions` just created, found by connection and address (what
    makes a session unique), whatever bulk_create returned. One query."""
    wanted = {(s.ixp_connection_id, s.ip_address) for s in sessions}
    rows = InternetExchangePeeringSession.objects.filter(
        ixp_connection__in={connection for connection, _ in wanted},
        ip_address__in={address for _, address in wanted},
    ).values_list("pk", "ixp_connection_id", "ip_address")
    return [pk for pk, connection, address in rows if (connection, address) in wanted]


@transaction.atomic
def create_sessions(
    target: InternetExchange | Connection, selection: Selection, *, may_create_ases: bool = True
) -> SessionsCreated:
    """Create sessions with the selected peers of `target` (an exchange, or one connection),
    in one transaction: all of them, or none.

    `selection`: {connection pk: ASNs}, or ASNs, meaning each on every connection of
    `target` on whose IX LAN it is. Each selected peer gets a session on each of its
    addresses on the IX LAN in a family the connection has, except those that already have
    one or that cannot be used (skipped, with why); `is_route_server` for route servers.
    An AS new to the inventory is created from its PeeringDB record
    (peeringdb.records), when `may_create_ases` (whoever asks may add ASes; a page passes
    the user's permission). Every new row is validated as a form would (full_clean).

    Raises InputError (one sentence; nothing is created) for a selection that names no
    peer, a number that is no AS number, an unknown connection or ASN, a connection not
    linked to PeeringDB, one of our ASes, ASes new to the inventory when not
    `may_create_ases` (naming them), a row that fails validation, or a session someone
    created meanwhile. A fixed number of queries, whatever the number of sessions.
    """
    if isinstance(target, Connection):
        ixp, only = target.internet_exchange, target
        if not isinstance(selection, Mapping):
            selection = {target.pk: selection}
    else:
        ixp, only = target, None
    read = read_exchange(ixp, only)
    wanted = _wanted(read, str(target), selection)
    result = SessionsCreated(str(ixp))
    planned = _plan(read, wanted, result)
    missing = {p.asn for p in planned} - set(read.inventory)
    if missing and not may_create_ases:
        _refuse_new_ases(missing)
    new = new_autonomous_systems(missing)
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
            ids: dict[int, int] = {}
            if new:
                AutonomousSystem.objects.bulk_create(new)
                added = AutonomousSystem.objects.filter(asn__in=[a.asn for a in new])
                ids = dict(added.values_list("asn", "pk"))
                for session, p in zip(sessions, planned, strict=True):
                    session.autonomous_system_id = session.autonomous_system_id or ids[p.asn]
            InternetExchangePeeringSession.objects.bulk_create(sessions)
            # The change log: bulk_create sends no signal.
            record_created(
                {
                    AutonomousSystem: ids.values(),
                    InternetExchangePeeringSession: _keys_of(sessions),
                }
            )
    except IntegrityError:
        raise InputError(
            f"The inventory changed while sessions were created on {target} (a session or "
            "an AS was added meanwhile): nothing was created; try again."
        ) from None
    # An AS named after its number (PeeringDB gives no name) is named once.
    result.new_ases = [peer_label(a.asn, "" if a.name == f"AS{a.asn}" else a.name) for a in new]
    result.created = [
        CreatedSession(
            str(p.connection),
            p.router,
            p.asn,
            p.name,
            p.address,
            p.is_route_server,
            p.policy,
        )
        for p in planned
    ]
    return result
