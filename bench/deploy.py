"""The deploy benchmark: configure_routers --dry-run (render, load, compare) over the fleet.

Every router's template adds lines its running configuration lacks (maximum-routes, MD5
passwords), so each dry run shows a diff. Then the naive reference (render with relations
loaded one by one, then load and compare, router after router) on a sample of the same
routers, whose diffs must equal ours.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

from bench.database import ScratchDatabase
from bench.fleet_access import fleet, fleet_spec, process_cpu
from bench.inventory import PLATFORM_SLUG, load_inventory
from bench.measure import measuring
from bench.naive import naive_dry_run
from bench.poll import tidy_database
from bench.report import Record, heading, number, table
from configs.deploy import DeployOptions, configure_routers
from devices.models import Router
from devices.selection import select_routers

HEADERS = [
    "run",
    "routers",
    "wall s",
    "routers/s",
    "queries",
    "q/router",
    "peak RSS MB",
    "client CPU s",
    "fleet CPU s",
    "outcomes",
]


def _row(label: str, routers: int, cost: Any, fleet_cpu: float, outcomes: str) -> list[str]:
    return [
        label,
        number(routers),
        number(cost.seconds, 2),
        number(routers / cost.seconds),
        number(cost.queries),
        number(cost.queries / routers, 2),
        number(cost.peak_rss_mb, 0),
        number(cost.cpu_seconds),
        number(fleet_cpu),
        outcomes,
    ]


def run(args: argparse.Namespace, database: ScratchDatabase) -> int:
    record = Record("deploy", database.kind)
    spec = fleet_spec(args, base_port=args.fleet_base_port)
    print(
        heading(
            f"deploy --dry-run: {args.routers} routers x {args.sessions} sessions, {database.kind}"
        )
    )
    print(f"database: {database.label}")
    started = time.perf_counter()
    loaded = load_inventory(spec)
    tidy_database()
    print(
        f"inventory: {loaded.routers} routers, {loaded.sessions} sessions loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(
        f"fleet: emulated EOS over eAPI, {args.latency_ms:g} ms per request; "
        f"{args.workers} device I/O threads (NAPALM_MAX_WORKERS)"
    )
    routers = Router.objects.filter(platform__slug=PLATFORM_SLUG).order_by("name")
    sample = list(routers.select_related("platform")[: args.naive_routers])
    with fleet(spec, running=args.fleet_base_port is not None) as running:
        cpu_before = process_cpu(running.pid)
        with measuring() as ours:
            results = configure_routers(
                select_routers(None, routers), DeployOptions(dry_run=True), args.workers
            )
        ours_fleet_cpu = process_cpu(running.pid) - cpu_before
        print(f"  ours: {len(results)} routers in {ours.seconds:.2f} s")
        cpu_before = process_cpu(running.pid)
        with measuring() as naive:
            naive_diffs = naive_dry_run(sample)
        naive_fleet_cpu = process_cpu(running.pid) - cpu_before
        print(f"  naive: {len(sample)} routers in {naive.seconds:.2f} s")
    outcomes = Counter(str(result.outcome) for result in results)
    outcome_text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    problems = _problems(results, naive_diffs)
    print()
    print(
        table(
            HEADERS,
            [
                _row("ours", len(results), ours, ours_fleet_cpu, outcome_text),
                _row("naive", len(sample), naive, naive_fleet_cpu, f"{len(naive_diffs)} diffs"),
            ],
        )
    )
    print()
    ratio = (len(results) / ours.seconds) / (len(sample) / naive.seconds)
    print(
        f"ours {len(results) / ours.seconds:.1f} routers/s at {len(results)} routers, naive "
        f"{len(sample) / naive.seconds:.2f} routers/s on {len(sample)} of the same routers: "
        f"{ratio:.1f}x the naive per-router rate (the naive run at {len(results)} routers "
        f"would take about {len(results) * naive.seconds / len(sample):.0f} s); "
        f"{ours.queries / len(results):.2f} queries per router vs "
        f"{naive.queries / len(sample):.1f}"
    )
    print(
        "checks: "
        + (
            "every router would change, passwords masked, the naive diffs equal ours"
            if not problems
            else "; ".join(problems[:5])
        )
    )
    record.add("workers", args.workers)
    record.add("latency_ms", args.latency_ms)
    record.add(
        "ours",
        {
            **ours.as_dict(),
            "routers": len(results),
            "outcomes": outcomes,
            "fleet_cpu_seconds": round(ours_fleet_cpu, 2),
        },
    )
    record.add("naive", {**naive.as_dict(), "routers": len(sample)})
    record.add("ratio", round(ratio, 2))
    record.add("problems", problems[:10])
    record.write(args.json)
    return 0 if not problems else 1


def _problems(results: list[Any], naive_diffs: dict[str, str]) -> list[str]:
    problems = []
    by_router = {result.router: result for result in results}
    for result in results:
        if result.outcome != "changed":
            problems.append(result.summary)
        elif "md5-" in result.diff or "password ********" not in result.diff:
            problems.append(f"{result.router}: session passwords not masked in the diff")
    for name, diff in naive_diffs.items():
        if by_router[name].diff != diff:
            problems.append(f"{name}: the naive diff differs from ours")
    return problems
