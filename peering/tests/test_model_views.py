"""Peering pages: list, detail, add, edit and delete of every peering model
(core/tests/model_views.py)."""

from typing import Any

from core.tests.builders import bgp_group, connection, internet_exchange, our_as, peer_as, router
from core.tests.model_views import NON_FIELD_ERRORS, InUseDeleteCases, ModelPageCases
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)


class TestAutonomousSystemPages(ModelPageCases, InUseDeleteCases):
    model = AutonomousSystem
    invalid_changes = {"asn": "4294967296"}

    def make(self) -> AutonomousSystem:
        return AutonomousSystem.objects.create(asn=65010, name="Peer Ten")

    def make_in_use(self) -> AutonomousSystem:
        return router().local_autonomous_system

    def form_data(self) -> dict[str, Any]:
        return {
            "asn": "64512",
            "name": "Peer Twelve",
            "ipv4_max_prefixes": "100",
            "ipv6_max_prefixes": "",
            "irr_as_set": "AS-TWELVE",
            "description": "Settlement-free",
        }


class TestInternetExchangePages(ModelPageCases):
    model = InternetExchange
    invalid_changes = {"slug": "not a slug!"}

    def make(self) -> InternetExchange:
        return InternetExchange.objects.create(
            name="Other IX", slug="other-ix", local_autonomous_system=our_as()
        )

    def form_data(self) -> dict[str, Any]:
        return {
            "name": "Demo IX",
            "slug": "demo-ix",
            "local_autonomous_system": our_as(64502).pk,
            "status": "maintenance",
            "description": "Peering LAN",
        }


class TestConnectionPages(ModelPageCases):
    model = Connection
    # Neither an IPv4 nor an IPv6 address: the model refuses the whole connection.
    invalid_changes = {"ipv4_address": None}
    invalid_field = NON_FIELD_ERRORS

    def make(self) -> Connection:
        return connection()

    def form_data(self) -> dict[str, Any]:
        return {
            "internet_exchange": internet_exchange("ix-2").pk,
            "router": router("r2").pk,
            "ipv4_address": "203.0.113.1/24",
            "ipv6_address": "",
            "interface": "eth1",
            "vrf": "peering",
            "status": "enabled",
            "description": "Second port",
        }


class TestBGPGroupPages(ModelPageCases):
    model = BGPGroup
    invalid_changes = {"slug": "no spaces allowed"}

    def make(self) -> BGPGroup:
        return BGPGroup.objects.create(name="Customers", slug="customers")

    def form_data(self) -> dict[str, Any]:
        return {"name": "Transit", "slug": "transit", "status": "maintenance", "description": ""}


class TestDirectPeeringSessionPages(ModelPageCases):
    model = DirectPeeringSession
    # An IPv6 local address for an IPv4 peer.
    invalid_changes = {"local_ip_address": "2001:db8::3"}

    def make(self) -> DirectPeeringSession:
        return DirectPeeringSession.objects.create(
            router=router(), autonomous_system=peer_as(), ip_address="198.51.100.1"
        )

    def form_data(self) -> dict[str, Any]:
        return {
            "router": router("r2").pk,
            "bgp_group": bgp_group().pk,
            "autonomous_system": peer_as(64502).pk,
            "local_autonomous_system": our_as().pk,
            "ip_address": "198.51.100.2",
            "local_ip_address": "198.51.100.3",
            "vrf": "customers",
            "status": "enabled",
            "password": "a-session-password",
            "multihop_ttl": "2",
            "description": "Transit",
        }


class TestInternetExchangePeeringSessionPages(ModelPageCases):
    model = InternetExchangePeeringSession
    invalid_changes = {"ip_address": "198.51.100.7"}  # outside the connection's subnets

    def make(self) -> InternetExchangePeeringSession:
        return InternetExchangePeeringSession.objects.create(
            ixp_connection=connection(), autonomous_system=peer_as(), ip_address="192.0.2.11"
        )

    def form_data(self) -> dict[str, Any]:
        return {
            "ixp_connection": connection().pk,
            "autonomous_system": peer_as(64502).pk,
            "ip_address": "2001:db8::12",
            "is_route_server": "on",
            "status": "enabled",
            "password": "a-session-password",
            "multihop_ttl": "",
            "description": "Route server",
        }
