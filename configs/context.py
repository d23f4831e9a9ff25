"""The data a configuration template sees: plain dicts and lists, built in a fixed number of
queries whatever the number of sessions (documented in docs/templates.md)."""

from __future__ import annotations

import ipaddress
from typing import Any

from core.choices import Status
from core.secrets import Secret
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)


def _autonomous_system(asys: AutonomousSystem | None) -> dict[str, Any] | None:
    if asys is None:
        return None
    return {
        "asn": asys.asn,
        "name": asys.name,
        "ipv4_max_prefixes": asys.ipv4_max_prefixes,
        "ipv6_max_prefixes": asys.ipv6_max_prefixes,
        "irr_as_set": asys.irr_as_set,
        "affiliated": asys.affiliated,
    }


def _reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret else None


def _session(session: DirectPeeringSession | InternetExchangePeeringSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "ip_address": session.ip_address,
        "ip_version": ipaddress.ip_address(session.ip_address).version,
        "autonomous_system": _autonomous_system(session.autonomous_system),
        "status": session.status,
        "enabled": session.status == Status.ENABLED,
        "password": _reveal(session.password),
        "multihop_ttl": session.multihop_ttl,
        "description": session.description,
        "bgp_state": session.bgp_state,
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

    Five queries: the router with its platform and AS, its connections with their IXPs,
    their sessions, its direct sessions, and (in the caller) the template itself.
    """
    router = Router.objects.select_related("platform", "local_autonomous_system").get(pk=router.pk)
    local_as = _autonomous_system(router.local_autonomous_system)
    connections = list(
        Connection.objects.filter(router=router)
        .select_related("internet_exchange__local_autonomous_system")
        .order_by("internet_exchange__name", "pk")
    )
    ixp_sessions = list(
        InternetExchangePeeringSession.objects.filter(ixp_connection__router=router).select_related(
            "autonomous_system"
        )
    )
    ixp_sessions.sort(key=lambda s: (s.ixp_connection_id, *_address_order(s.ip_address)))
    direct_sessions = list(
        DirectPeeringSession.objects.filter(router=router).select_related(
            "autonomous_system", "bgp_group", "local_autonomous_system"
        )
    )
    direct_sessions.sort(
        key=lambda s: (s.bgp_group.name if s.bgp_group else "", *_address_order(s.ip_address))
    )

    sessions_by_connection: dict[int, list[dict[str, Any]]] = {}
    internet_exchanges: dict[int, dict[str, Any]] = {}
    connection_data = {connection.pk: _connection(connection) for connection in connections}
    for connection in connections:
        ixp = connection.internet_exchange
        entry = internet_exchanges.setdefault(
            ixp.pk,
            {
                "name": ixp.name,
                "slug": ixp.slug,
                "status": ixp.status,
                "enabled": ixp.status == Status.ENABLED,
                "local_as": _autonomous_system(ixp.local_autonomous_system),
                "connections": [],
                "sessions": [],
            },
        )
        connection_data[connection.pk]["sessions"] = sessions_by_connection.setdefault(
            connection.pk, []
        )
        entry["connections"].append(connection_data[connection.pk])
    ixp_by_connection = {c.pk: internet_exchanges[c.internet_exchange_id] for c in connections}

    all_sessions: list[dict[str, Any]] = []
    for session in ixp_sessions:
        data = _session(session)
        ixp = ixp_by_connection[session.ixp_connection_id]
        connection = connection_data[session.ixp_connection_id]
        data.update(
            type="ixp",
            is_route_server=session.is_route_server,
            internet_exchange={"name": ixp["name"], "slug": ixp["slug"]},
            bgp_group=None,
            connection={k: v for k, v in connection.items() if k != "sessions"},
            vrf=connection["vrf"],
            local_ip_address=_local_address(connection, data["ip_version"]),
            local_as=ixp["local_as"] or local_as,
        )
        data["enabled"] = data["enabled"] and ixp["enabled"] and connection["enabled"]
        sessions_by_connection[session.ixp_connection_id].append(data)
        ixp["sessions"].append(data)
        all_sessions.append(data)

    bgp_groups: dict[int | None, dict[str, Any]] = {}
    for session in direct_sessions:
        data = _session(session)
        group = session.bgp_group
        group_data = None
        if group is not None:
            group_data = bgp_groups.setdefault(
                group.pk,
                {
                    "name": group.name,
                    "slug": group.slug,
                    "status": group.status,
                    "enabled": group.status == Status.ENABLED,
                    "sessions": [],
                },
            )
            group_data["sessions"].append(data)
            data["enabled"] = data["enabled"] and group_data["enabled"]
        data.update(
            type="direct",
            is_route_server=False,
            internet_exchange=None,
            bgp_group={"name": group.name, "slug": group.slug} if group else None,
            connection=None,
            vrf=session.vrf,
            local_ip_address=session.local_ip_address,
            local_as=_autonomous_system(session.local_autonomous_system) or local_as,
        )
        all_sessions.append(data)

    peers = {s["autonomous_system"]["asn"]: s["autonomous_system"] for s in all_sessions}
    return {
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


def _address_order(address: str) -> tuple[int, int]:
    parsed = ipaddress.ip_address(address)
    return parsed.version, int(parsed)


def _local_address(connection: dict[str, Any], version: int) -> str | None:
    interface = connection["ipv4_address"] if version == 4 else connection["ipv6_address"]
    return str(ipaddress.ip_interface(interface).ip) if interface else None
