"""Many sessions with long AS names and big prefix counts, as a real router has: for
tests of how the session tables fit a screen."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.choices import BGPState
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)

LONG_NAMES = [
    "Hurricane Electric International Backbone and Transit Services LLC",
    "Deutsche Telekom Global Carrier Networks Aktiengesellschaft",
    "Amazon Web Services Content Delivery and Edge Compute Networks",
    "Regional Educational and Research Network of the Northern Provinces",
    "Xn--Intercontinental-Fibre-Cooperative-Interconnect",
]
STATES = [BGPState.ESTABLISHED, BGPState.ESTABLISHED, BGPState.ACTIVE, BGPState.IDLE]


def add_crowd(router: Router, count: int = 45) -> int:
    """`count` IXP sessions on the router's first connection and `count` direct sessions
    on it, as last polled a few minutes ago: established ones up for days, counts in the
    millions, IPv6 addresses at full length. Returns the number of sessions created."""
    connection = router.connections.select_related("internet_exchange").first()
    group, _ = BGPGroup.objects.get_or_create(slug="crowd", defaults={"name": "Crowd"})
    peers = AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=4_200_000_000 + i, name=f"{LONG_NAMES[i % len(LONG_NAMES)]} {i}")
        for i in range(count)
    )
    polled = timezone.now() - timedelta(minutes=4)
    common = [
        {
            "autonomous_system": peer,
            "bgp_state": STATES[i % len(STATES)],
            "received_prefix_count": 1_234_567 - i * 1_001,
            "accepted_prefix_count": 987_654 - i * 997,
            "advertised_prefix_count": 12_345 + i,
            "last_established_state": polled - timedelta(days=i, hours=3, minutes=i),
            "last_polled_at": polled,
            "configured_on_router": True,
        }
        for i, peer in enumerate(peers)
    ]
    ixp = InternetExchangePeeringSession.objects.bulk_create(
        InternetExchangePeeringSession(
            ixp_connection=connection,
            ip_address=f"2001:db8:1::a5:{4200 + i}:ffff",
            is_route_server=i % 9 == 0,
            **fields,
        )
        for i, fields in enumerate(common)
    )
    direct = DirectPeeringSession.objects.bulk_create(
        DirectPeeringSession(
            router=router,
            bgp_group=group,
            local_autonomous_system=router.local_autonomous_system,
            ip_address=f"2001:db8:ffff:ffff::{i + 1:x}:ffff",
            local_ip_address=f"2001:db8:ffff:ffff::{i + 1:x}:fffe",
            **fields,
        )
        for i, fields in enumerate(common)
    )
    return len(ixp) + len(direct)
