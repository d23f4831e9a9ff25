"""The render benchmark's IRR part: the big router again, with a template that writes IRR
prefix lists, first with no list cached, then with one peer AS whose AS-set has 10,000
prefixes (written straight into the scratch database: no IRR server is needed).

The query count must be the same with and without the list; the time is what its lines
cost, and must stay within RENDER_TIME_LIMIT.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from bench.inventory import EOS_TEMPLATE, FLEET_MARK
from bench.measure import Cost
from bench.report import Record, number
from configs.models import ConfigTemplate
from configs.rendering import render_router_config
from devices.models import Router
from irr.models import PrefixList
from irr.prefix_lists import as_set_of
from peering.models import DirectPeeringSession

TEMPLATE_NAME = "EOS BGP sessions with IRR prefix lists (bench)"
PREFIX_LISTS = """\
{% for peer in autonomous_systems if peer.prefix_lists is not none %}
{% for family in (4, 6) %}
{% set name = "IRR-" ~ peer.as_set ~ "-V" ~ family %}
{% set keyword = "ip" if family == 4 else "ipv6" %}
no {{ keyword }} prefix-list {{ name }}
{% for entry in peer | prefix_list(family) %}
{{ keyword }} prefix-list {{ name }} seq {{ loop.index * 10 }} permit {{ entry | prefix_range }}
{% else %}
{{ keyword }} prefix-list {{ name }} seq 10 deny any
{% endfor %}
{% endfor %}
{% endfor %}
"""
APPLIED_AFTER = (
    '{{ pad }}neighbor {{ peer }} route-map {{ vrf or "default" }}-AS{{ asn }}-OUT out\n'
)
APPLIED = (
    "{% if session.prefix_list is not none %}\n"
    "{{ pad }}neighbor {{ peer }} prefix-list "
    "IRR-{{ session.autonomous_system.as_set }}-V{{ session.ip_version }} in\n"
    "{% endif %}\n"
)


def irr_template() -> str:
    """The fleet's EOS template with the prefix lists of every peer that has them."""
    if APPLIED_AFTER not in EOS_TEMPLATE:
        raise RuntimeError("the fleet's EOS template changed: update bench/render_irr.py")
    return PREFIX_LISTS + EOS_TEMPLATE.replace(APPLIED_AFTER, APPLIED_AFTER + APPLIED)


def entries(count: int) -> list[dict[str, Any]]:
    """`count` IPv4 entries as bgpq4 gives them, each in a /23 of its own, every other one
    a range."""
    listed: list[dict[str, Any]] = []
    for n in range(count):
        prefix = f"10.{n // 128 % 256}.{n % 128 * 2}.0"
        if n % 2:
            listed.append(
                {"prefix": f"{prefix}/23", "exact": False, "greater_equal": 24, "less_equal": 24}
            )
        else:
            listed.append({"prefix": f"{prefix}/24", "exact": True})
    return listed


@dataclass
class IRRFigures:
    sessions_using_it: int
    without: list[Cost]
    with_list: list[Cost]
    without_text: str
    with_text: str


def measure_irr(router: Router, prefixes: int, repeat: int, measure: Any) -> IRRFigures:
    """Render `router` with the IRR template, without any list and with one AS's list of
    `prefixes` entries. `measure(render, router, repeat)` is the render benchmark's."""
    template = ConfigTemplate.objects.create(
        name=TEMPLATE_NAME, template=irr_template(), description=FLEET_MARK
    )
    Router.objects.filter(pk=router.pk).update(config_template=template)
    router.refresh_from_db()
    PrefixList.objects.all().delete()
    without, without_text = measure(render_router_config, router, repeat)

    session = DirectPeeringSession.objects.filter(router=router).order_by("pk").first()
    if session is None:
        raise RuntimeError("the render benchmark's router has no session")
    peer = session.autonomous_system
    PrefixList.objects.create(
        as_set=as_set_of(peer.asn, peer.irr_as_set),
        ipv4=entries(prefixes),
        asns=[peer.asn],
        fetched_at=timezone.now(),
    )
    with_list, with_text = measure(render_router_config, router, repeat)
    return IRRFigures(
        sessions_using_it=DirectPeeringSession.objects.filter(
            router=router, autonomous_system=peer
        ).count(),
        without=without,
        with_list=with_list,
        without_text=without_text,
        with_text=with_text,
    )


def _lines(text: str) -> str:
    return number(len(text.splitlines()))


def report(figures: IRRFigures, args: argparse.Namespace, record: Record) -> bool:
    """Print the IRR line; True when the query counts are the same and the render stays
    within RENDER_TIME_LIMIT."""
    without = statistics.median(cost.seconds for cost in figures.without)
    with_list = statistics.median(cost.seconds for cost in figures.with_list)
    queries = (figures.without[-1].queries, figures.with_list[-1].queries)
    same = queries[0] == queries[1]
    limit = settings.RENDER_TIME_LIMIT
    within = max(cost.seconds for cost in figures.with_list) < limit
    print(
        f"IRR: one peer AS with {args.prefixes:,} IPv4 prefixes "
        f"(used by {figures.sessions_using_it} session"
        f"{'' if figures.sessions_using_it == 1 else 's'}), {args.sessions} sessions: "
        f"{with_list:.3f} s, {queries[1]} queries, {_lines(figures.with_text)} lines; "
        f"without the list {without:.3f} s, {queries[0]} queries, "
        f"{_lines(figures.without_text)} lines ({'the same' if same else 'NOT the same'} "
        f"queries, {with_list - without:+.3f} s; "
        f"{'within' if within else 'OVER'} RENDER_TIME_LIMIT, {limit} s)"
    )
    record.add("irr_prefixes", args.prefixes)
    record.add("irr_without", [cost.as_dict() for cost in figures.without])
    record.add("irr_with", [cost.as_dict() for cost in figures.with_list])
    record.add("irr_same_queries", same)
    return same and within
