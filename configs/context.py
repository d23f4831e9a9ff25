"""The data a configuration template sees: plain dicts and lists, built in a fixed number of
queries whatever the number of sessions (documented in docs/templates.md)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from configs.irr_context import attach_prefix_lists, with_as_set
from configs.policy_context import PolicyRequest, attach_policies
from core.choices import Status
from core.secrets import Secret
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)

_AS_FIELDS = ("asn", "name", "ipv4_max_prefixes", "ipv6_max_prefixes", "irr_as_set", "affiliated")
_SESSION_FIELDS = (
    "pk",
    "ip_address",
    "status",
    "password",
    "multihop_ttl",
    "description",
    "bgp_state",
    *(f"autonomous_system__{name}" for name in _AS_FIELDS),
    "autonomous_system_id",
)
_IXP_SESSION_FIELDS = (*_SESSION_FIELDS, "ixp_connection_id", "is_route_server")
_DIRECT_SESSION_FIELDS = (
    *_SESSION_FIELDS,
    "vrf",
    "local_ip_address",
    "bgp_group_id",
    "bgp_group__name",
    "bgp_group__slug",
    "bgp_group__status",
    "local_autonomous_system_id",
    *(f"local_autonomous_system__{name}" for name in _AS_FIELDS),
)


class _AutonomousSystems:
    """AS dicts read from session rows (`<relation>__asn`...) or AS objects, one dict per
    AS."""

    def __init__(self) -> None:
        self.by_pk: dict[int, dict[str, Any]] = {}

    def from_model(self, asys: AutonomousSystem | None) -> dict[str, Any] | None:
        if asys is None:
            return None
        found = self.by_pk.get(asys.pk)
        if found is None:
            found = self.by_pk[asys.pk] = with_as_set(
                {name: getattr(asys, name) for name in _AS_FIELDS}
            )
        return found

    def of(self, row: dict[str, Any], relation: str) -> dict[str, Any] | None:
        pk = row[f"{relation}_id"]
        if pk is None:
            return None
        found = self.by_pk.get(pk)
        if found is None:
            found = self.by_pk[pk] = with_as_set(
                {name: row[f"{relation}__{name}"] for name in _AS_FIELDS}
            )
        return found


def _reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret else None


def _session(row: dict[str, Any], ases: _AutonomousSystems) -> dict[str, Any]:
    """What IXP and direct sessions have in common, from a row of _SESSION_FIELDS."""
    return {
        "id": row["pk"],
        "ip_address": row["ip_address"],
        "ip_version": _address_order(row["ip_address"])[0],
        "autonomous_system": ases.of(row, "autonomous_system"),
        "status": row["status"],
        "enabled": row["status"] == Status.ENABLED,
        "password": _reveal(row["password"]),
        "multihop_ttl": row["multihop_ttl"],
        "description": row["description"],
        "bgp_state": row["bgp_state"],
    }


def _connection(connection: Connection) -> dict[str, Any]:
    return {
        "id": connection.pk,
        "ipv4_address": connection.ipv4_address,
        "ipv6_address": connection.ipv6_address,
        "interface": connection.interface,
        "vrf": connection.vrf,
        "status": connection.status,
        "enabled": connection.status == Status.ENABLED,
    }


def build_context(router: Router) -> dict[str, Any]:
    """Everything a template needs to configure `router`'s BGP sessions.

    Seven queries: the router with its platform and AS, its connections with their IXPs,
    their sessions, its direct sessions, the IRR prefix lists of every AS they name and
    those the ASes kept from their last refresh, and
    (in the caller) the template itself; then those of configs/policy_context.py for the
    routing policies, communities and tags (at most 27, whatever their number). Sessions
    are read as rows, not model instances: thousands of them cost milliseconds, and an
    AS's prefix list is one list that its sessions share, whatever its length.
    """
    return build_context_and_router(router)[0]


def build_context_and_router(router: Router) -> tuple[dict[str, Any], Router]:
    """build_context(), and the router as read for it (for what templates must not see,
    such as its retired session passwords)."""
    router = Router.objects.select_related("platform", "local_autonomous_system").get(pk=router.pk)
    ases = _AutonomousSystems()
    policy = PolicyRequest()
    local_as = ases.from_model(router.local_autonomous_system)
    connections = list(
        Connection.objects.filter(router=router)
        .select_related("internet_exchange__local_autonomous_system")
        .order_by("internet_exchange__name", "pk")
    )
    ixp_rows = list(
        InternetExchangePeeringSession.objects.filter(ixp_connection__router=router)
        .order_by()
        .values(*_IXP_SESSION_FIELDS)
    )
    ixp_rows.sort(key=lambda s: (s["ixp_connection_id"], *_address_order(s["ip_address"])))
    direct_rows = list(
        DirectPeeringSession.objects.filter(router=router)
        .order_by()
        .values(*_DIRECT_SESSION_FIELDS)
    )
    direct_rows.sort(
        key=lambda s: (s["bgp_group__name"] or "", *_address_order(s["ip_address"]), s["pk"])
    )

    sessions_by_connection: dict[int, list[dict[str, Any]]] = {}
    internet_exchanges: dict[int, dict[str, Any]] = {}
    connection_data = {connection.pk: _connection(connection) for connection in connections}
    # What each IXP session shows of its connection (the connection without its sessions).
    connection_of_session = {pk: dict(data) for pk, data in connection_data.items()}
    for connection in connections:
        ixp = connection.internet_exchange
        entry = internet_exchanges.setdefault(
            ixp.pk,
            {
                "name": ixp.name,
                "slug": ixp.slug,
                "status": ixp.status,
                "enabled": ixp.status == Status.ENABLED,
                "local_as": ases.from_model(ixp.local_autonomous_system),
                "connections": [],
                "sessions": [],
            },
        )
        policy.tag(InternetExchange, ixp.pk, entry)
        policy.tag(Connection, connection.pk, connection_data[connection.pk])
        policy.tag(Connection, connection.pk, connection_of_session[connection.pk])
        connection_data[connection.pk]["sessions"] = sessions_by_connection.setdefault(
            connection.pk, []
        )
        entry["connections"].append(connection_data[connection.pk])
    ixp_by_connection = {c.pk: internet_exchanges[c.internet_exchange_id] for c in connections}
    ixp_pk_by_connection = {c.pk: c.internet_exchange_id for c in connections}

    all_sessions: list[dict[str, Any]] = []
    for row in ixp_rows:
        data = _session(row, ases)
        ixp = ixp_by_connection[row["ixp_connection_id"]]
        connection = connection_data[row["ixp_connection_id"]]
        data.update(
            type="ixp",
            is_route_server=row["is_route_server"],
            internet_exchange={"name": ixp["name"], "slug": ixp["slug"]},
            bgp_group=None,
            connection=connection_of_session[row["ixp_connection_id"]],
            vrf=connection["vrf"],
            local_ip_address=_local_address(connection, data["ip_version"]),
            local_as=ixp["local_as"] or local_as,
        )
        data["enabled"] = data["enabled"] and ixp["enabled"] and connection["enabled"]
        policy.tag(InternetExchangePeeringSession, row["pk"], data)
        policy.tag(
            InternetExchange,
            ixp_pk_by_connection[row["ixp_connection_id"]],
            data["internet_exchange"],
        )
        policy.session(
            data,
            (
                ("session", InternetExchangePeeringSession, row["pk"]),
                ("connection", Connection, row["ixp_connection_id"]),
                (
                    "internet_exchange",
                    InternetExchange,
                    ixp_pk_by_connection[row["ixp_connection_id"]],
                ),
                ("autonomous_system", AutonomousSystem, row["autonomous_system_id"]),
                ("router", Router, router.pk),
            ),
        )
        sessions_by_connection[row["ixp_connection_id"]].append(data)
        ixp["sessions"].append(data)
        all_sessions.append(data)

    bgp_groups: dict[int | None, dict[str, Any]] = {}
    for row in direct_rows:
        data = _session(row, ases)
        group_data = None
        if row["bgp_group_id"] is not None:
            group_data = bgp_groups.setdefault(
                row["bgp_group_id"],
                {
                    "name": row["bgp_group__name"],
                    "slug": row["bgp_group__slug"],
                    "status": row["bgp_group__status"],
                    "enabled": row["bgp_group__status"] == Status.ENABLED,
                    "sessions": [],
                },
            )
            policy.tag(BGPGroup, row["bgp_group_id"], group_data)
            group_data["sessions"].append(data)
            data["enabled"] = data["enabled"] and group_data["enabled"]
        data.update(
            type="direct",
            is_route_server=False,
            internet_exchange=None,
            bgp_group=(
                {"name": group_data["name"], "slug": group_data["slug"]} if group_data else None
            ),
            connection=None,
            vrf=row["vrf"],
            local_ip_address=row["local_ip_address"],
            local_as=ases.of(row, "local_autonomous_system") or local_as,
        )
        policy.tag(DirectPeeringSession, row["pk"], data)
        policy.tag(BGPGroup, row["bgp_group_id"], data["bgp_group"])
        policy.session(
            data,
            (
                ("session", DirectPeeringSession, row["pk"]),
                ("bgp_group", BGPGroup, row["bgp_group_id"]),
                ("autonomous_system", AutonomousSystem, row["autonomous_system_id"]),
                ("router", Router, router.pk),
            ),
        )
        all_sessions.append(data)

    peers = {s["autonomous_system"]["asn"]: s["autonomous_system"] for s in all_sessions}
    everyone = [local_as, *(ixp["local_as"] for ixp in internet_exchanges.values())]
    attach_prefix_lists([*everyone, *ases.by_pk.values()], all_sessions)
    context = {
        "router": {
            "name": router.name,
            "hostname": router.hostname,
            "status": router.status,
            "platform": router.platform.name if router.platform else None,
            "napalm_driver": router.platform.napalm_driver if router.platform else None,
            "description": router.description,
        },
        "local_as": local_as,
        "internet_exchanges": list(internet_exchanges.values()),
        "bgp_groups": list(bgp_groups.values()),
        "sessions": all_sessions,
        "ixp_sessions": [s for s in all_sessions if s["type"] == "ixp"],
        "direct_sessions": [s for s in all_sessions if s["type"] == "direct"],
        "autonomous_systems": [peers[asn] for asn in sorted(peers)],
    }
    policy.tag(Router, router.pk, context["router"])
    for pk, asys in ases.by_pk.items():
        policy.tag(AutonomousSystem, pk, asys)
    attach_policies(policy, context)
    return context, router


def secret_slots(context: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str | None]]:
    """Where `context` holds secrets, as (path from the root, value): every session's
    password slot, set or not (None). configs/masking.py fills them with stand-ins."""
    return [
        (("sessions", index, "password"), session["password"])
        for index, session in enumerate(context["sessions"])
    ]


def _address_order(address: str) -> tuple[int, bytes]:
    """(IP version, packed address): sorts addresses numerically, IPv4 first.

    Stored addresses are normalised, so the C socket functions read them (ipaddress, ten
    times slower, is what thousands of sessions spent their rendering time on).
    """
    family, version = (socket.AF_INET6, 6) if ":" in address else (socket.AF_INET, 4)
    try:
        return version, socket.inet_pton(family, address)
    except OSError:
        parsed = ipaddress.ip_address(address)
        return parsed.version, parsed.packed


def _local_address(connection: dict[str, Any], version: int) -> str | None:
    interface = connection["ipv4_address"] if version == 4 else connection["ipv6_address"]
    return str(ipaddress.ip_interface(interface).ip) if interface else None
