"""Discover the sessions routers already have on an Internet exchange.

For each connection to the IXP: read the router's BGP neighbours, keep those inside the
connection's subnets, and create the sessions the inventory lacks (with an AS made from its
PeeringDB record when the ASN is new, else named "AS<asn>"; a neighbour for which the
router reported no AS at all takes the ASN PeeringDB lists at its address, while one whose
AS it reported as something that is no AS number, such as "internal", is ignored with
why). Existing sessions are never changed. A connection whose router NAPALM must not or
cannot be used on (disabled, no platform, no driver) is skipped, as polls and deployments
skip such a router: not a failure.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction

from changelog.entries import record_created
from core.log_format import ROUTER_DETAIL
from core.operations import (
    BatchResult,
    Category,
    Operation,
    RouterResult,
    batch,
    run_operation,
    unexpected,
)
from core.validators import validate_asn
from devices.models import Router
from devices.napalm import (
    DriverSettings,
    connect,
    driver_settings,
    session_secrets,
    unusable_reason,
)
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.neighbors import Neighbor, normalise_vrf, read_neighbors
from peeringdb.links import peeringdb_asns
from peeringdb.records import new_autonomous_systems

logger = logging.getLogger(__name__)

NOT_REPORTED = "the router did not report the peer's AS"


@dataclass
class Found:
    address: str
    asn: int | None
    why: str = ""


@dataclass
class ConnectionDiscovery(RouterResult):
    """One connection's discovery (core.operations.RouterResult, `label` the connection):
    the neighbours created (or, in a dry run, to create), already known and ignored (each
    with why). Skipped or failed as its router is."""

    connection: str = ""
    dry_run: bool = False
    created: list[Found] = field(default_factory=list)
    known: list[Found] = field(default_factory=list)
    ignored: list[Found] = field(default_factory=list)
    done: ClassVar[str] = "read"
    statuses: ClassVar[tuple[str, ...]] = ("read", "failed", "skipped")

    @property
    def label(self) -> str:
        return self.connection

    @property
    def verb(self) -> str:
        return "would create" if self.dry_run else "created"

    def done_line(self) -> str:
        return (
            f"{len(self.created)} {self.verb}, {len(self.known)} already known, "
            f"{len(self.ignored)} ignored"
        )

    def detail_lines(self, verbose: bool = False) -> list[str]:
        return [
            f"  {self.verb} {found.address} AS{found.asn}" + (f": {found.why}" if found.why else "")
            for found in self.created
        ] + [f"  ignored {found.address}: {found.why}" for found in self.ignored]

    @classmethod
    def batch_note(cls, results: list[ConnectionDiscovery]) -> str:
        created = sum(len(result.created) for result in results)
        sessions = "session" if created == 1 else "sessions"
        dry_run = bool(results) and results[0].dry_run
        return f"; {created} {sessions} {'to create' if dry_run else 'created'}"


@dataclass
class _NeighborsRead(RouterResult):
    neighbors: list[Neighbor] = field(default_factory=list, repr=False)


class _ReadNeighbors(Operation[Router, DriverSettings, _NeighborsRead]):
    """Each router of the IXP read once, whatever its number of connections there."""

    name = "discovery"
    doing = "reading the neighbours"
    result_type = _NeighborsRead

    def __init__(self, routers: list[Router]) -> None:
        self.secrets = session_secrets(routers)

    def plan(self, router: Router) -> DriverSettings | _NeighborsRead:
        reason = unusable_reason(router)
        if reason:
            return _NeighborsRead(router.name).skip(reason)
        return driver_settings(router, self.secrets[router.pk])

    def plan_name(self, settings: DriverSettings) -> str:
        return settings.router

    def run(self, settings: DriverSettings) -> _NeighborsRead:
        with connect(settings) as device:
            neighbors = read_neighbors(device, False, settings.driver, settings.router)
        return _NeighborsRead(settings.router, neighbors=neighbors)


def _address_order(neighbor: Neighbor) -> tuple[int, int]:
    address = ipaddress.ip_address(neighbor.address)
    return address.version, int(address)


def _not_reported(neighbor: Neighbor) -> bool:
    """Whether the router reported no AS at all for the neighbour (not one that is no AS
    number: peering.neighbors fills `remote_as_error` then)."""
    return neighbor.remote_as is None and not neighbor.remote_as_error


def _classify(
    connection: Connection, neighbors: list[Neighbor], known: set[str], report: ConnectionDiscovery
) -> list[Found]:
    """Sort the router's neighbours into known, ignored and to-create for one connection.
    A neighbour for which the router reported no AS at all (none, or 0) takes the ASN
    PeeringDB lists at its address on the connection's IX LAN, when it lists one (its `why`
    says so). One whose AS the router reported as something else than an AS number
    ("internal", "external": `remote_as_error`) is ignored with that reason: PeeringDB's
    entry at the address says nothing of what the router is configured with."""
    subnets = [s for s in (connection.subnet(4), connection.subnet(6)) if s is not None]
    own = {
        str(ipaddress.ip_interface(a).ip)
        for a in (connection.ipv4_address, connection.ipv6_address)
        if a
    }
    vrf = normalise_vrf(connection.vrf)
    wanted = " or ".join(str(s) for s in subnets)
    unnamed = {n.address for n in neighbors if _not_reported(n) and n.address not in known}
    named = peeringdb_asns(connection, unnamed) if unnamed else {}
    to_create = []
    for neighbor in sorted(neighbors, key=_address_order):
        found = Found(neighbor.address, neighbor.remote_as)
        address = ipaddress.ip_address(neighbor.address)
        if not any(address in subnet for subnet in subnets):
            found.why = f"not inside {wanted}"
        elif neighbor.vrf != vrf:
            found.why = (
                f"in VRF {neighbor.vrf or 'default'}, the connection is in VRF {vrf or 'default'}"
            )
        elif neighbor.address in own:
            found.why = "the router's own address"
        elif neighbor.address in known:
            report.known.append(found)
            continue
        elif neighbor.remote_as_error or (
            neighbor.remote_as is None and neighbor.address not in named
        ):
            found.why = neighbor.remote_as_error or NOT_REPORTED
        else:
            found.asn = named.get(neighbor.address, neighbor.remote_as)
            try:
                validate_asn(found.asn)
            except ValidationError as exc:
                found.why = exc.messages[0]
        if found.why:
            report.ignored.append(found)
            continue
        if neighbor.remote_as is None:
            found.why = f"AS named by PeeringDB ({NOT_REPORTED})"
        to_create.append(found)
    return to_create


@transaction.atomic
def _create(connection: Connection, found: list[Found]) -> None:
    """Create the sessions, and their ASes new to the inventory: from the AS's PeeringDB
    record when the mirror has it, else named "AS<asn>"."""
    asns = {item.asn for item in found}
    existing = set(AutonomousSystem.objects.filter(asn__in=asns).values_list("asn", flat=True))
    AutonomousSystem.objects.bulk_create(new_autonomous_systems(asns - existing))
    by_asn = {a.asn: a for a in AutonomousSystem.objects.filter(asn__in=asns)}
    sessions = [
        InternetExchangePeeringSession(
            ixp_connection=connection, autonomous_system=by_asn[item.asn], ip_address=item.address
        )
        for item in found
    ]
    InternetExchangePeeringSession.objects.bulk_create(sessions)
    # The change log (bulk_create sends no signal): the new ASes and sessions, found by
    # their natural keys.
    created = InternetExchangePeeringSession.objects.filter(
        ixp_connection=connection, ip_address__in=[s.ip_address for s in sessions]
    )
    record_created(
        {
            AutonomousSystem: [by_asn[asn].pk for asn in asns - existing],
            InternetExchangePeeringSession: created.values_list("pk", flat=True),
        }
    )


def discover_ixp_sessions(
    ixp: InternetExchange, dry_run: bool = False, max_workers: int | None = None
) -> BatchResult[ConnectionDiscovery]:
    """One result per connection to `ixp` (ordered by router name): the neighbours
    created, already known and ignored (with why), or why the connection's router was
    skipped or could not be read. A failure on one router or connection never stops the
    others."""
    connections = list(
        Connection.objects.filter(internet_exchange=ixp)
        .select_related("router__platform")
        .order_by("router__name", "pk")
    )
    routers = list({c.router_id: c.router for c in connections}.values())
    reads = dict(
        zip(
            [router.pk for router in routers],
            run_operation(_ReadNeighbors(routers), routers, max_workers),
            strict=True,
        )
    )
    known: dict[int, set[str]] = {c.pk: set() for c in connections}
    for connection_id, address in InternetExchangePeeringSession.objects.filter(
        ixp_connection__in=connections
    ).values_list("ixp_connection_id", "ip_address"):
        known[connection_id].add(address)
    reports = []
    for connection in connections:
        read = reads[connection.router_id]
        report = ConnectionDiscovery(
            read.router, read.skipped, read.error, read.category, read.duration_s
        )
        report.connection, report.dry_run = str(connection), dry_run
        reports.append(report)
        if read.ok and not read.skipped:
            _discover(connection, read.neighbors, known[connection.pk], report)
    found = batch(reports, noun="connections", result_type=ConnectionDiscovery)
    found.empty = f"{ixp} has no connections."
    return found


def _discover(
    connection: Connection, neighbors: list[Neighbor], known: set[str], report: ConnectionDiscovery
) -> None:
    try:
        to_create = _classify(connection, neighbors, known, report)
        if to_create and not report.dry_run:
            _create(connection, to_create)
    except Exception as exc:
        logger.exception("discovery on %s failed", connection, extra=ROUTER_DETAIL)
        report.fail(Category.UNEXPECTED, unexpected(exc, "creating the sessions"))
        return
    report.created = to_create
