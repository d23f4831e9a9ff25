"""The render benchmark: one router with 5,000 sessions, and the same router with 50.

The query count must not depend on the number of sessions; the first render compiles the
template, later ones reuse it. The naive reference (relations loaded session by session)
renders the same text. Then the big router with IRR prefix lists (bench/render_irr.py):
the query count must not depend on them either.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from bench.database import ScratchDatabase
from bench.fleet.model import FleetSpec
from bench.inventory import load_inventory
from bench.measure import Cost, measuring
from bench.naive import naive_render
from bench.poll import tidy_database
from bench.render_irr import measure_irr, report
from bench.report import Record, heading, number, table
from configs.rendering import render_router_config
from devices.models import Router

HEADERS = ["run", "sessions", "first render s", "median s", "queries", "lines", "peak RSS MB"]


def _measure(render: Any, router: Router, repeat: int) -> tuple[list[Cost], str]:
    costs, text = [], ""
    for _ in range(repeat):
        with measuring() as cost:
            text = render(router)
        costs.append(cost)
    return costs, text


def _row(label: str, sessions: int, costs: list[Cost], text: str) -> list[str]:
    return [
        label,
        number(sessions),
        number(costs[0].seconds, 3),
        number(statistics.median(cost.seconds for cost in costs), 3),
        number(costs[-1].queries),
        number(len(text.splitlines())),
        number(max(cost.peak_rss_mb for cost in costs), 0),
    ]


def _router(sessions: int) -> Router:
    load_inventory(FleetSpec(1, sessions))
    tidy_database()
    return Router.objects.select_related("platform", "config_template").get()


def run(args: argparse.Namespace, database: ScratchDatabase) -> int:
    record = Record("render", database.kind)
    print(
        heading(
            f"render: one router, {args.sessions} and {args.small_sessions} sessions, "
            f"{database.kind}"
        )
    )
    print(f"database: {database.label}")
    big = _router(args.sessions)
    ours, ours_text = _measure(render_router_config, big, args.repeat)
    naive, naive_text = _measure(naive_render, big, 1)
    irr = measure_irr(big, args.prefixes, args.repeat, _measure)
    small = _router(args.small_sessions)
    ours_small, _ = _measure(render_router_config, small, args.repeat)
    rows = [
        _row("ours", args.sessions, ours, ours_text),
        _row("naive", args.sessions, naive, naive_text),
        _row("ours", args.small_sessions, ours_small, _),
        _row("IRR, no list", args.sessions, irr.without, irr.without_text),
        _row(f"IRR, {args.prefixes:,} prefixes", args.sessions, irr.with_list, irr.with_text),
    ]
    print()
    print(table(HEADERS, rows))
    print()
    median = statistics.median(cost.seconds for cost in ours)
    same_queries = ours[-1].queries == ours_small[-1].queries
    print(
        f"{args.sessions} sessions: {median:.3f} s ({ours[0].seconds:.3f} s the first time, "
        f"compiling the template), {ours[-1].queries} queries; {args.small_sessions} sessions: "
        f"{ours_small[-1].queries} queries ({'the same' if same_queries else 'NOT the same'}); "
        f"naive: {naive[0].seconds:.3f} s, {naive[0].queries} queries, "
        f"{naive[0].seconds / median:.1f}x our time; "
        f"{'same text' if naive_text == ours_text else 'DIFFERENT TEXT'}"
    )
    record.add("sessions", args.sessions)
    record.add("ours", [cost.as_dict() for cost in ours])
    record.add("ours_median_seconds", round(median, 4))
    record.add("naive", naive[0].as_dict())
    record.add("small_sessions", args.small_sessions)
    record.add("ours_small", [cost.as_dict() for cost in ours_small])
    record.add("same_queries", same_queries)
    record.add("same_text", naive_text == ours_text)
    irr_ok = report(irr, args, record)
    record.write(args.json)
    return 0 if same_queries and naive_text == ours_text and irr_ok else 1
