"""The demo inventory: the lab's routers, peers, IXP and sessions (see lab/README.md)."""

import contextlib
import subprocess
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
    changed: list[str] = field(default_factory=list)

    def note(self, obj: object, created: bool) -> None:
        if created:
            self.created.append(f"{type(obj)._meta.verbose_name} {obj}")


# Where r1 points when its lab address could leave this machine: a port of loopback that
# nothing listens on (below 1024, so no unprivileged program can take it).
CLOSED_LOOPBACK = ("127.0.0.1", 1)
LAB_DESCRIPTION = "The lab's FRR router"
CLOSED_DESCRIPTION = (  # at most 200 characters
    "The lab's FRR router. Its lab address could leave this machine (no root to keep it "
    "local), so r1 points at a closed port here: connections are refused at once."
)


def lab_napalm_args(instance: int = 0) -> dict:
    """The optional driver arguments that reach the lab's r1 (its SSH key, vty socket...).
    The lab's SSH keys are made now if its lab never ran (they stay across runs), so that
    the key r1 names exists and a down lab's r1 is only unreachable."""
    try:
        from lab import Lab
        from lab.ssh import prepare_ssh
    except ImportError:
        return {}
    lab = Lab(instance=instance)
    params = lab.napalm_params("r1")
    if not lab.ssh.client_key.exists():
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            prepare_ssh(lab.ssh, params["hostname"])
    return dict(params["optional_args"])


def lab_address_stays_local(address: str) -> bool:
    """Whether connecting to a lab address keeps every packet on this machine. As root,
    first install the unreachable routes that make it so, lab up or down."""
    from lab.guard import leaves_machine, protect_lab_ranges

    protect_lab_ranges()  # says why not (no root) instead of raising; then we ask the kernel
    return not leaves_machine(address)


def demo_router_target(instance: int) -> dict:
    """r1's hostname, driver arguments and description: the lab's r1, or a closed port of
    loopback when the lab's address could leave the machine."""
    address = f"198.18.{instance}.11"
    if lab_address_stays_local(address):
        return {
            "hostname": address,
            "napalm_args": lab_napalm_args(instance),
            "description": LAB_DESCRIPTION,
        }
    host, port = CLOSED_LOOPBACK
    return {"hostname": host, "napalm_args": {"port": port}, "description": CLOSED_DESCRIPTION}


def _is_closed_loopback(router: Router) -> bool:
    host, port = CLOSED_LOOPBACK
    return router.hostname == host and router.napalm_args.get("port") == port


def _retarget(router: Router, instance: int, target: dict, result: DemoResult) -> None:
    """Move the demo's own r1 between its lab address and the closed loopback port when
    the machine changed (the lab's routes appeared or are gone). A router the user
    pointed elsewhere is left alone."""
    ours = router.hostname == f"198.18.{instance}.11" or _is_closed_loopback(router)
    if not ours or router.hostname == target["hostname"]:
        return
    for name, value in target.items():
        setattr(router, name, value)
    router.save(update_fields=list(target))
    result.changed.append(f"router {router} now points at {router.hostname}")


def load_demo(instance: int = 0) -> DemoResult:
    """Create whatever part of the demo inventory is missing. Existing objects stay as they
    are, except that the demo's r1 never points at a lab address that could leave this
    machine (see demo_router_target)."""
    return _load(instance, demo_router_target(instance))  # asks the kernel, outside the transaction


@transaction.atomic
def _load(instance: int, target: dict) -> DemoResult:
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
            "platform": platform,
            "local_autonomous_system": ases[64500],
            "config_template": template,
            "napalm_username": "root",
            **target,
        },
    )
    result.note(router, created)
    if not created:
        _retarget(router, instance, target, result)

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
