"""The fleet a benchmark runs against: a new child process, or one already serving."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from bench.fleet.model import DEFAULT_HOST, FleetSpec
from bench.fleet.process import FleetStartError, free_base_port, running_fleet


@dataclass(frozen=True)
class Fleet:
    spec: FleetSpec
    pid: int  # of the process serving it, to read its CPU time
    epoch: int


def fleet_spec(
    args: argparse.Namespace, faulty: float = 0.0, base_port: int | None = None
) -> FleetSpec:
    return FleetSpec(
        routers=args.routers,
        sessions=args.sessions,
        seed=args.seed,
        latency_ms=args.latency_ms,
        faulty=faulty,
        base_port=base_port or free_base_port(args.routers),
    )


def _status(spec: FleetSpec) -> dict[str, object]:
    url = f"http://{DEFAULT_HOST}:{spec.control}/control/status"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())
    except OSError as exc:
        raise FleetStartError(f"no fleet answers on {url}: {exc}") from None


@contextlib.contextmanager
def fleet(spec: FleetSpec, running: bool) -> Iterator[Fleet]:
    """The fleet of `spec`: the one already running on its ports, or a new child process."""
    if running:
        status = _status(spec)
        shape = (status["routers"], status["sessions"], status["seed"], status["latency_ms"])
        if shape != (spec.routers, spec.sessions, spec.seed, spec.latency_ms):
            raise FleetStartError(
                f"the fleet on port {spec.base_port} serves {shape[0]} routers x {shape[1]} "
                f"sessions (seed {shape[2]}, {shape[3]} ms), not the {spec.routers} x "
                f"{spec.sessions} asked for"
            )
        yield Fleet(spec, int(status["pid"]), int(status["epoch"]))
        return
    with running_fleet(spec, ready_timeout=300) as process:
        yield Fleet(spec, process.pid, int(_status(spec)["epoch"]))


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
