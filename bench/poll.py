"""The poll benchmark: peering.polling.poll_routers over the emulated fleet, end to end.

For each getter (get_bgp_neighbors_detail, get_bgp_neighbors) and each scale, every run
starts from the same state (nothing polled yet, so every session gets a new state and a
state change: the most a poll ever writes) and covers everything a cron run does: reading
the routers, device I/O, comparing, writing. Then the naive reference on a sample of the
same routers, a fleet with faulty routers, and a check that the stored states are the
fleet's.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from bench.database import ScratchDatabase
from bench.fleet.model import FleetSpec
from bench.fleet_access import Fleet, fleet, fleet_spec, process_cpu
from bench.inventory import PLATFORM_SLUG, inventory_vrf, load_inventory, repoint_routers
from bench.measure import Cost, measuring
from bench.naive import naive_poll
from bench.report import Record, heading, number, table
from core.choices import BGPState
from devices.models import Router
from devices.selection import select_routers
from peering.models import BGPSessionStateChange, DirectPeeringSession
from peering.neighbors import map_state
from peering.polling import POLLED_FIELDS, poll_routers

GETTERS = {"detail": "get_bgp_neighbors_detail", "summary": "get_bgp_neighbors"}
CHECKED_ROUTERS = 10  # routers whose every stored session is compared with the fleet


@dataclass
class PollRun:
    label: str
    getter: str
    routers: int
    sessions: int
    cost: Cost
    ok: int
    failures: dict[str, int] = field(default_factory=dict)  # error kind -> routers
    fleet_cpu: float = 0.0
    mismatches: list[str] = field(default_factory=list)

    @property
    def routers_per_second(self) -> float:
        return self.routers / self.cost.seconds

    @property
    def queries_per_session(self) -> float:
        return self.cost.queries / max(1, self.sessions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "getter": self.getter,
            "routers": self.routers,
            "sessions": self.sessions,
            "ok": self.ok,
            "failures": self.failures,
            "routers_per_second": round(self.routers_per_second, 2),
            "sessions_per_second": round(self.sessions / self.cost.seconds, 1),
            "queries_per_session": round(self.queries_per_session, 5),
            "fleet_cpu_seconds": round(self.fleet_cpu, 2),
            "mismatches": self.mismatches[:10],
            **self.cost.as_dict(),
        }


def reset_polled_state() -> None:
    """Forget every poll, so that each run does the same work (not measured)."""
    DirectPeeringSession.objects.update(**dict.fromkeys(POLLED_FIELDS))
    BGPSessionStateChange.objects.all().delete()
    Router.objects.update(last_polled_at=None, last_poll_error="")
    tidy_database()


def tidy_database() -> None:
    """Statistics for the planner, and on PostgreSQL no dead rows left from the last run."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def router_pks(count: int) -> list[int]:
    routers = Router.objects.filter(platform__slug=PLATFORM_SLUG).order_by("name")
    return list(routers.values_list("pk", flat=True)[:count])


def expected_state(spec: FleetSpec, session: Any, epoch: int, getter: str) -> BGPState | None:
    state = spec.state(session, epoch)
    if getter == "detail":
        return map_state(state.state)
    return BGPState.ESTABLISHED if state.is_up else BGPState.IDLE


def check_states(spec: FleetSpec, epoch: int, getter: str, indexes: list[int]) -> list[str]:
    """Differences between the stored sessions of these routers and what the fleet serves."""
    names = {spec.router(index).hostname: index for index in indexes}
    stored = {
        (name, vrf, address): (state, received)
        for name, vrf, address, state, received in DirectPeeringSession.objects.filter(
            router__name__in=names
        ).values_list("router__name", "vrf", "ip_address", "bgp_state", "received_prefix_count")
    }
    problems = []
    for name, index in names.items():
        for session in spec.sessions_of(index):
            key = (name, inventory_vrf(session), session.neighbor_ip)
            expected = expected_state(spec, session, epoch, getter)
            state, received = stored.get(key, (None, None))
            live = spec.state(session, epoch)
            if state != expected or (live.is_up and received != live.received_prefixes):
                problems.append(f"{key}: stored {state}/{received}, fleet {live.state}")
    return problems


