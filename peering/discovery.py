"""Discover the sessions routers already have on an Internet exchange.

For each connection to the IXP: read the router's BGP neighbours, keep those inside the
connection's subnets, and create the sessions the inventory lacks (with an AS named
"AS<asn>" when the ASN is new). Existing sessions are never changed. A connection whose
router NAPALM must not or cannot be used on (disabled, no platform, no driver) is skipped,
as polls and deployments skip such a router: not a failure.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import UNEXPECTED, run_concurrently, unexpected
from core.log_format import ROUTER_DETAIL
from core.secrets import Secret
from core.validators import validate_asn
from devices.models import Router
from devices.napalm import (
    DeviceError,
    DriverSettings,
    RouterNotUsable,
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

logger = logging.getLogger(__name__)


@dataclass
class Found:
    address: str
    asn: int | None
    why: str = ""


@dataclass
class ConnectionDiscovery:
    connection: str
    router: str
    ok: bool = True  # False: the connection failed; a skipped one is ok (nothing failed)
    error: str | None = None
    error_kind: str | None = None  # a DeviceError's reason, or UNEXPECTED (our bug)
    skipped: str | None = None  # why the router was not read
    created: list[Found] = field(default_factory=list)
    known: list[Found] = field(default_factory=list)
    ignored: list[Found] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fail(self, error: str, kind: str) -> None:
        self.ok, self.error, self.error_kind = False, error, kind


def _prepare(router: Router, secrets: tuple[Secret, ...]) -> DriverSettings | str | tuple[str, str]:
    """The router's driver settings; else why it is skipped (a sentence), or why it
    failed (the sentence and the failure's kind)."""
    reason = unusable_reason(router)
    if reason:
        return reason
    try:
        return driver_settings(router, secrets)
    except RouterNotUsable as exc:
        return str(exc)
    except Exception as exc:
        if not isinstance(exc, DeviceError):  # the connection's line says it
            logger.exception("discovery: reading %s's settings failed", router, extra=ROUTER_DETAIL)
        return _failure(exc, "reading the router's settings")


def _read(settings: DriverSettings) -> list[Neighbor] | Exception:
    """The router's neighbours, or why not: returned, so that one router's failure never
    stops the others, and an unexpected one is logged for the file only (the connection's
    line says it)."""
    try:
        with connect(settings) as device:
            return read_neighbors(device, False, settings.driver, settings.router)
    except DeviceError as exc:
        return exc
    except Exception as exc:
        logger.exception(
            "discovery: reading %s failed: unexpected error", settings.router, extra=ROUTER_DETAIL
        )
        return exc


def _failure(error: Exception, doing: str) -> tuple[str, str]:
    if isinstance(error, DeviceError):
        return str(error), error.reason
    return unexpected(error, doing), UNEXPECTED


def _address_order(neighbor: Neighbor) -> tuple[int, int]:
    address = ipaddress.ip_address(neighbor.address)
    return address.version, int(address)


def _classify(
    connection: Connection, neighbors: list[Neighbor], known: set[str], report: ConnectionDiscovery
) -> list[Found]:
    """Sort the router's neighbours into known, ignored and to-create for one connection."""
    subnets = [s for s in (connection.subnet(4), connection.subnet(6)) if s is not None]
    own = {
        str(ipaddress.ip_interface(a).ip)
        for a in (connection.ipv4_address, connection.ipv6_address)
        if a
    }
    vrf = normalise_vrf(connection.vrf)
    wanted = " or ".join(str(s) for s in subnets)
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
        elif neighbor.remote_as is None:
            found.why = neighbor.remote_as_error or "the router did not report the peer's AS"
        else:
            try:
                validate_asn(neighbor.remote_as)
            except ValidationError as exc:
                found.why = exc.messages[0]
        if found.why:
            report.ignored.append(found)
        else:
            to_create.append(found)
    return to_create


@transaction.atomic
def _create(connection: Connection, found: list[Found]) -> None:
    asns = {item.asn for item in found}
    existing = set(AutonomousSystem.objects.filter(asn__in=asns).values_list("asn", flat=True))
    AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=asn, name=f"AS{asn}") for asn in sorted(asns - existing)
    )
    by_asn = {a.asn: a for a in AutonomousSystem.objects.filter(asn__in=asns)}
    InternetExchangePeeringSession.objects.bulk_create(
        InternetExchangePeeringSession(
            ixp_connection=connection, autonomous_system=by_asn[item.asn], ip_address=item.address
        )
        for item in found
    )


