import pytest

from configs.models import ConfigTemplate
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)


@pytest.fixture
def make_inventory(db):
    """An inventory with one router and `ixp_sessions` + `direct_sessions` sessions."""

    def make(ixp_sessions: int = 2, direct_sessions: int = 1, template: str = "") -> Router:
        ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
        peers = AutonomousSystem.objects.bulk_create(
            AutonomousSystem(
                asn=65000 + i, name=f"Peer {i}", ipv4_max_prefixes=100 + i, ipv6_max_prefixes=10
            )
            for i in range(max(ixp_sessions, direct_sessions, 1))
        )
        config_template = ConfigTemplate.objects.create(name="main", template=template)
        platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
        router = Router.objects.create(
            name="r1",
            hostname="127.0.0.1",
            platform=platform,
            local_autonomous_system=ours,
            config_template=config_template,
        )
        ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
        connection = Connection.objects.create(
            internet_exchange=ixp,
            router=router,
            ipv4_address="198.18.0.1/16",
            ipv6_address="2001:db8:1::1/64",
        )
        InternetExchangePeeringSession.objects.bulk_create(
            InternetExchangePeeringSession(
                ixp_connection=connection,
                autonomous_system=peers[i],
                ip_address=f"198.18.{(i + 2) // 250}.{(i + 2) % 250 + 1}"
                if i % 2 == 0
                else f"2001:db8:1::{i + 2:x}",
            )
            for i in range(ixp_sessions)
        )
        group = BGPGroup.objects.create(name="Transit", slug="transit")
        DirectPeeringSession.objects.bulk_create(
            DirectPeeringSession(
                router=router,
                bgp_group=group,
                autonomous_system=peers[i],
                ip_address=f"198.51.100.{i % 250 + 1}" if i < 250 else f"2001:db8:2::{i:x}",
            )
            for i in range(direct_sessions)
        )
        return router

    return make
