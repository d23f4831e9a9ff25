"""Fixtures for the web UI's tests (registered in the top-level conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from configs.models import ConfigTemplate
from core.choices import BGPState
from core.tests.api import APIClient
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.policy_models import Community, RoutingPolicy

UI_APPS = ("core", "devices", "peering", "configs")
STATES = [*BGPState.values, None]


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """A user with the named permissions ("app.codename"), or every view permission."""

    def make(*permissions: str, username: str = "user", view_all: bool = True) -> User:
        user = User.objects.create_user(username, password="a-long-test-password")
        query = Q(pk__in=[])
        if view_all:
            query |= Q(content_type__app_label__in=UI_APPS, codename__startswith="view_")
        for name in permissions:
            app, codename = name.split(".")
            query |= Q(content_type__app_label=app, codename=codename)
        user.user_permissions.set(Permission.objects.filter(query))
        return user

    return make


@pytest.fixture
def viewer_client(make_user) -> Client:
    """Logged in as a user who may view everything and change nothing."""
    client = Client()
    client.force_login(make_user(username="viewer"))
    return client


@pytest.fixture
def ui_inventory(db) -> Router:
    """A small inventory: r1 with a platform, a template, an IXP, a connection, sessions."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One", ipv4_max_prefixes=100)
    template = ConfigTemplate.objects.create(
        name="main",
        template="router bgp {{ local_as.asn }}\n{% for s in sessions %}"
        " neighbor {{ s.ip_address }} remote-as {{ s.autonomous_system.asn }}\n"
        "{% if s.password %} neighbor {{ s.ip_address }} password {{ s.password }}\n{% endif %}"
        "{% endfor %}",
    )
    platform = Platform.objects.create(name="FRRouting", slug="frr", napalm_driver="frr")
    router = Router.objects.create(
        name="r1",
        hostname="127.0.0.1",
        platform=platform,
        local_autonomous_system=ours,
        config_template=template,
        napalm_password="router-secret",
    )
    ixp = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=ours
    )
    connection = Connection.objects.create(
        internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24"
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=peer,
        ip_address="192.0.2.11",
        password="session-secret",
        bgp_state=BGPState.ESTABLISHED,
        received_prefix_count=42,
    )
    group = BGPGroup.objects.create(name="Transit", slug="transit")
    direct = DirectPeeringSession.objects.create(
        router=router, bgp_group=group, autonomous_system=peer, ip_address="198.51.100.1"
    )
    community = Community.objects.create(name="From peers", slug="from-peers", value="64500:100")
    policy = RoutingPolicy.objects.create(name="Peers", slug="peers", local_preference=200)
    policy.match_communities.add(community)
    for level in (router, peer, group, direct):
        level.import_routing_policies.add(policy)
        level.communities.add(community)
        level.tags.add("gold")
    return router


@pytest.fixture
def thousand_sessions(db) -> int:
    """1,000 sessions (half direct, half over IXPs) on 4 routers, with state history."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peers = AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=65000 + i, name=f"Peer {i}", ipv4_max_prefixes=100) for i in range(100)
    )
    platform = Platform.objects.create(name="FRRouting", slug="frr", napalm_driver="frr")
    template = ConfigTemplate.objects.create(name="main", template="")
    routers = [
        Router.objects.create(
            name=f"r{i}",
            hostname=f"198.18.0.{i}",
            platform=platform,
            local_autonomous_system=ours,
            config_template=template,
        )
        for i in range(1, 5)
    ]
    groups = [BGPGroup.objects.create(name=f"Group {i}", slug=f"group-{i}") for i in range(3)]
    connections = []
    for i in range(2):
        ixp = InternetExchange.objects.create(
            name=f"IX {i}", slug=f"ix-{i}", local_autonomous_system=ours
        )
        connections += [
            Connection.objects.create(
                internet_exchange=ixp, router=router, ipv4_address=f"10.{i}.{n}.1/16"
            )
            for n, router in enumerate(routers[:2])
        ]
    now = timezone.now()
    ixp_sessions = InternetExchangePeeringSession.objects.bulk_create(
        InternetExchangePeeringSession(
            ixp_connection=connections[i % 4],
            autonomous_system=peers[i % 100],
            ip_address=f"10.{(i % 4) // 2}.{100 + i // 250}.{i % 250 + 1}",
            bgp_state=STATES[i % len(STATES)],
            received_prefix_count=i,
            last_established_state=now,
        )
        for i in range(500)
    )
    direct = DirectPeeringSession.objects.bulk_create(
        DirectPeeringSession(
            router=routers[i % 4],
            bgp_group=groups[i % 3],
            autonomous_system=peers[i % 100],
            ip_address=f"203.0.{113 + i // 250}.{i % 250}",
            bgp_state=STATES[i % len(STATES)],
        )
        for i in range(500)
    )
    BGPSessionStateChange.objects.bulk_create(
        [
            BGPSessionStateChange(
                ixp_session=ixp_sessions[0],
                from_state=None,
                to_state="idle",
                at=now - timedelta(minutes=10),
            ),
            BGPSessionStateChange(
                ixp_session=ixp_sessions[0], from_state="idle", to_state="established", at=now
            ),
            BGPSessionStateChange(
                direct_session=direct[0], from_state=None, to_state="active", at=now
            ),
        ]
    )
    return len(ixp_sessions) + len(direct)


@pytest.fixture
def api(admin_user) -> APIClient:
    """The API as a superuser, with a token."""
    return APIClient(admin_user)
