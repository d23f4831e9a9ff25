"""Fixtures for the API's tests (registered in the top-level conftest.py): a superuser's
read-write token, a client that sends it, and an inventory with an object of every kind
the API serves, so that detail, update and delete requests meet real objects.

The routers point at a closed port of loopback: whatever starts a job about them, nothing
leaves this machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from configs.models import ConfigTemplate
from core.choices import BGPState, JobStatus
from core.models import Job, Token
from devices.models import Platform, Router
from irr.models import KeptList, PrefixList
from irr.prefix_lists import as_set_of
from peering.demo import DEMO_PEERINGDB, DEMO_TEMPLATE
from peering.models import (
    AutonomousSystem,
    AutonomousSystemChange,
    BGPGroup,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.policy_models import Community, RoutingPolicy
from peeringdb.client import DirectorySource
from peeringdb.sync import synchronise

# A port of loopback below 1024 that nothing listens on: connections are refused at once.
CLOSED_LOOPBACK_PORT = 1
API_USER_PASSWORD = "a-long-api-test-password"


@dataclass
class APIInventory:
    """The objects of api_inventory, for tests that need one of them by name."""

    ours: AutonomousSystem
    peers: list[AutonomousSystem]
    platform: Platform
    routers: list[Router]
    template: ConfigTemplate
    ixp: InternetExchange
    connection: Connection
    group: BGPGroup
    ixp_sessions: list[InternetExchangePeeringSession]
    direct_sessions: list[DirectPeeringSession]
    jobs: list[Job]


def auth_header(key: str) -> dict[str, str]:
    """The header a script sends with its API token."""
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def api_user(db) -> User:
    """A superuser: every permission, so every operation of the API is open to it."""
    return User.objects.create_superuser("api-admin", password=API_USER_PASSWORD)


@pytest.fixture
def api_key(api_user: User) -> str:
    """The key of a read-write token of api_user."""
    _token, key = Token.issue(api_user, description="tests")
    return key


@pytest.fixture
def api_client(api_key: str) -> Client:
    """A client that sends api_key with every request, as a script does (no session)."""
    return Client(headers=auth_header(api_key))


def build_api_inventory(user: User | None = None) -> APIInventory:
    """Two routers on two platforms, our AS and four peers (with IRR lists), an IXP with a
    connection and sessions over both address families, direct sessions in a group,
    state history, a PeeringDB mirror (the demo's saved answers) and finished jobs."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peers = [
        AutonomousSystem.objects.create(
            asn=64500 + i,
            name=f"Peer {i}",
            ipv4_max_prefixes=100 * i,
            ipv6_max_prefixes=10 * i,
            irr_as_set=f"AS-PEER{i}" if i % 2 else "",
        )
        for i in range(1, 5)
    ]
    template = ConfigTemplate.objects.create(
        name="frr-peering", template=DEMO_TEMPLATE.read_text(), description="Sessions of FRR."
    )
    platform = Platform.objects.create(name="FRRouting", slug="frr", napalm_driver="frr")
    Platform.objects.create(
        name="Arista EOS", slug="eos", napalm_driver="eos", napalm_args={"transport": "https"}
    )
    routers = [
        Router.objects.create(
            name=f"r{i}",
            hostname="127.0.0.1",
            platform=platform,
            local_autonomous_system=ours,
            config_template=template,
            napalm_username="peerkeeper",
            napalm_args={"port": CLOSED_LOOPBACK_PORT},
        )
        for i in (1, 2)
    ]
    ixp = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=ours
    )
    connection = Connection.objects.create(
        internet_exchange=ixp,
        router=routers[0],
        ipv4_address="192.0.2.1/24",
        ipv6_address="2001:db8:1::1/64",
        interface="eth1",
    )
    now = timezone.now()
    ixp_sessions = [
        InternetExchangePeeringSession.objects.create(
            ixp_connection=connection,
            autonomous_system=peer,
            ip_address=address,
            bgp_state=BGPState.ESTABLISHED,
            received_prefix_count=42,
            last_established_state=now,
        )
        for peer, address in (
            (peers[0], "192.0.2.11"),
            (peers[0], "2001:db8:1::11"),
            (peers[1], "192.0.2.12"),
        )
    ]
    group = BGPGroup.objects.create(name="Transit", slug="transit")
    direct_sessions = [
        DirectPeeringSession.objects.create(
            router=routers[i % 2],
            bgp_group=group,
            local_autonomous_system=ours,
            autonomous_system=peers[3],
            ip_address=f"198.51.100.{2 * i + 1}",
            local_ip_address=f"198.51.100.{2 * i}",
            bgp_state=BGPState.ACTIVE,
        )
        for i in range(2)
    ]
    BGPSessionStateChange.objects.create(
        ixp_session=ixp_sessions[0], from_state=None, to_state=BGPState.ESTABLISHED, at=now
    )
    BGPSessionStateChange.objects.create(
        direct_session=direct_sessions[0], from_state=None, to_state=BGPState.ACTIVE, at=now
    )
    _policies_and_tags(routers[0], peers[0], group, ixp_sessions[0])
    synced = synchronise(DirectorySource(DEMO_PEERINGDB), full=True)
    assert synced.ok, synced.error
    AutonomousSystemChange.objects.create(
        autonomous_system=peers[0], field="name", old_value="Old", new_value=peers[0].name, at=now
    )
    # The lists of the AS-SETs the peers have once they follow PeeringDB: the first's
    # fetched (and kept), the second's never fetched, its refresh failed.
    first, second = (AutonomousSystem.objects.get(pk=peer.pk) for peer in peers[:2])
    prefix_list = PrefixList.objects.create(
        as_set=as_set_of(first.asn, first.irr_as_set),
        ipv4=[{"prefix": "203.0.113.0/24", "exact": True}],
        ipv6=[
            {"prefix": "2001:db8:100::/40", "exact": False, "greater_equal": 48, "less_equal": 48}
        ],
        asns=[first.asn],
        fetched_at=now,
    )
    KeptList.objects.create(autonomous_system=first, prefix_list=prefix_list)
    PrefixList.objects.create(
        as_set=as_set_of(second.asn, second.irr_as_set), error="No such AS-SET.", failed_at=now
    )
    jobs = [
        _finished_job("ping", routers[0], user, output="r1: reachable (3 ms)"),
        _finished_job("deploy", routers[1], user, output="", status=JobStatus.FAILED),
        _finished_job("peeringdb_sync", None, user, output="Nothing changed."),
    ]
    return APIInventory(
        ours, peers, platform, routers, template, ixp, connection, group, ixp_sessions,
        direct_sessions, jobs,
    )  # fmt: skip


