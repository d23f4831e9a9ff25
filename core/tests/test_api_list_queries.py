"""Every API list costs the same number of queries for one object as for twenty: related
objects come with the list's query (the pages' querysets, peering.queries and
devices.queries), never one query per object.

BASELINE is each list's count today, for a superuser with a token: the token's look-up,
the page's count, the page itself (and a prefetch where the list has one: a level's
import and export policies, communities and tags are four). A change that
adds a query to a list shows here, on purpose: update the number when it is meant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from changelog.context import recording
from configs.models import ConfigTemplate
from core.tests import builders
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

MANY = 20


def _routers(i: int) -> None:
    builders.router(f"r{i}")


def _platforms(i: int) -> None:
    Platform.objects.create(name=f"Platform {i}", slug=f"p{i}", napalm_args={"secret": "s"})


def _systems(i: int) -> None:
    AutonomousSystem.objects.create(asn=65000 + i, name=f"Peer {i}")


def _ixps(i: int) -> None:
    InternetExchange.objects.create(
        name=f"IX {i}",
        slug=f"ix-{i}",
        local_autonomous_system=builders.our_as(),
        peeringdb_ix=factories.ix(f"PeeringDB IX {i}"),
    )


def _connections(i: int) -> None:
    lan = factories.ixlan(factories.ix(f"PeeringDB IX {i}"), f"10.{i}.0.0/24")
    Connection.objects.create(
        internet_exchange=builders.internet_exchange(f"ix{i}"),
        router=builders.router(f"r{i}"),
        ipv4_address=f"10.{i}.0.1/24",
        peeringdb_ixlan=lan,
    )


def _groups(i: int) -> None:
    BGPGroup.objects.create(name=f"Group {i}", slug=f"group-{i}")


def _direct(i: int) -> None:
    router = builders.router(f"r{i % 3}")
    if i % 2:
        Router.objects.filter(pk=router.pk).update(last_poll_error="timed out")
    DirectPeeringSession.objects.create(
        router=router,
        bgp_group=builders.bgp_group(f"g{i % 4}"),
        autonomous_system=builders.peer_as(65000 + i),
        local_autonomous_system=builders.our_as(),
        ip_address=f"198.51.100.{i + 1}",
        bgp_state="established",
        last_polled_at=timezone.now(),
        password="pw",
    )


def _ixp(i: int) -> None:
    InternetExchangePeeringSession.objects.create(
        ixp_connection=builders.connection(f"r{i % 3}", f"ix{i % 2}"),
        autonomous_system=builders.peer_as(65000 + i),
        ip_address=f"192.0.2.{i + 10}",
        bgp_state="idle",
        last_polled_at=timezone.now(),
    )


def _policies(i: int) -> None:
    policy = RoutingPolicy.objects.create(name=f"policy {i}", slug=f"policy-{i}")
    policy.match_communities.add(_community(i))
    policy.set_communities.add(_community(i + 100))
    policy.tags.add(f"tag-{i}")


def _community(i: int) -> Community:
    return Community.objects.get_or_create(
        value=f"64500:{i}", defaults={"name": f"c{i}", "slug": f"c{i}"}
    )[0]


def _communities(i: int) -> None:
    _community(i).tags.add(f"tag-{i}", "shared")


def _assigned(make: Callable[[int], None], model: type) -> Callable[[int], None]:
    """`make`, then the new object gets a policy of each direction, a community, tags."""

    def made(i: int) -> None:
        make(i)
        obj = model.objects.latest("pk")
        both = RoutingPolicy.objects.get_or_create(name="both", slug="both")[0]
        obj.import_routing_policies.add(both)
        obj.export_routing_policies.add(both)
        obj.communities.add(_community(i))
        obj.tags.add(f"tag-{i}", "shared")

    return made


def _state_changes(i: int) -> None:
    at = timezone.now() - timedelta(minutes=i)
    if i % 2:
        _direct(i)
        BGPSessionStateChange.objects.create(
            direct_session=DirectPeeringSession.objects.latest("pk"), to_state="idle", at=at
        )
    else:
        _ixp(i)
        BGPSessionStateChange.objects.create(
            ixp_session=InternetExchangePeeringSession.objects.latest("pk"), to_state="idle", at=at
        )


def _as_changes(i: int) -> None:
    AutonomousSystemChange.objects.create(
        autonomous_system=builders.peer_as(65000 + i),
        field="name",
        old_value="a",
        new_value="b",
        at=timezone.now(),
    )


def _templates(i: int) -> None:
    ConfigTemplate.objects.create(name=f"t{i}", template="x")


def _networks(i: int) -> None:
    factories.network(65000 + i)


def _ixes(i: int) -> None:
    factories.ix(f"PeeringDB IX {i}")


def _ixlans(i: int) -> None:
    factories.ixlan(factories.ix(f"PeeringDB IX {i}"), f"10.{i}.0.0/24")


def _netixlans(i: int) -> None:
    lan = factories.ixlan(factories.ix(f"PeeringDB IX {i}"), f"10.{i}.0.0/24")
    factories.netixlan(lan, factories.network(65000 + i), ipaddr4=f"10.{i}.0.2")


def _prefix_lists(i: int) -> None:
    PrefixList.objects.create(as_set=f"AS-SET{i}", asns=[65000 + i])


def _kept_lists(i: int) -> None:
    KeptList.objects.create(
        autonomous_system=builders.peer_as(65000 + i),
        prefix_list=PrefixList.objects.create(as_set=f"AS-SET{i}"),
    )


def _changes(i: int) -> None:
    """A change-log entry by a user, through the API (its user and origin are shown)."""
    user = User.objects.get_or_create(username="changer")[0]
    with recording(user=user, origin="api"):
        builders.bgp_group(f"changed-{i}")


# list URL -> (how to make its i-th object, queries of one page whatever its length)
LISTS: dict[str, tuple[Callable[[int], None], int]] = {
    "/api/devices/platforms/": (_platforms, 3),
    "/api/devices/routers/": (_assigned(_routers, Router), 7),
    "/api/peering/autonomous-systems/": (_assigned(_systems, AutonomousSystem), 7),
    "/api/peering/ixps/": (_assigned(_ixps, InternetExchange), 7),
    "/api/peering/connections/": (_assigned(_connections, Connection), 7),
    "/api/peering/bgp-groups/": (_assigned(_groups, BGPGroup), 7),
    "/api/peering/direct-sessions/": (_assigned(_direct, DirectPeeringSession), 7),
    "/api/peering/ixp-sessions/": (_assigned(_ixp, InternetExchangePeeringSession), 7),
    "/api/peering/routing-policies/": (_policies, 6),
    "/api/peering/communities/": (_communities, 4),
    "/api/peering/session-state-changes/": (_state_changes, 3),
    "/api/peering/autonomous-system-changes/": (_as_changes, 3),
    "/api/configs/templates/": (_templates, 3),
    "/api/peeringdb/networks/": (_networks, 3),
    "/api/peeringdb/ixes/": (_ixes, 3),
    "/api/peeringdb/ixlans/": (_ixlans, 3),
    "/api/peeringdb/ixlan-prefixes/": (_ixlans, 3),
    "/api/peeringdb/netixlans/": (_netixlans, 3),
    "/api/irr/prefix-lists/": (_prefix_lists, 3),
    "/api/irr/kept-lists/": (_kept_lists, 3),
    "/api/changelog/": (_changes, 3),
}


def test_every_list_is_measured(api, db) -> None:
    from peerkeeper.api_urls import api_router

    # core's own (a user's tokens, jobs) are measured with them; a door that only starts
    # a job (POST /api/peeringdb/sync/) lists nothing.
    registry = api_router().registry
    lists = {f"/api/{prefix}/" for prefix, viewset, _ in registry if hasattr(viewset, "list")}
    lists = {url for url in lists if not url.startswith("/api/core/")}
    assert lists <= set(LISTS), sorted(lists - set(LISTS))


@pytest.mark.parametrize("url", list(LISTS))
def test_a_list_costs_the_same_for_one_object_and_for_twenty(api, url) -> None:
    make, baseline = LISTS[url]
    make(0)
    api.get(url)  # the token's first use records it: not part of a list's cost
    one = api.queries(url)
    for i in range(1, MANY):
        make(i)
    response = api.get(url)
    assert response.json()["count"] >= MANY
    many = api.queries(url)
    assert (one, many) == (baseline, baseline)
