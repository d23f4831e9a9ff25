"""`python -m bench all`: every benchmark on every database, then a summary with the targets.

Each (benchmark, database) pair runs in its own process, which sets its scratch database
before Django starts. The fleets (a healthy one and one with faulty routers) are started
once here and shared by those processes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.commands.common import DEFAULT_DEPLOY_WORKERS, DEFAULT_POLL_WORKERS
from bench.database import DATABASES
from bench.fleet import FleetSpec, running_fleet
from bench.fleet.process import PROJECT_ROOT, free_base_port
from bench.report import heading, table

BENCHMARKS = ("poll", "deploy", "render", "peeringdb")
FAULTY = 0.05
# Targets on a 2-core machine, for 1,000 routers x 100 sessions at 50 ms per request.
POLL_SECONDS = 8.0
POLL_RATIO = 20.0
QUERIES_PER_SESSION = 0.05
RENDER_SECONDS = 0.5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "all",
        help="run poll, deploy, render and peeringdb on SQLite and PostgreSQL and summarise",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--benchmarks", default=",".join(BENCHMARKS), help="which to run")
    parser.add_argument("--routers", type=int, default=1000, help="routers in the fleet")
    parser.add_argument("--sessions", type=int, default=100, help="BGP sessions per router")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="delay of every answer")
    parser.add_argument("--scales", default="10,100,1000", help="router counts to poll")
    parser.add_argument("--naive-routers", type=int, default=20, help="naive reference sample")
    parser.add_argument("--poll-workers", type=int, default=DEFAULT_POLL_WORKERS)
    parser.add_argument("--deploy-workers", type=int, default=DEFAULT_DEPLOY_WORKERS)
    parser.add_argument("--render-sessions", type=int, default=5000)
    parser.set_defaults(handler=run)


def _command(
    args: argparse.Namespace, benchmark: str, database: str, ports: dict[str, int], output: Path
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "bench",
        benchmark,
        f"--database={database}",
        f"--json={output}",
    ]
    if benchmark == "render":
        return [*command, f"--sessions={args.render_sessions}"]
    if benchmark == "peeringdb":
        return command
    command += [
        f"--routers={args.routers}",
        f"--sessions={args.sessions}",
        f"--latency-ms={args.latency_ms}",
        f"--fleet-base-port={ports['healthy']}",
        f"--naive-routers={args.naive_routers}",
    ]
    if benchmark == "deploy":
        return [*command, f"--workers={args.deploy_workers}"]
    return [
        *command,
        f"--workers={args.poll_workers}",
        f"--scales={args.scales}",
        f"--faulty={FAULTY}",
        f"--faulty-fleet-base-port={ports['faulty']}",
    ]


def run(args: argparse.Namespace) -> int:
    databases = [name for name in args.databases.split(",") if name]
    benchmarks = [name for name in args.benchmarks.split(",") if name]
    healthy = FleetSpec(
        args.routers,
        args.sessions,
        latency_ms=args.latency_ms,
        base_port=free_base_port(args.routers),
    )
    faulty_port = free_base_port(args.routers, start=healthy.base_port + args.routers + 1)
    faulty = FleetSpec(
        args.routers,
        args.sessions,
        latency_ms=args.latency_ms,
        faulty=FAULTY,
        base_port=faulty_port,
    )
    print(
        f"starting the fleets: {args.routers} routers x {args.sessions} sessions, "
        f"{args.latency_ms:g} ms per request (one healthy, one with {FAULTY:.0%} faulty)",
        flush=True,
    )
    started = time.perf_counter()
    records: dict[tuple[str, str], dict[str, Any]] = {}
    failed: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as scratch,
        running_fleet(healthy, ready_timeout=300),
        running_fleet(faulty, ready_timeout=300),
    ):
        ports = {"healthy": healthy.base_port, "faulty": faulty.base_port}
        for database in databases:
            for benchmark in benchmarks:
                output = Path(scratch) / f"{benchmark}-{database}.json"
                status = subprocess.call(
                    _command(args, benchmark, database, ports, output), cwd=PROJECT_ROOT
                )
                sys.stdout.flush()
                if output.exists():
                    records[benchmark, database] = json.loads(output.read_text())
                if status != 0:
                    failed.append(f"{benchmark} on {database} (exit status {status})")
    print(heading("Summary"))
    for line in summary(records, databases):
        print(line)
    print(f"\nall benchmarks took {time.perf_counter() - started:.0f} s")
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    return 0


def _poll_run(record: dict[str, Any], label: str, getter: str) -> dict[str, Any] | None:
    runs = [r for r in record.get("runs", []) if r["label"] == label and r["getter"] == getter]
    return max(runs, key=lambda r: r["routers"]) if runs else None


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def summary(records: dict[tuple[str, str], dict[str, Any]], databases: list[str]) -> list[str]:
    rows: list[list[str]] = []
    targets: list[str] = []
    for database in databases:
        poll = records.get(("poll", database))
        if poll:
            for getter, name in (
                ("detail", "get_bgp_neighbors_detail"),
                ("summary", "get_bgp_neighbors"),
            ):
                ours, naive = _poll_run(poll, "ours", getter), _poll_run(poll, "naive", getter)
                if not ours or not naive:
                    continue
                ratio = ours["routers_per_second"] / naive["routers_per_second"]
                rows.append(
                    [
                        database,
                        f"poll, {name}",
                        f"{ours['routers']} routers",
                        f"{ours['seconds']:.2f} s",
                        f"{ours['routers_per_second']:.1f} routers/s",
                        f"{ours['queries']} queries ({ours['queries_per_session']:.4f}/session)",
                        f"{ours['peak_rss_mb']:.0f} MB",
                        f"{ratio:.1f}x naive",
                    ]
                )
                if database == "postgresql" and getter == "summary":
                    targets += [
                        f"poll {ours['routers']} routers on PostgreSQL <= {POLL_SECONDS:g} s "
                        f"({name}): {ours['seconds']:.2f} s, "
                        f"{_verdict(ours['seconds'] <= POLL_SECONDS)}",
                        f">= {POLL_RATIO:g}x the naive reference ({name}): {ratio:.1f}x, "
                        f"{_verdict(ratio >= POLL_RATIO)}",
                    ]
                if database == "postgresql" and getter == "detail":
                    targets.append(
                        f"(with {name}: {ours['seconds']:.2f} s, {ratio:.1f}x naive: the "
                        "driver's TextFSM parsing is the floor, see the poll section)"
                    )
                targets.append(
                    f"<= {QUERIES_PER_SESSION} queries per session ({database}, {name}): "
                    f"{ours['queries_per_session']:.4f}, "
                    f"{_verdict(ours['queries_per_session'] <= QUERIES_PER_SESSION)}"
                )
            faulty = next((r for r in poll["runs"] if r["label"] == "faulty"), None)
            healthy = faulty and _poll_run(poll, "ours", faulty["getter"])
            if faulty and healthy:
                extra = faulty["seconds"] - healthy["seconds"]
                ok = extra <= poll["timeout"] and not faulty["mismatches"]
                targets.append(
                    f"faulty routers ({database}): {sum(faulty['failures'].values())} failed, "
                    f"{faulty['ok']} polled, {extra:+.2f} s for a {poll['timeout']} s timeout, "
                    f"{_verdict(ok)}"
                )
        deploy = records.get(("deploy", database))
        if deploy:
            ours = deploy["ours"]
            rows.append(
                [
                    database,
                    "deploy --dry-run",
                    f"{ours['routers']} routers",
                    f"{ours['seconds']:.2f} s",
                    f"{ours['routers'] / ours['seconds']:.1f} routers/s",
                    f"{ours['queries']} queries",
                    f"{ours['peak_rss_mb']:.0f} MB",
                    f"{deploy['ratio']:.1f}x naive",
                ]
            )
        render = records.get(("render", database))
        if render:
            naive_ratio = render["naive"]["seconds"] / render["ours_median_seconds"]
            rows.append(
                [
                    database,
                    "render",
                    f"{render['sessions']} sessions",
                    f"{render['ours_median_seconds']:.3f} s",
                    "",
                    f"{render['ours'][-1]['queries']} queries "
                    f"({render['ours_small'][-1]['queries']} for {render['small_sessions']})",
                    f"{max(c['peak_rss_mb'] for c in render['ours']):.0f} MB",
                    f"{naive_ratio:.1f}x naive",
                ]
            )
            seconds = render["ours_median_seconds"]
            targets.append(
                f"render {render['sessions']} sessions ({database}) <= {RENDER_SECONDS} s with "
                f"the query count of {render['small_sessions']}: {seconds:.3f} s, "
                f"{_verdict(seconds <= RENDER_SECONDS and render['same_queries'])}"
            )
        peeringdb = records.get(("peeringdb", database))
        if peeringdb:
            full, small = peeringdb["full"], peeringdb["small"]
            rows.append(
                [
                    database,
                    "peeringdb sync",
                    "first, full",
                    f"{full['seconds']:.2f} s",
                    "",
                    f"{full['queries']} queries ({small['queries']} for a tenth)",
                    f"{full['peak_rss_mb']:.0f} MB",
                    f"{peeringdb['naive']['seconds'] / full['seconds']:.1f}x naive",
                ]
            )
            targets.append(
                f"peeringdb sync ({database}): the same queries at a tenth of the objects: "
                f"{_verdict(peeringdb['same_queries'])}"
            )
    headers = ["database", "benchmark", "size", "wall", "rate", "queries", "peak RSS", "speed"]
    return [table(headers, rows), "", "Targets:", *(f"- {line}" for line in targets)]
