"""Small inventory builders for tests: each returns the named object, creating it (and what
it needs) the first time, so that factories can call them in any order and any number of
times within a test."""

from __future__ import annotations

from configs.models import ConfigTemplate
from devices.models import Platform, Router
from peering.models import AutonomousSystem, BGPGroup, Connection, InternetExchange


def our_as(asn: int = 64500) -> AutonomousSystem:
    """One of our own autonomous systems."""
    return AutonomousSystem.objects.get_or_create(
        asn=asn, defaults={"name": f"Us {asn}", "affiliated": True}
    )[0]


def peer_as(asn: int = 64501) -> AutonomousSystem:
    """A peer's autonomous system."""
    return AutonomousSystem.objects.get_or_create(asn=asn, defaults={"name": f"Peer {asn}"})[0]


def platform(slug: str = "frr") -> Platform:
    """A platform with a NAPALM driver of the same name."""
    return Platform.objects.get_or_create(
        slug=slug, defaults={"name": f"Platform {slug}", "napalm_driver": slug}
    )[0]


def config_template(name: str = "main") -> ConfigTemplate:
    """A configuration template."""
    return ConfigTemplate.objects.get_or_create(
        name=name, defaults={"template": "router bgp {{ local_as.asn }}\n"}
    )[0]


def router(name: str = "r1") -> Router:
    """A router on platform(), in our_as(), with config_template()."""
    return Router.objects.get_or_create(
        name=name,
        defaults={
            "hostname": "198.18.0.1",
            "platform": platform(),
            "local_autonomous_system": our_as(),
            "config_template": config_template(),
        },
    )[0]


def internet_exchange(slug: str = "ix") -> InternetExchange:
    """An Internet exchange of our_as()."""
    return InternetExchange.objects.get_or_create(
        slug=slug, defaults={"name": f"IX {slug}", "local_autonomous_system": our_as()}
    )[0]


def connection(router_name: str = "r1", ixp_slug: str = "ix") -> Connection:
    """The router's connection to the exchange, on 192.0.2.1/24 and 2001:db8::1/64."""
    return Connection.objects.get_or_create(
        internet_exchange=internet_exchange(ixp_slug),
        router=router(router_name),
        defaults={"ipv4_address": "192.0.2.1/24", "ipv6_address": "2001:db8::1/64"},
    )[0]


def bgp_group(slug: str = "transit") -> BGPGroup:
    """A BGP group."""
    return BGPGroup.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
