"""The demo inventory: the lab's routers, peers, IXP and sessions (see lab/README.md)."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

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

DEMO_TEMPLATE = Path(__file__).resolve().parent.parent / "configs" / "demo" / "frr.j2"

# (asn, name, IPv4 max prefixes, IPv6 max prefixes, ours)
AUTONOMOUS_SYSTEMS = [
    (64500, "Peerkeeper Demo", None, None, True),
    (64501, "Peer One", 100, 20, False),
    (64502, "Peer Two", 12000, None, False),
    (64503, "Peer Three", 100, 20, False),
    (64504, "Transit Four", 1000, None, False),
]
# (peer asn, address)
IXP_SESSIONS = [
    (64501, "192.0.2.11"),
    (64501, "2001:db8:1::11"),
    (64502, "192.0.2.12"),
    (64503, "192.0.2.13"),
    (64503, "2001:db8:1::13"),
]


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)

    def note(self, obj: object, created: bool) -> None:
        if created:
            self.created.append(f"{type(obj)._meta.verbose_name} {obj}")


def lab_napalm_args(instance: int = 0) -> dict:
    """The optional driver arguments that reach the lab's r1 (its SSH key, vty socket...)."""
    try:
        from lab import Lab
    except ImportError:
        return {}
    return dict(Lab(instance=instance).napalm_params("r1")["optional_args"])


@transaction.atomic
def load_demo(instance: int = 0) -> DemoResult:
    """Create whatever part of the demo inventory is missing; never change existing objects."""
    result = DemoResult()
    ases = {}
    for asn, name, v4_max, v6_max, ours in AUTONOMOUS_SYSTEMS:
        ases[asn], created = AutonomousSystem.objects.get_or_create(
            asn=asn,
            defaults={
                "name": name,
                "ipv4_max_prefixes": v4_max,
                "ipv6_max_prefixes": v6_max,
                "affiliated": ours,
            },
        )
        result.note(ases[asn], created)

    template, created = ConfigTemplate.objects.get_or_create(
        name="frr-peering",
        defaults={
            "template": DEMO_TEMPLATE.read_text(),
            "description": "BGP sessions of an FRR router (merged into its configuration).",
        },
    )
    result.note(template, created)
    platform, created = Platform.objects.get_or_create(
        slug="frr",
        defaults={"name": "FRRouting", "napalm_driver": "frr", "description": "FRR over SSH"},
    )
    result.note(platform, created)
    router, created = Router.objects.get_or_create(
        name="r1",
        defaults={
            "hostname": f"198.18.{instance}.11",
            "platform": platform,
            "local_autonomous_system": ases[64500],
            "config_template": template,
            "napalm_username": "root",
            "napalm_args": lab_napalm_args(instance),
            "description": "The lab's FRR router",
        },
    )
    result.note(router, created)

    ixp, created = InternetExchange.objects.get_or_create(
        slug="demo-ix", defaults={"name": "Demo IX", "local_autonomous_system": ases[64500]}
    )
    result.note(ixp, created)
    connection, created = Connection.objects.get_or_create(
        internet_exchange=ixp,
        router=router,
        defaults={"ipv4_address": "192.0.2.1/24", "ipv6_address": "2001:db8:1::1/64"},
    )
    result.note(connection, created)
    for asn, address in IXP_SESSIONS:
        session, created = InternetExchangePeeringSession.objects.get_or_create(
            ixp_connection=connection, ip_address=address, defaults={"autonomous_system": ases[asn]}
        )
        result.note(session, created)

    group, created = BGPGroup.objects.get_or_create(slug="transit", defaults={"name": "Transit"})
    result.note(group, created)
    session, created = DirectPeeringSession.objects.get_or_create(
        router=router,
        vrf="",
        ip_address="198.51.100.1",
        defaults={
            "bgp_group": group,
            "autonomous_system": ases[64504],
            "local_ip_address": "198.51.100.0",
        },
    )
    result.note(session, created)
    return result