def _policies_and_tags(
    router: Router, peer: AutonomousSystem, group: BGPGroup, session: Any
) -> None:
    """A community, an import and an export policy, assigned at several levels, and tags."""
    community = Community.objects.create(name="From peers", slug="from-peers", value="64500:100")
    importing = RoutingPolicy.objects.create(
        name="Import peers", slug="import-peers", type="import", local_preference=200
    )
    importing.set_communities.add(community)
    exporting = RoutingPolicy.objects.create(
        name="Export customers", slug="export-customers", type="export", as_path_prepend=1
    )
    for level in (router, peer, group, session):
        level.import_routing_policies.add(importing)
        level.export_routing_policies.add(exporting)
        level.communities.add(community)
        level.tags.add("gold")
    community.tags.add("gold")
    importing.tags.add("gold")


def _finished_job(
    kind: str, target: Any, user: User | None, output: str, status: str = JobStatus.COMPLETED
) -> Job:
    started = timezone.now() - timedelta(minutes=5)
    return Job.objects.create(
        kind=kind,
        target=target,
        target_name=str(target) if target is not None else "",
        user=user,
        status=status,
        started=started,
        finished=started + timedelta(seconds=3),
        output=output,
        log=[{"at": started.isoformat(), "level": "info", "message": "started"}],
        result={"ok": status == JobStatus.COMPLETED},
        error="" if status == JobStatus.COMPLETED else "r2: failed (unreachable)",
    )


@pytest.fixture
def api_inventory(db, api_user: User) -> APIInventory:
    """An object of every kind the API serves (see build_api_inventory)."""
    return build_api_inventory(api_user)
