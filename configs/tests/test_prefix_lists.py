"""IRR prefix lists in templates: the context, the filters, and the demo FRR template."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from configs.filters import prefix_range
from configs.models import ConfigTemplate
from configs.rendering import RenderError, render_router_config
from devices.models import Router
from irr.models import PrefixList
from peering.models import AutonomousSystem, InternetExchangePeeringSession

FETCHED = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
FAILED = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def exact(prefix: str) -> dict:
    return {"prefix": prefix, "exact": True}


def ranged(prefix: str, low: int, high: int) -> dict:
    return {"prefix": prefix, "exact": False, "greater_equal": low, "less_equal": high}


def cache(as_set: str, ipv4=(), ipv6=(), asns=(), **fields) -> PrefixList:
    fields.setdefault("fetched_at", FETCHED)
    return PrefixList.objects.create(
        as_set=as_set, ipv4=list(ipv4), ipv6=list(ipv6), asns=list(asns), **fields
    )


def use(router: Router, template: str) -> None:
    ConfigTemplate.objects.filter(pk=router.config_template_id).update(template=template)


def test_each_session_gets_the_list_of_its_as_set_for_its_family(make_inventory) -> None:
    # 65000: IPv4 on the IXP and direct, two AS-sets given in lower case and with a comma
    # (expanded together); 65001: IPv6, no set
    router = make_inventory(ixp_sessions=2, direct_sessions=1)
    AutonomousSystem.objects.filter(asn=65000).update(irr_as_set="as-zero, AS-OTHER@RIPE")
    cache(
        "AS-ZERO RIPE::AS-OTHER",
        [exact("203.0.113.0/30")],
        [exact("2001:db8:100::/48")],
        [65000, 65010],
    )
    cache("AS65001", [exact("198.51.100.0/24")], [ranged("2001:db8:200::/40", 48, 48)])
    use(
        router,
        "{% for s in sessions %}{{ s.ip_address }} {{ s.autonomous_system.as_set }}"
        ": {{ s | prefix_list | map(attribute='prefix') | join(',') }}\n{% endfor %}"
        "AS65000 IPv6: {{ sessions[0].autonomous_system | prefix_list(6) | map(attribute='prefix')"
        " | join }}; origins {{ sessions[0] | as_list | join(',') }}\n",
    )
    assert render_router_config(router) == (
        "198.18.0.3 AS-ZERO RIPE::AS-OTHER: 203.0.113.0/30\n"
        "2001:db8:1::3 AS65001: 2001:db8:200::/40\n"
        "198.51.100.1 AS-ZERO RIPE::AS-OTHER: 203.0.113.0/30\n"
        "AS65000 IPv6: 2001:db8:100::/48; origins 65000,65010\n"
    )


@pytest.mark.parametrize(
    ("entry", "written"),
    [
        (exact("203.0.113.0/30"), "203.0.113.0/30"),
        (ranged("203.0.113.0/25", 30, 30), "203.0.113.0/25 ge 30 le 30"),
        (ranged("198.51.100.0/24", 24, 32), "198.51.100.0/24 le 32"),  # FRR refuses "ge 24"
        (ranged("198.51.100.0/24", 24, 24), "198.51.100.0/24"),
        (ranged("2001:db8:100::/46", 48, 48), "2001:db8:100::/46 ge 48 le 48"),
    ],
)
def test_prefix_range_writes_an_entry_as_prefix_lists_do(entry: dict, written: str) -> None:
    assert prefix_range(entry) == written


def _sessions_with_lists(router: Router, count: int, entries: int) -> None:
    """`count` IPv4 IXP sessions, each with an AS of its own whose AS-set has a list."""
    InternetExchangePeeringSession.objects.all().delete()
    AutonomousSystem.objects.filter(asn__gte=70000).delete()
    PrefixList.objects.all().delete()
    peers = AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=70000 + i, name=f"Bulk {i}") for i in range(count)
    )
    InternetExchangePeeringSession.objects.bulk_create(
        InternetExchangePeeringSession(
            ixp_connection=router.connections.get(),
            autonomous_system=peer,
            ip_address=f"198.18.{i // 250 + 10}.{i % 250 + 1}",
        )
        for i, peer in enumerate(peers)
    )
    listed = [exact(f"10.{n // 256}.{n % 256}.0/24") for n in range(entries)]
    PrefixList.objects.bulk_create(
        PrefixList(as_set=f"AS{peer.asn}", ipv4=listed, fetched_at=FETCHED) for peer in peers
    )


LISTS_TEMPLATE = """\
{% for s in sessions if s.prefix_list is not none %}
{% for entry in s | prefix_list %}
ip prefix-list AS{{ s.autonomous_system.asn }} permit {{ entry | prefix_range }}
{% endfor %}
{% endfor %}
"""


def _queries(router: Router) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        text = render_router_config(router)
    return text, len(queries)


def test_the_lists_cost_one_query_whatever_the_sessions_and_prefixes(make_inventory) -> None:
    router = make_inventory(ixp_sessions=1, direct_sessions=0, template=LISTS_TEMPLATE)
    _sessions_with_lists(router, 2, 0)
    PrefixList.objects.all().delete()
    _, without_lists = _queries(router)
    _sessions_with_lists(router, 300, 100)
    text, with_lists = _queries(router)
    assert text.count("ip prefix-list") == 300 * 100
    assert with_lists == without_lists


def test_a_failed_refresh_keeps_the_list_and_says_why(make_inventory) -> None:
    router = make_inventory(ixp_sessions=1, direct_sessions=0)
    error = "AS-BIG expands to 10,000 IPv4 prefixes, more than IRR_MAX_PREFIXES (5,000)"
    AutonomousSystem.objects.filter(asn=65000).update(irr_as_set="AS-BIG")
    cache("AS-BIG", [exact("203.0.113.0/30")], error=error, failed_at=FAILED)
    use(
        router,
        "{% set peer = sessions[0].autonomous_system %}"
        "{{ peer.irr.fetched_at }} {{ peer.irr.failed_at }}: {{ peer.irr.error }}\n"
        "{{ sessions[0] | prefix_list | map(attribute='prefix') | join }}\n",
    )
    assert render_router_config(router) == (
        f"2026-11-30T14:05:00+00:00 2026-11-30T15:00:00+00:00: {error}\n203.0.113.0/30\n"
    )


def test_a_list_never_fetched_is_none(make_inventory) -> None:
    router = make_inventory(ixp_sessions=2, direct_sessions=0)
    # AS65000's first refresh failed; AS65001 was never refreshed at all
    cache("AS65000", error="AS65000: connection refused", fetched_at=None, failed_at=FAILED)
    use(
        router,
        "{% for s in sessions %}AS{{ s.autonomous_system.asn }}"
        " {{ s | prefix_list is none }} {{ s.prefix_list is none }}"
        " {{ s.autonomous_system.prefix_lists is none }} {{ s | as_list is none }}"
        " [{{ s.autonomous_system.irr.error }}]\n{% endfor %}",
    )
    assert render_router_config(router) == (
        "AS65000 True True True True [AS65000: connection refused]\n"
        "AS65001 True True True True []\n"
    )


def test_looping_over_a_list_never_fetched_fails_the_render(make_inventory) -> None:
    router = make_inventory(ixp_sessions=1, direct_sessions=0)
    use(router, "router bgp 64500\n{% for e in sessions[0] | prefix_list %}{{ e }}{% endfor %}\n")
    with pytest.raises(RenderError, match="line 2: a value that is not set"):
        render_router_config(router)


DEMO_ONE_V4 = [ranged("203.0.113.0/25", 30, 30), ranged("203.0.113.128/26", 30, 30)]


def test_the_demo_template_filters_each_peer_by_its_lists(db) -> None:
    call_command("load_demo", stdout=io.StringIO())  # the ASes follow the demo's PeeringDB
    cache("AS-PEERONE", DEMO_ONE_V4, [ranged("2001:db8:100::/46", 48, 48)])
    cache(
        "AS-PEERTHREE",
        [exact("203.0.113.224/29")],
        [],  # nothing registered for IPv6: the IPv6 session accepts nothing
        error="AS-PEERTHREE: connection refused",
        failed_at=FAILED,
    )
    cache("AS-PEERTWO", error="AS-PEERTWO: connection refused", fetched_at=None)
    # The transit (a direct session, group Transit) has a list: it is not applied, an
    # upstream's full table would be dropped.
    cache("AS-TRANSITFOUR", [exact("203.0.113.248/29")])
    text = render_router_config(Router.objects.get(name="r1"))
    lines = text.splitlines()

    def block(start: str) -> list[str]:
        first = next(i for i, line in enumerate(lines) if line.startswith(start))
        return [line for line in lines[first:] if line.startswith(start)]

    assert block("ip prefix-list IRR-AS-PEERONE-V4 ") == [
        "ip prefix-list IRR-AS-PEERONE-V4 seq 5 permit 203.0.113.0/25 ge 30 le 30",
        "ip prefix-list IRR-AS-PEERONE-V4 seq 10 permit 203.0.113.128/26 ge 30 le 30",
    ]
    assert lines.index("no ip prefix-list IRR-AS-PEERONE-V4") < lines.index(
        "ip prefix-list IRR-AS-PEERONE-V4 seq 5 permit 203.0.113.0/25 ge 30 le 30"
    )
    assert block("ipv6 prefix-list IRR-AS-PEERONE-V6 ") == [
        "ipv6 prefix-list IRR-AS-PEERONE-V6 seq 5 permit 2001:db8:100::/46 ge 48 le 48"
    ]
    assert block("ipv6 prefix-list IRR-AS-PEERTHREE-V6 ") == [
        "ipv6 prefix-list IRR-AS-PEERTHREE-V6 seq 5 deny any"
    ]
    assert (
        "! IRR-AS-PEERTHREE-V4 as fetched at 2026-11-30T14:05:00+00:00; the refresh at "
        "2026-11-30T15:00:00+00:00 failed: AS-PEERTHREE: connection refused"
    ) in lines
    never = "was never fetched from the IRR"
    assert [line for line in lines if never in line] == [
        f"! AS-PEERTWO {never} (AS-PEERTWO: connection refused): AS64502 is not filtered by "
        "prefix list",
    ]
    assert "prefix-list IRR-AS-PEERTWO" not in text
    assert "prefix-list IRR-AS-TRANSITFOUR" not in text
    for address, name in [
        ("192.0.2.11", "IRR-AS-PEERONE-V4"),
        ("2001:db8:1::11", "IRR-AS-PEERONE-V6"),
        ("192.0.2.13", "IRR-AS-PEERTHREE-V4"),
        ("2001:db8:1::13", "IRR-AS-PEERTHREE-V6"),
    ]:
        assert f"  neighbor {address} prefix-list {name} in" in lines
        assert f"  neighbor {address} soft-reconfiguration inbound" in lines
    for address in ("192.0.2.12", "198.51.100.1"):
        assert f"neighbor {address} prefix-list" not in text
        assert f"neighbor {address} soft-reconfiguration" not in text


def test_a_renamed_as_set_keeps_the_list_of_the_last_refresh(make_inventory) -> None:
    """A peer whose AS-SET changed (by hand, or following PeeringDB) is not left
    unfiltered until its new AS-SET is fetched: it keeps its last list, and says so."""
    from irr.prefix_lists import keep_lists

    router = make_inventory(ixp_sessions=1)
    peer = AutonomousSystem.objects.get(asn=65000)
    peer.irr_as_set = "AS-OLD"
    peer.save()
    keep_lists([(peer.pk, cache("AS-OLD", [exact("203.0.113.0/30")]))])
    peer.irr_as_set = "AS-RENAMED"
    peer.save()
    cache("AS-RENAMED", fetched_at=None, error="AS-RENAMED was not found", failed_at=FAILED)
    use(
        router,
        "{% set p = sessions[0].autonomous_system %}{{ p.as_set_id }}: "
        "{{ sessions[0] | prefix_list | map(attribute='prefix') | join(',') }} ({{ p.irr.error }})",
    )
    assert render_router_config(router) == (
        "AS-RENAMED: 203.0.113.0/30 (AS-RENAMED: AS-RENAMED was not found; the list of "
        "AS-OLD is kept)"
    )
