"""Inventories the shipped templates are rendered for in tests: the demo's, and a fixture
built with the ORM that has routing policies at several levels, every kind of community,
tags, passwords, multihop, a disabled session and IRR prefix lists (one empty, one never
fetched)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from configs.models import ConfigTemplate
from devices.models import Platform, Router
from irr.models import PrefixList
from peering.demo import RouterTarget, _load
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Community,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
    RoutingPolicy,
)

PLATFORMS = Path(__file__).resolve().parents[1] / "platforms"
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)
# Passwords the router gets; golden files and what people read hold `********` instead.
PASSWORDS = ("ixp-Secret-1", "tr'ans!it\\pw#")


def use_template(router: Router, platform: str) -> Router:
    """Give `router` the shipped template of `platform` (configs/platforms/<platform>.j2)."""
    template, _ = ConfigTemplate.objects.update_or_create(
        name=f"shipped-{platform}",
        defaults={"template": (PLATFORMS / f"{platform}.j2").read_text()},
    )
    router.config_template = template
    router.save(update_fields=["config_template"])
    return router


def demo_router() -> Router:
    """The demo inventory (peering.demo), its r1 pointed at a closed port of loopback."""
    _load(RouterTarget("127.0.0.1", {"port": 1}, "demo r1", "a closed port"))
    return Router.objects.get(name="r1")


def _community(slug: str, value: str, type_: str = "") -> Community:
    return Community.objects.create(
        name=slug.replace("-", " ").title(), slug=slug, value=value, type=type_
    )


def _policy(slug: str, type_: str, **fields) -> RoutingPolicy:
    match = fields.pop("match", [])
    sets = fields.pop("sets", [])
    policy = RoutingPolicy.objects.create(
        name=slug.replace("-", " ").title(), slug=slug, type=type_, **fields
    )
    policy.match_communities.set(match)
    policy.set_communities.set(sets)
    return policy


def fixture_router(
    napalm_driver: str = "eos", hostname: str = "127.0.0.1", asn: int = 64500, **args: object
) -> Router:
    """Router r1 of AS64500 at the IXP Demo IX (four sessions) and in the BGP group Transit
    (one multihop session), with policies at the router, the IXP, a peer AS, the group and
    a session, and communities of every kind at several levels."""
    ours = AutonomousSystem.objects.create(asn=asn, name="Peerkeeper Test", affiliated=True)
    one = AutonomousSystem.objects.create(
        asn=64501,
        name="Peer One",
        ipv4_max_prefixes=100,
        ipv6_max_prefixes=20,
        irr_as_set="AS-PEERONE",
    )
    two = AutonomousSystem.objects.create(
        asn=64502, name="Peer Zwei Zürich", ipv4_max_prefixes=12000, irr_as_set="AS-TWO"
    )
    transit = AutonomousSystem.objects.create(
        asn=64504, name="Transit Four", ipv4_max_prefixes=1000
    )
    PrefixList.objects.create(
        as_set="AS-PEERONE",
        ipv4=[
            {"prefix": "203.0.113.0/25", "exact": False, "greater_equal": 30, "less_equal": 30},
            {"prefix": "198.51.100.0/24", "exact": False, "greater_equal": 24, "less_equal": 32},
            {"prefix": "192.0.2.128/26", "exact": True},
        ],
        ipv6=[],
        asns=[64501],
        fetched_at=FETCHED,
    )
    c = {
        "from-ixp": _community("from-ixp", "64500:100", "ingress"),
        "from-transit": _community("from-transit", "64500:300", "ingress"),
        "learned-ixp": _community("learned-ixp", "64500:1:100", "ingress"),
        "no-export-peers": _community("no-export-peers", "64500:666", "egress"),
        "blackhole": _community("blackhole", "65535:666"),
        "customer-rt": _community("customer-rt", "rt:64500:100"),
        "site-origin": _community("site-origin", "soo:192.0.2.1:7", "egress"),
        "prefer": _community("prefer", "64500:2:1"),
    }
    c["prefer"].tags.add("traffic-engineering")
    ixp_in = _policy("ixp-in", "import", local_preference=200, sets=[c["prefer"]])
    customer_in = _policy(
        "customer-in",
        "import",
        weight=10,
        local_preference=300,
        match=[c["customer-rt"], c["prefer"]],
    )
    transit_in = _policy("transit-in", "import", local_preference=80)
    peers_out = _policy("peers-out", "export", as_path_prepend=2, sets=[c["no-export-peers"]])
    v6_out = _policy(
        "v6-out",
        "export",
        address_family=6,
        match=[c["blackhole"], c["site-origin"]],
        sets=[c["customer-rt"]],
    )
    peers_out.tags.add("peering")

    platform = Platform.objects.create(
        name=napalm_driver, slug=napalm_driver, napalm_driver=napalm_driver
    )
    router = Router.objects.create(
        name="r1",
        hostname=hostname,
        platform=platform,
        local_autonomous_system=ours,
        napalm_username="admin",
        napalm_password="fleet-admin",
        napalm_args=args,
    )
    router.export_routing_policies.set([peers_out])
    router.communities.set([c["no-export-peers"], c["site-origin"]])
    router.tags.add("edge")
    ixp = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=ours
    )
    ixp.import_routing_policies.set([ixp_in])
    ixp.communities.set([c["from-ixp"]])
    connection = Connection.objects.create(
        internet_exchange=ixp,
        router=router,
        ipv4_address="192.0.2.1/24",
        ipv6_address="2001:db8:1::1/64",
        interface="Ethernet1",
    )
    connection.tags.add("ixp-port")
    one.export_routing_policies.set([peers_out, v6_out])
    ixp_session = InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=one,
        ip_address="192.0.2.11",
        password=PASSWORDS[0],
    )
    ixp_session.tags.add("peer-one")
    ixp_session.export_routing_policies.set([peers_out])
    v6 = InternetExchangePeeringSession.objects.create(
        ixp_connection=connection, autonomous_system=one, ip_address="2001:db8:1::11"
    )
    v6.import_routing_policies.set([customer_in, ixp_in])
    v6.communities.set([c["learned-ixp"]])
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=two,
        ip_address="192.0.2.12",
        is_route_server=True,
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=two,
        ip_address="192.0.2.13",
        status="disabled",
    )
    group = BGPGroup.objects.create(name="Transit", slug="transit")
    group.import_routing_policies.set([transit_in])
    group.communities.set([c["from-transit"]])
    DirectPeeringSession.objects.create(
        router=router,
        bgp_group=group,
        local_autonomous_system=ours,
        autonomous_system=transit,
        ip_address="198.51.100.1",
        local_ip_address="198.51.100.0",
        password=PASSWORDS[1],
        multihop_ttl=2,
    )
    return router
