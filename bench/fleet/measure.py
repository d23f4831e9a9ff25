"""Poll a whole emulated fleet with NAPALM's eos driver and print how long it took.

    python -m bench.fleet.measure --routers 1000 --sessions 100 --threads 24

Starts the fleet in a child process, then from this process opens every router,
runs get_bgp_neighbors_detail and get_bgp_neighbors, and closes it, on a
thread pool. Prints wall time, routers per second and the CPU time each
process used (to show which side is the bottleneck).
"""

from __future__ import annotations

import argparse
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from napalm import get_network_driver

from bench.fleet.model import DEFAULT_HOST, FleetSpec
from bench.fleet.process import FleetProcess, free_base_port, running_fleet


@dataclass
class Round:
    seconds: float
    ok: int
    failed: int
    sessions_seen: int
    fleet_cpu: float
    client_cpu: float


def poll_router(spec: FleetSpec, index: int, detail: bool, timeout: int) -> int:
    """open + get_bgp_neighbors_detail + get_bgp_neighbors + close; returns sessions seen."""
    driver = get_network_driver("eos")(
        DEFAULT_HOST,
        "bench",
        "bench",
        timeout=timeout,
        optional_args=spec.napalm_optional_args(index),
    )
    driver.open()
    try:
        seen = 0
        if detail:
            per_vrf = driver.get_bgp_neighbors_detail()
            seen = sum(len(peers) for vrf in per_vrf.values() for peers in vrf.values())
        neighbors = driver.get_bgp_neighbors()
        return max(seen, sum(len(vrf["peers"]) for vrf in neighbors.values()))
    finally:
        driver.close()


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_CLOCK_TICKS = 100  # USER_HZ on Linux


def measure_round(fleet: FleetProcess, threads: int, detail: bool, timeout: int) -> Round:
    spec = fleet.spec
    fleet_cpu, client_cpu = _process_cpu(fleet.pid), _own_cpu()
    ok = failed = seen = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [
            pool.submit(poll_router, spec, index, detail, timeout) for index in range(spec.routers)
        ]
        for future in futures:
            try:
                seen += future.result()
                ok += 1
            except Exception:
                failed += 1
    elapsed = time.perf_counter() - started
    return Round(
        seconds=elapsed,
        ok=ok,
        failed=failed,
        sessions_seen=seen,
        fleet_cpu=_process_cpu(fleet.pid) - fleet_cpu,
        client_cpu=_own_cpu() - client_cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--faulty", type=float, default=0.0)
    parser.add_argument("--rounds", type=int, default=2, help="epochs to poll, one after another")
    parser.add_argument("--timeout", type=int, default=10, help="NAPALM timeout (s)")
    parser.add_argument("--no-detail", action="store_true", help="skip get_bgp_neighbors_detail")
    args = parser.parse_args()

    spec = FleetSpec(
        routers=args.routers,
        sessions=args.sessions,
        base_port=free_base_port(args.routers),
        latency_ms=args.latency_ms,
        faulty=args.faulty,
    )
    started = time.perf_counter()
    with running_fleet(spec, ready_timeout=600) as fleet:
        print(
            f"fleet of {spec.routers} x {spec.sessions} ready in "
            f"{time.perf_counter() - started:.1f}s (pid {fleet.pid})"
        )
        for number in range(args.rounds):
            if number:
                advanced = time.perf_counter()
                epoch = fleet.advance_epoch()
                print(f"epoch {epoch} ready in {time.perf_counter() - advanced:.1f}s")
            result = measure_round(fleet, args.threads, not args.no_detail, args.timeout)
            print(
                f"round {number}: {result.ok} routers polled, {result.failed} failed, "
                f"{result.sessions_seen} sessions in {result.seconds:.2f}s "
                f"({result.ok / result.seconds:.0f} routers/s; CPU: fleet "
                f"{result.fleet_cpu:.1f}s, clients {result.client_cpu:.1f}s; fleet memory "
                f"{_resident_mb(fleet.pid):.0f} MB; {args.threads} threads, "
                f"latency {spec.latency_ms:g} ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
