"""The naive references: the same work written the plain way, as tools commonly do it.

One router at a time; the ORM object by object: a query to find each session, a `save()`
for each, related objects loaded lazily (a query per session and relation). The
benchmarks run these on the same data in the same process and print our speed as a ratio
to them. Their output is checked against ours, so the comparison is of equal work.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.utils import timezone
from napalm import get_network_driver
from napalm.base import NetworkDriver

from configs.masking import literal_masker
from configs.models import ConfigTemplate
from configs.rendering import render_template
from core.choices import BGPState, Status
from devices.models import Router
from peering.models import BGPSessionStateChange, DirectPeeringSession
from peering.neighbors import read_neighbors


def _open(router: Router) -> NetworkDriver:
    driver = get_network_driver(router.platform.napalm_driver)
    device = driver(
        hostname=router.hostname,
        username=router.napalm_username,
        password=router.napalm_password.reveal(),
        timeout=router.napalm_timeout or 30,
        optional_args={**router.platform.napalm_args, **router.napalm_args},
    )
    device.open()
    return device


def naive_poll(routers: list[Router], prefer_detail: bool) -> None:
    """Poll router after router; per neighbour: find its session, record a change, save."""
    for router in routers:
        try:
            device = _open(router)
            try:
                neighbors = read_neighbors(device, prefer_detail=prefer_detail)
            finally:
                device.close()
        except Exception as exc:
            router.last_poll_error = str(exc)
            router.save()
            continue
        now = timezone.now()
        for neighbor in neighbors:
            session = DirectPeeringSession.objects.filter(
                router=router, vrf=neighbor.vrf, ip_address=neighbor.address
            ).first()
            if session is None:
                continue
            if session.bgp_state != neighbor.state:
                BGPSessionStateChange.objects.create(
                    direct_session=session,
                    from_state=session.bgp_state,
                    to_state=neighbor.state,
                    at=now,
                )
            if neighbor.state == BGPState.ESTABLISHED:
                if neighbor.uptime is not None:
                    session.last_established_state = now - timedelta(seconds=neighbor.uptime)
                elif session.bgp_state != BGPState.ESTABLISHED:
                    session.last_established_state = now
            session.bgp_state = neighbor.state
            session.received_prefix_count = neighbor.received
            session.accepted_prefix_count = neighbor.accepted
            session.advertised_prefix_count = neighbor.advertised
            session.configured_on_router = True
            session.last_polled_at = now
            session.save()
        router.last_polled_at = now
        router.last_poll_error = ""
        router.save()


def _autonomous_system(asys: Any) -> dict[str, Any] | None:
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


def naive_context(router: Router) -> dict[str, Any]:
    """The direct sessions part of the template context, relations loaded one by one."""
    router = Router.objects.get(pk=router.pk)
    local_as = _autonomous_system(router.local_autonomous_system)
    sessions = []
    for session in DirectPeeringSession.objects.filter(router=router):
        group = session.bgp_group
        enabled = session.status == Status.ENABLED and (
            group is None or group.status == Status.ENABLED
        )
        sessions.append(
            {
                "id": session.pk,
                "type": "direct",
                "ip_address": session.ip_address,
                "ip_version": ipaddress.ip_address(session.ip_address).version,
                "autonomous_system": _autonomous_system(session.autonomous_system),
                "local_as": _autonomous_system(session.local_autonomous_system) or local_as,
                "status": session.status,
                "enabled": enabled,
                "password": session.password.reveal() if session.password else None,
                "description": session.description,
                "vrf": session.vrf,
                "bgp_group": {"name": group.name, "slug": group.slug} if group else None,
            }
        )
    sessions.sort(
        key=lambda s: (
            s["bgp_group"]["name"] if s["bgp_group"] else "",
            s["ip_version"],
            int(ipaddress.ip_address(s["ip_address"])),
            s["id"],
        )
    )
    return {"local_as": local_as, "sessions": sessions, "direct_sessions": sessions}


def naive_render(router: Router) -> str:
    template = ConfigTemplate.objects.get(pk=router.config_template_id)
    return render_template(template, naive_context(router))


def naive_dry_run(routers: list[Router]) -> dict[str, str]:
    """Render, load, compare and discard, router after router; the diffs, passwords masked."""
    diffs = {}
    for router in routers:
        config = naive_render(router)
        device = _open(router)
        try:
            device.load_merge_candidate(config=config)
            diff = device.compare_config()
            device.discard_config()
        finally:
            device.close()
        passwords = [
            session.password.reveal()
            for session in DirectPeeringSession.objects.filter(router=router)
            if session.password
        ]
        secrets = [*passwords, router.napalm_password.reveal()]
        diffs[router.name] = literal_masker(secrets).mask(diff)
    return diffs
