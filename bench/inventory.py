"""The inventory that matches an emulated fleet: one platform, its routers, ASes and sessions.

`load_inventory(spec)` replaces whatever fleet inventory the database holds with the one of
`spec`, in bulk (a handful of queries per thousand rows), so 100,000 sessions load in
seconds. Everything it creates carries the FLEET_MARK description, which is how a later
load (or `remove_inventory`) finds and removes it. Requires Django to be set up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from bench.fleet.model import VRFS, FleetSpec, SessionInfo
from configs.models import ConfigTemplate
from core.choices import Status
from devices.models import Platform, Router
from peering.bulk_sql import insert_rows
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    BGPSessionStateChange,
    DirectPeeringSession,
)

FLEET_MARK = "emulated fleet"
PLATFORM_NAME = "EOS (emulated fleet)"
PLATFORM_SLUG = "eos-emulated-fleet"
TEMPLATE_NAME = "EOS BGP sessions (emulated fleet)"
USERNAME = "admin"
PASSWORD = "bench"
BATCH_SIZE = 5000
# One session in PASSWORD_EVERY has an MD5 password, so diffs exercise the masking.
PASSWORD_EVERY = 10
SESSION_FIELDS = [
    "router",
    "bgp_group",
    "autonomous_system",
    "ip_address",
    "local_ip_address",
    "vrf",
    "description",
    "password",
    "status",
]

# EOS syntax, in the layout the emulated routers boot with: a VRF's neighbours, then its
# address families. NAPALM's eos driver sends the lines without their indentation.
EOS_TEMPLATE = """\
router bgp {{ local_as.asn }}
{% for vrf, sessions in direct_sessions | groupby("vrf") %}
{% set pad = "      " if vrf else "   " %}
{% if vrf %}
   vrf {{ vrf }}
{% endif %}
{% for session in sessions %}
{% set peer = session.ip_address %}
{% set asn = session.autonomous_system.asn %}
{{ pad }}neighbor {{ peer }} remote-as {{ asn }}
{{ pad }}neighbor {{ peer }} description {{ session.description | safe_string }}
{{ pad }}neighbor {{ peer }} route-map {{ vrf or "default" }}-AS{{ asn }}-IN in
{{ pad }}neighbor {{ peer }} route-map {{ vrf or "default" }}-AS{{ asn }}-OUT out
{% if session | max_prefix %}
{{ pad }}neighbor {{ peer }} maximum-routes {{ session | max_prefix }}
{% endif %}
{% if session.password %}
{{ pad }}neighbor {{ peer }} password {{ session.password }}
{% endif %}
{% if not session.enabled %}
{{ pad }}neighbor {{ peer }} shutdown
{% endif %}
{% endfor %}
{% for family in (4, 6) %}
{% set members = sessions | ip_version(family) %}
{% if members %}
{{ pad }}address-family ipv{{ family }}
{% for session in members %}
{{ pad }}   neighbor {{ session.ip_address }} activate
{% endfor %}
{% endif %}
{% endfor %}
{% endfor %}
"""


@dataclass(frozen=True)
class LoadedInventory:
    routers: int
    sessions: int
    autonomous_systems: int
    removed_sessions: int


def group_slug(vrf: str) -> str:
    return "fleet-" + vrf.lower()


def session_password(session: SessionInfo) -> str | None:
    if session.index % PASSWORD_EVERY != PASSWORD_EVERY - 1:
        return None
    return f"md5-{session.router_index}-{session.index}"


def max_prefixes(asn: int) -> tuple[int, int]:
    """Deterministic (IPv4, IPv6) maximum prefix counts of a peer AS."""
    return 1000 + asn % 9000, 100 + asn % 900


def inventory_vrf(session: SessionInfo) -> str:
    """The inventory's spelling of the session's VRF: blank for the default table."""
    return "" if session.vrf == "default" else session.vrf


def remove_inventory() -> int:
    """Delete every object a previous load created; returns the number of sessions removed."""
    routers = Router.objects.filter(platform__slug=PLATFORM_SLUG)
    sessions = DirectPeeringSession.objects.filter(router__in=routers)
    with transaction.atomic():
        BGPSessionStateChange.objects.filter(direct_session__in=sessions).delete()
        # Without related rows left, Django deletes sessions with one statement, not per row.
        removed = sessions._raw_delete(sessions.db)
        routers.delete()
        Platform.objects.filter(slug=PLATFORM_SLUG).delete()
        ConfigTemplate.objects.filter(name=TEMPLATE_NAME).delete()
        BGPGroup.objects.filter(description=FLEET_MARK).delete()
        AutonomousSystem.objects.filter(
            description=FLEET_MARK,
            routers__isnull=True,
            directpeeringsessions__isnull=True,
            internetexchangepeeringsessions__isnull=True,
            internet_exchanges__isnull=True,
            local_direct_sessions__isnull=True,
        ).delete()
    return removed


def _autonomous_systems(spec: FleetSpec, sessions: list[SessionInfo]) -> dict[int, int]:
    """ASN -> primary key for every local and remote AS of the fleet, creating what is missing."""
    wanted: dict[int, AutonomousSystem] = {}
    for index in range(spec.routers):
        asn = spec.router(index).local_as
        wanted[asn] = AutonomousSystem(
            asn=asn, name=f"Fleet {spec.router(index).hostname}", affiliated=True
        )
    for session in sessions:
        if session.remote_as not in wanted:
            ipv4, ipv6 = max_prefixes(session.remote_as)
            wanted[session.remote_as] = AutonomousSystem(
                asn=session.remote_as,
                name=f"Peer AS{session.remote_as}",
                ipv4_max_prefixes=ipv4,
                ipv6_max_prefixes=ipv6,
            )
    existing = dict(AutonomousSystem.objects.values_list("asn", "pk"))
    missing = [asys for asn, asys in wanted.items() if asn not in existing]
    for asys in missing:
        asys.description = FLEET_MARK
    AutonomousSystem.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    existing.update(
        AutonomousSystem.objects.filter(asn__in=[a.asn for a in missing]).values_list("asn", "pk")
    )
    return existing


def load_inventory(spec: FleetSpec, *, napalm_timeout: int = 10) -> LoadedInventory:
    """Replace the fleet inventory in the database with the one matching `spec`."""
    sessions = [session for index in range(spec.routers) for session in spec.sessions_of(index)]
    with transaction.atomic():
        removed = remove_inventory()
        asns = _autonomous_systems(spec, sessions)
        platform = Platform.objects.create(
            name=PLATFORM_NAME,
            slug=PLATFORM_SLUG,
            napalm_driver="eos",
            napalm_args={"transport": "http"},
            description=FLEET_MARK,
        )
        template = ConfigTemplate.objects.create(
            name=TEMPLATE_NAME, template=EOS_TEMPLATE, description=FLEET_MARK
        )
        groups = {
            vrf: BGPGroup(name=f"Fleet {vrf}", slug=group_slug(vrf), description=FLEET_MARK)
            for vrf in VRFS
        }
        BGPGroup.objects.bulk_create(groups.values())
        group_pks = dict(BGPGroup.objects.filter(description=FLEET_MARK).values_list("slug", "pk"))
        Router.objects.bulk_create(
            (
                Router(
                    name=info.hostname,
                    hostname="127.0.0.1",
                    platform=platform,
                    local_autonomous_system_id=asns[info.local_as],
                    config_template=template,
                    napalm_username=USERNAME,
                    napalm_password=PASSWORD,
                    napalm_timeout=napalm_timeout,
                    napalm_args=spec.napalm_optional_args(info.index),
                    description=FLEET_MARK,
                )
                for info in map(spec.router, range(spec.routers))
            ),
            batch_size=BATCH_SIZE,
        )
        router_pks = dict(Router.objects.filter(platform=platform).values_list("name", "pk"))
        # 100,000 sessions: one statement, without building a model instance per session.
        insert_rows(
            DirectPeeringSession,
            SESSION_FIELDS,
            [
                (
                    router_pks[spec.router(session.router_index).hostname],
                    group_pks[group_slug(session.vrf)],
                    asns[session.remote_as],
                    session.neighbor_ip,
                    session.local_ip,
                    inventory_vrf(session),
                    session.description,
                    session_password(session),
                    Status.DISABLED if session.admin_shutdown else Status.ENABLED,
                )
                for session in sessions
            ],
        )
    return LoadedInventory(
        routers=spec.routers,
        sessions=len(sessions),
        autonomous_systems=len({s.remote_as for s in sessions}),
        removed_sessions=removed,
    )


def repoint_routers(spec: FleetSpec) -> None:
    """Point the loaded routers at another fleet with the same shape (other ports)."""
    routers = list(Router.objects.filter(platform__slug=PLATFORM_SLUG).only("pk", "name"))
    index_of = {spec.router(index).hostname: index for index in range(spec.routers)}
    for router in routers:
        router.napalm_args = spec.napalm_optional_args(index_of[router.name])
    Router.objects.bulk_update(routers, ["napalm_args"], batch_size=BATCH_SIZE)