def _healthy_indexes(spec: FleetSpec, count: int) -> list[int]:
    return [index for index in range(count) if spec.fault(index) is None][:CHECKED_ROUTERS]


def measure_ours(served: Fleet, label: str, getter: str, pks: list[int], workers: int) -> PollRun:
    reset_polled_state()
    cpu_before = process_cpu(served.pid)
    with measuring() as cost:
        routers = select_routers(None, Router.objects.filter(pk__in=pks))
        results = poll_routers(routers, max_workers=workers, prefer_detail=getter == "detail")
    run = PollRun(
        label=label,
        getter=getter,
        routers=len(results),
        sessions=sum(result.sessions for result in results),
        cost=cost,
        ok=sum(result.ok and not result.skipped for result in results),
        failures=dict(Counter(str(r.category) for r in results if not r.ok)),
        fleet_cpu=process_cpu(served.pid) - cpu_before,
    )
    run.mismatches = check_states(
        served.spec, served.epoch, getter, _healthy_indexes(served.spec, len(pks))
    )
    return run


def measure_naive(served: Fleet, getter: str, pks: list[int]) -> PollRun:
    reset_polled_state()
    with measuring() as cost:
        routers = list(Router.objects.select_related("platform").filter(pk__in=pks))
        naive_poll(routers, prefer_detail=getter == "detail")
    sessions = DirectPeeringSession.objects.filter(router__pk__in=pks).count()
    run = PollRun("naive", getter, len(pks), sessions, cost, ok=len(pks))
    run.mismatches = check_states(
        served.spec, served.epoch, getter, _healthy_indexes(served.spec, len(pks))
    )
    return run


def _row(run: PollRun) -> list[str]:
    return [
        f"{run.label} ({run.getter})",
        number(run.routers),
        number(run.sessions),
        number(run.cost.seconds, 2),
        number(run.routers_per_second),
        number(run.sessions / run.cost.seconds, 0),
        number(run.cost.queries),
        number(run.queries_per_session, 4),
        number(run.cost.peak_rss_mb, 0),
        number(run.cost.cpu_seconds),
        number(run.fleet_cpu),
        "yes" if not run.mismatches else f"NO ({len(run.mismatches)})",
    ]


HEADERS = [
    "run (getter)",
    "routers",
    "sessions",
    "wall s",
    "routers/s",
    "sessions/s",
    "queries",
    "q/session",
    "peak RSS MB",
    "client CPU s",
    "fleet CPU s",
    "states ok",
]


def _scales(args: argparse.Namespace) -> list[int]:
    wanted = {int(part) for part in args.scales.split(",") if part.strip()}
    return sorted({scale for scale in wanted if 0 < scale < args.routers} | {args.routers})


