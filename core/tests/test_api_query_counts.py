"""Every list the API's schema has costs the same number of queries for one object as for
sixteen: the safety net under the per-list baselines of test_api_list_queries.

The lists are read from the schema (a new one is measured without being named here) and
measured on one inventory where every kind of object has sixteen of its own, each with
related objects of its own (its router, platform, template, AS, exchange, PeeringDB LAN...)
so that a related object read once per row shows as fifteen more queries. A list with
fewer than sixteen objects fails: give its kind more in `many_of_everything`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from configs.models import ConfigTemplate
from core.choices import BGPState, JobStatus
from core.models import Job, Token
from core.tests.openapi import list_paths, served_schema
from devices.models import Platform, Router
from irr.models import KeptList, PrefixList
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
from peeringdb.tests import factories

MANY = 16


def many_of_everything(user: Any) -> None:
    """MANY objects of every kind the API lists, each with related objects of its own."""
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    now = timezone.now()
    for i in range(MANY):
        community = Community.objects.create(name=f"c{i}", slug=f"c{i}", value=f"64500:{i}")
        community.tags.add(f"tag-{i}")
        policy = RoutingPolicy.objects.create(name=f"policy {i}", slug=f"policy-{i}")
        policy.match_communities.add(community)
        policy.set_communities.add(community)
        policy.tags.add(f"tag-{i}")
        peer = AutonomousSystem.objects.create(
            asn=65000 + i, name=f"Peer {i}", irr_as_set=f"AS-SET{i}", ipv4_max_prefixes=i + 1
        )
        template = ConfigTemplate.objects.create(name=f"t{i}", template="router bgp 1\n")
        platform = Platform.objects.create(
            name=f"Platform {i}", slug=f"p{i}", napalm_driver="frr", napalm_args={"secret": "s"}
        )
        router = Router.objects.create(
            name=f"r{i}",
            hostname="127.0.0.1",
            platform=platform,
            local_autonomous_system=ours,
            config_template=template,
            napalm_password="pw",
            last_poll_error="timed out" if i % 2 else "",
        )
        peeringdb_ix = factories.ix(f"PeeringDB IX {i}")
        lan = factories.ixlan(peeringdb_ix, f"10.{i}.0.0/24", f"2001:db8:{i:x}::/64")
        network = factories.network(65000 + i)
        factories.netixlan(lan, network, ipaddr4=f"10.{i}.0.3")
        ixp = InternetExchange.objects.create(
            name=f"IX {i}", slug=f"ix-{i}", local_autonomous_system=ours, peeringdb_ix=peeringdb_ix
        )
        link = Connection.objects.create(
            internet_exchange=ixp, router=router, ipv4_address=f"10.{i}.0.1/24", peeringdb_ixlan=lan
        )
        group = BGPGroup.objects.create(name=f"Group {i}", slug=f"group-{i}")
        direct = DirectPeeringSession.objects.create(
            router=router,
            bgp_group=group,
            local_autonomous_system=ours,
            autonomous_system=peer,
            ip_address=f"198.51.100.{i + 1}",
            password="pw",
            bgp_state=BGPState.ESTABLISHED,
            last_polled_at=now,
        )
        session = InternetExchangePeeringSession.objects.create(
            ixp_connection=link,
            autonomous_system=peer,
            ip_address=f"10.{i}.0.2",
            password="pw",
            bgp_state=BGPState.IDLE,
            last_polled_at=now,
        )
        for level in (router, peer, ixp, link, group, direct, session):
            level.import_routing_policies.add(policy)
            level.export_routing_policies.add(policy)
            level.communities.add(community)
            level.tags.add(f"tag-{i}", "shared")
        BGPSessionStateChange.objects.create(
            **({"direct_session": direct} if i % 2 else {"ixp_session": session}),
            from_state=None,
            to_state=BGPState.IDLE,
            at=now - timedelta(minutes=i),
        )
        AutonomousSystemChange.objects.create(
            autonomous_system=peer, field="name", old_value="a", new_value=peer.name, at=now
        )
        prefix_list = PrefixList.objects.create(
            as_set=f"AS-SET{i}", asns=[65000 + i], fetched_at=now
        )
        KeptList.objects.create(autonomous_system=peer, prefix_list=prefix_list)
        Job.objects.create(
            kind="ping",
            target=router,
            target_name=router.name,
            user=user,
            status=JobStatus.COMPLETED,
            repeat_every=3600 if i % 2 else None,
        )
        Token.issue(user, description=f"token {i}")


def queries(client: Client, path: str, limit: int) -> tuple[int, int]:
    """How many queries one page of `limit` objects costs, and how many objects it had."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"limit": limit})
    assert response.status_code == 200, (path, response.content[:300])
    return len(captured), len(response.json()["results"])


def test_every_list_costs_the_same_for_one_object_and_for_many(
    api_user: Any, api_client: Client
) -> None:
    many_of_everything(api_user)
    document = served_schema(api_client)  # the token's first use is recorded here
    measured, problems = [], []
    for path in list_paths(document):
        one, shown_one = queries(api_client, path, 1)
        many, shown_many = queries(api_client, path, MANY)
        measured.append(path)
        if shown_many < MANY:
            problems.append(f"{path}: {shown_many} objects, give it {MANY} (many_of_everything)")
        elif one != many:
            problems.append(f"{path}: {one} queries for {shown_one} object, {many} for {MANY}")
    assert not problems, "\n".join(problems)
    assert {"/api/devices/routers/", "/api/core/jobs/", "/api/core/tokens/"} <= set(measured)
