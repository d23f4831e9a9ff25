"""The demo inventory: the lab's routers, peers, IXP and sessions (see lab/README.md)."""

import contextlib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from configs.models import ConfigTemplate
from devices.models import Platform, Router
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
from peeringdb.client import DirectorySource
from peeringdb.models import Network
from peeringdb.shapes import NOUNS
from peeringdb.sync import synchronise

DEMO_TEMPLATE = Path(__file__).resolve().parent.parent / "configs" / "platforms" / "frr.j2"
DEMO_PEERINGDB = Path(__file__).resolve().parent.parent / "peeringdb" / "fixtures" / "demo"

# (asn, name, IPv4 max prefixes, IPv6 max prefixes, ours)
AUTONOMOUS_SYSTEMS = [
    (64500, "Peerkeeper Demo", None, None, True),
    (64501, "Peer One", 100, 20, False),
    (64502, "Peer Two", 12000, None, False),
    (64503, "Peer Three", 100, 20, False),
    (64504, "Transit Four", 1000, None, False),
]
# (slug, name, value, type, description)
COMMUNITIES = [
    ("learned-ixp", "Learned at an IXP", "64500:1000", "ingress", "Set by IXP-IN."),
    ("learned-demo-ix", "Learned at Demo IX", "64500:1:1", "ingress", "Which IXP: large."),
    ("learned-transit", "Learned from transit", "64500:2000", "ingress", "Set by TRANSIT-IN."),
    ("customer-routes", "Customer routes", "64500:100", "", "Announced to peers and transit."),
    ("site-of-origin", "Site of origin", "soo:64500:1", "egress", "On every route sent."),
]
# (slug, name, type, local preference, AS path prepend, match, set, description)
ROUTING_POLICIES = [
    (
        "ixp-in",
        "IXP in",
        "import",
        200,
        0,
        [],
        ["learned-ixp"],
        "Routes of IXP peers: preferred over transit, marked as learned at an IXP.",
    ),
    (
        "peers-out",
        "Peers out",
        "export",
        None,
        0,
        ["customer-routes"],
        [],
        "To IXP peers: our customers' routes only.",
    ),
    (
        "transit-in",
        "Transit in",
        "import",
        80,
        0,
        [],
        ["learned-transit"],
        "Routes of transit providers: least preferred.",
    ),
    (
        "transit-out",
        "Transit out",
        "export",
        None,
        1,
        ["customer-routes"],
        [],
        "To transit: our customers' routes, prepended once.",
    ),
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
# The demo's r1 is the router r1 while it points at a lab's r1 (198.18.N.11) or at the
# closed port; a router r1 pointed anywhere else is the user's and is left alone.
LAB_R1_ADDRESS = re.compile(r"198\.18\.\d\.11")
# The driver arguments that tie r1 to one lab instance's files (lab.Lab.napalm_params),
# and the closed port's.
LAB_ARGUMENTS = frozenset(
    {
        "key_file",
        "known_hosts_file",
        "vty_socket",
        "config_dir",
        "config_file",
        "run_dir",
        "frr_reload",
        "port",
    }
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


@dataclass(frozen=True)
class RouterTarget:
    """Where the demo's r1 points: the r1 of the demo's lab instance, or a closed port
    of loopback when that lab's address could leave the machine."""

    hostname: str
    napalm_args: dict
    description: str
    where: str  # for the line that says r1 changed


def demo_router_target(instance: int) -> RouterTarget:
    """r1's hostname, driver arguments and description for lab instance `instance`."""
    address = f"198.18.{instance}.11"
    if lab_address_stays_local(address):
        args = lab_napalm_args(instance)
        files = Path(args["config_dir"]).parent if "config_dir" in args else None
        return RouterTarget(
            address,
            args,
            LAB_DESCRIPTION,
            f"{address}, the r1 of lab instance {instance}"
            + (f" (its files in {files})" if files else ""),
        )
    host, port = CLOSED_LOOPBACK
    return RouterTarget(
        host,
        {"port": port},
        CLOSED_DESCRIPTION,
        f"{host} port {port}, a closed port: lab instance {instance}'s address could leave "
        "this machine",
    )


# Seconds the demo waits at most for the lab's sessions to be Established (with their
# prefixes) before its first poll: `lab up` waits for them already; a lab that was up
# before the demo may have sessions coming back after a restart.
SESSIONS_UP_WAIT_S = 30.0


def first_poll(instance: int, wait_s: float = SESSIONS_UP_WAIT_S) -> str:
    """Poll the demo's r1 once, so that its pages open with the sessions' real state:
    first wait (at most `wait_s` seconds) for lab instance `instance`'s sessions to be
    Established when that lab is up. Returns one line saying how it went; a failure
    (lab down, r1 unreachable) is that line, never an exception."""
    from core.job_records import record_jobs
    from peering.jobs import PollJob
    from peering.polling import poll_routers

    router = Router.objects.filter(name="r1").select_related("platform").first()
    if router is None:
        return "First poll skipped: there is no router r1."
    waited = _wait_for_lab_sessions(instance, wait_s)
    # On record like any other poll: the jobs list and r1's page show it.
    with record_jobs(PollJob, [router]) as records:
        results = poll_routers([router])
        records.finish(results)
    result = results[0]
    if not result.ok:
        return f"The first poll of r1 failed ({result.category}): {result.error}"
    return f"First poll: {result.summary}{waited}"


def _wait_for_lab_sessions(instance: int, wait_s: float) -> str:
    """Wait for the lab's r1 sessions; "" when they are up (or no lab runs: the poll says
    why it fails), else what was still not up, for the poll's line."""
    try:
        from lab import Lab
        from lab.errors import LabError
    except ImportError:
        return ""
    lab = Lab(instance=instance)
    owner = lab.state.owner()
    if owner is None or not lab.state.is_ours(owner):  # down, or another checkout's
        return ""
    try:
        lab.wait_established("r1", timeout=wait_s, prefixes=True)
    except LabError as exc:
        return f" (not every session was up after {wait_s:.0f} s: {exc})"
    except Exception as exc:  # reading the lab failed: the poll still says what is true
        return f" (the lab's sessions could not be read: {type(exc).__name__}: {exc})"
    return ""


def load_demo(instance: int = 0) -> DemoResult:
    """Create whatever part of the demo inventory is missing. Existing objects stay as they
    are, except the demo's r1's connection: it always points at the r1 of lab instance
    `instance` (address and driver arguments), or at a closed port where that lab's
    address could leave this machine (see demo_router_target)."""
    return _load(demo_router_target(instance))  # asks the kernel, outside the transaction


def _is_demo_r1(router: Router) -> bool:
    host, port = CLOSED_LOOPBACK
    closed = router.hostname == host and (router.napalm_args or {}).get("port") == port
    return closed or LAB_R1_ADDRESS.fullmatch(router.hostname) is not None


def _retarget(router: Router, target: RouterTarget, result: DemoResult) -> None:
    """Point the demo's own r1 at `target`: another lab instance than last time, the same
    instance's files elsewhere (another state directory), or the closed port and back
    when the machine changed. Driver arguments of the user's own are kept; a router r1
    the user pointed elsewhere is left alone."""
    if not _is_demo_r1(router):
        return
    args = router.napalm_args or {}
    kept = {key: value for key, value in args.items() if key not in LAB_ARGUMENTS}
    wanted = {"hostname": target.hostname, "napalm_args": {**kept, **target.napalm_args}}
    if router.description in (LAB_DESCRIPTION, CLOSED_DESCRIPTION):  # not one the user wrote
        wanted["description"] = target.description
    changed = [name for name, value in wanted.items() if getattr(router, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(router, name, wanted[name])
    router.save(update_fields=changed)
    result.changed.append(f"router {router} now points at {target.where}")


@transaction.atomic
def _load(target: RouterTarget) -> DemoResult:
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
            "hostname": target.hostname,
            "napalm_args": target.napalm_args,
            "description": target.description,
        },
    )
    result.note(router, created)
    if not created:
        _retarget(router, target, result)

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
    _load_policies(result, router, ixp, group)
    if not Network.objects.exists():
        _load_peeringdb(result)
    return result


def _load_policies(
    result: DemoResult, router: Router, ixp: InternetExchange, group: BGPGroup
) -> None:
    """The demo's communities and routing policies, and where they and the demo's tags are
    assigned. Assignments are made when the policies are created: on a later run, an
    assignment the user removed stays removed."""
    communities = {}
    for slug, name, value, kind, description in COMMUNITIES:
        communities[slug], created = Community.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "value": value, "type": kind, "description": description},
        )
        result.note(communities[slug], created)
    policies, new = {}, False
    for slug, name, kind, local_pref, prepend, match, add, description in ROUTING_POLICIES:
        policies[slug], created = RoutingPolicy.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "type": kind,
                "local_preference": local_pref,
                "as_path_prepend": prepend,
                "description": description,
            },
        )
        result.note(policies[slug], created)
        if created:
            new = True
            policies[slug].match_communities.add(*(communities[c] for c in match))
            policies[slug].set_communities.add(*(communities[c] for c in add))
            policies[slug].tags.add("demo")
    if not new:
        return
    ixp.import_routing_policies.add(policies["ixp-in"])
    ixp.export_routing_policies.add(policies["peers-out"])
    ixp.communities.add(communities["learned-demo-ix"])
    ixp.tags.add("public-peering")
    group.import_routing_policies.add(policies["transit-in"])
    group.export_routing_policies.add(policies["transit-out"])
    group.tags.add("transit")
    router.communities.add(communities["site-of-origin"])
    router.tags.add("edge", "demo")
    InternetExchangePeeringSession.objects.filter(
        ixp_connection__router=router, autonomous_system__asn=64502
    ).first().tags.add("high-volume")


def _load_peeringdb(result: DemoResult) -> None:
    """The demo's PeeringDB: saved answers whose networks are the lab's peers and others
    at the Demo IX (the available peers), read like the API's. The ASes follow it."""
    synced = synchronise(DirectorySource(DEMO_PEERINGDB), full=True)
    if not synced.ok:
        raise RuntimeError(f"The demo's PeeringDB data could not be loaded: {synced.error}")
    counts = ", ".join(f"{c.created} {NOUNS[kind]}" for kind, c in synced.counts.items())
    result.created.append(f"PeeringDB data of the demo: {counts}")