def discover_ixp_sessions(
    ixp: InternetExchange, dry_run: bool = False
) -> list[ConnectionDiscovery]:
    """One report per connection to `ixp`: the neighbours created, already known and
    ignored (with why), or why the connection's router could not be read. A failure on
    one router or connection never stops the others."""
    connections = list(
        Connection.objects.filter(internet_exchange=ixp)
        .select_related("router__platform")
        .order_by("router__name", "pk")
    )
    reports = {c.pk: ConnectionDiscovery(str(c), c.router.name) for c in connections}
    secrets = session_secrets(c.router for c in connections)
    prepared = {c.router_id: _prepare(c.router, secrets[c.router_id]) for c in connections}
    settings_by_router = {
        router_id: settings
        for router_id, settings in prepared.items()
        if isinstance(settings, DriverSettings)
    }
    # Each router is prepared once; every connection of one that is not read says why.
    for connection in connections:
        outcome = prepared[connection.router_id]
        if isinstance(outcome, str):
            reports[connection.pk].skipped = outcome
        elif isinstance(outcome, tuple):
            reports[connection.pk].fail(*outcome)
    router_ids = list(settings_by_router)
    fetched = dict(
        zip(
            router_ids,
            run_concurrently(
                _read,
                [settings_by_router[r] for r in router_ids],
                on_error=lambda settings, exc: exc,
            ),
            strict=True,
        )
    )
    known_by_connection: dict[int, set[str]] = {c.pk: set() for c in connections}
    for connection_id, address in InternetExchangePeeringSession.objects.filter(
        ixp_connection__in=connections
    ).values_list("ixp_connection_id", "ip_address"):
        known_by_connection[connection_id].add(address)

    for connection in connections:
        report = reports[connection.pk]
        neighbors = fetched.get(connection.router_id)
        if neighbors is None:
            continue
        if isinstance(neighbors, Exception):
            report.fail(*_failure(neighbors, "reading the neighbours"))
            continue
        try:
            to_create = _classify(connection, neighbors, known_by_connection[connection.pk], report)
            if to_create and not dry_run:
                _create(connection, to_create)
        except Exception as exc:
            logger.exception("discovery on %s failed", connection, extra=ROUTER_DETAIL)
            report.fail(*_failure(exc, "creating the sessions"))
            continue
        report.created = to_create
    return [reports[c.pk] for c in connections]


def report_lines(reports: list[ConnectionDiscovery], dry_run: bool) -> list[str]:
    """What a person reads of a discovery: a line per connection, its neighbours, and a
    summary line."""
    verb = "would create" if dry_run else "created"
    lines: list[str] = []
    for report in reports:
        if report.skipped:
            lines.append(f"{report.connection}: skipped: {report.skipped}")
            continue
        if not report.ok:
            lines.append(f"{report.connection}: failed: {report.error}")
            continue
        lines.append(
            f"{report.connection}: {len(report.created)} {verb}, "
            f"{len(report.known)} already known, {len(report.ignored)} ignored"
        )
        lines += [f"  {verb} {found.address} AS{found.asn}" for found in report.created]
        lines += [f"  ignored {found.address}: {found.why}" for found in report.ignored]
    failed = sum(not report.ok for report in reports)
    skipped = sum(bool(report.skipped) for report in reports)
    created = sum(len(report.created) for report in reports)
    lines.append(
        f"{len(reports)} connections: {len(reports) - failed - skipped} read, {failed} failed, "
        f"{skipped} skipped; {created} sessions {verb}"
    )
    return lines