def run(args: argparse.Namespace, database: ScratchDatabase) -> int:
    record = Record("poll", database.kind)
    spec = fleet_spec(args, base_port=args.fleet_base_port)
    print(heading(f"poll: {args.routers} routers x {args.sessions} sessions, {database.kind}"))
    print(f"database: {database.label}")
    started = time.perf_counter()
    loaded = load_inventory(spec, napalm_timeout=args.timeout)
    tidy_database()
    print(
        f"inventory: {loaded.routers} routers, {loaded.sessions} sessions, "
        f"{loaded.autonomous_systems} peer ASes loaded in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"fleet: emulated EOS over eAPI (NAPALM's eos driver), {args.latency_ms:g} ms per "
        f"request; {args.workers} device I/O threads (NAPALM_MAX_WORKERS); each run starts "
        "with no session polled yet; naive: one router at a time, a query and a save() per "
        f"session, on the first {args.naive_routers} routers"
    )
    runs: list[PollRun] = []
    with fleet(spec, running=args.fleet_base_port is not None) as healthy:
        for getter in args.getters.split(","):
            for scale in _scales(args):
                result = measure_ours(healthy, "ours", getter, router_pks(scale), args.workers)
                runs.append(result)
                print(f"  ours, {GETTERS[getter]}, {scale} routers: {result.cost.seconds:.2f} s")
            naive = measure_naive(healthy, getter, router_pks(args.naive_routers))
            runs.append(naive)
            print(
                f"  naive, {GETTERS[getter]}, {args.naive_routers} routers: "
                f"{naive.cost.seconds:.2f} s"
            )
    faulty = None
    if args.faulty > 0:
        faulty = _faulty_run(args, runs)
        runs.append(faulty)
    print()
    print(table(HEADERS, [_row(r) for r in runs]))
    print()
    for line in _conclusions(args, runs, faulty):
        print(line)
    record.add("workers", args.workers)
    record.add("latency_ms", args.latency_ms)
    record.add("timeout", args.timeout)
    record.add("runs", [r.as_dict() for r in runs])
    record.write(args.json)
    return 0 if all(not r.mismatches for r in runs) else 1


def _faulty_run(args: argparse.Namespace, runs: list[PollRun]) -> PollRun:
    spec = fleet_spec(args, faulty=args.faulty, base_port=args.faulty_fleet_base_port)
    with fleet(spec, running=args.faulty_fleet_base_port is not None) as faulty_fleet:
        repoint_routers(spec)
        result = measure_ours(
            faulty_fleet, "faulty", args.faulty_getter, router_pks(args.routers), args.workers
        )
    kinds = Counter(str(kind) for kind in spec.faults.values())
    print(
        f"  faulty fleet ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}), "
        f"{GETTERS[args.faulty_getter]}: {result.cost.seconds:.2f} s"
    )
    failed_names = {
        name
        for name in Router.objects.filter(platform__slug=PLATFORM_SLUG)
        .exclude(last_poll_error="")
        .values_list("name", flat=True)
    }
    expected = {spec.router(index).hostname for index in spec.faults}
    if failed_names != expected:
        result.mismatches.append(
            f"failed routers {sorted(failed_names ^ expected)[:5]} are not the faulty ones"
        )
    return result


def _conclusions(
    args: argparse.Namespace, runs: list[PollRun], faulty: PollRun | None
) -> list[str]:
    lines = []
    for getter in args.getters.split(","):
        ours = [r for r in runs if r.label == "ours" and r.getter == getter]
        naive = next(r for r in runs if r.label == "naive" and r.getter == getter)
        top = ours[-1]
        ratio = top.routers_per_second / naive.routers_per_second
        lines.append(
            f"{GETTERS[getter]}: ours {top.routers_per_second:.1f} routers/s at "
            f"{top.routers} routers, naive {naive.routers_per_second:.2f} routers/s on "
            f"{naive.routers} of the same routers: {ratio:.1f}x the naive per-router rate "
            f"(the naive run at {top.routers} routers would take about "
            f"{top.routers / naive.routers_per_second:.0f} s); "
            f"{top.queries_per_session:.4f} queries per session vs "
            f"{naive.queries_per_session:.2f}"
        )
    tops = {
        getter: [r for r in runs if r.label == "ours" and r.getter == getter][-1]
        for getter in args.getters.split(",")
    }
    lines.append(
        "client CPU per router (where the floor is): "
        + "; ".join(
            f"{GETTERS[getter]} {1000 * top.cost.cpu_seconds / top.routers:.1f} ms"
            for getter, top in tops.items()
        )
        + ". NAPALM's eos driver parses get_bgp_neighbors_detail's text with TextFSM while "
        "holding the GIL: that CPU time, not the 50 ms per request, bounds its wall time on "
        "any number of threads; get_bgp_neighbors reads JSON (established or not, counts)."
    )
    if faulty is not None:
        healthy = next(
            r
            for r in runs
            if r.label == "ours" and r.getter == faulty.getter and r.routers == faulty.routers
        )
        extra = faulty.cost.seconds - healthy.cost.seconds
        failures = ", ".join(f"{n} {kind}" for kind, n in sorted(faulty.failures.items()))
        lines.append(
            f"faulty routers: {sum(faulty.failures.values())} of {faulty.routers} failed "
            f"({failures}), {faulty.ok} polled; {faulty.cost.seconds:.2f} s against "
            f"{healthy.cost.seconds:.2f} s healthy: {extra:+.2f} s for a {args.timeout} s "
            f"timeout; {'only the faulty routers failed' if not faulty.mismatches else 'FAILED'}"
        )
    return lines
