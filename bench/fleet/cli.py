"""`python -m bench fleet`: run an emulated EOS fleet in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter

from bench.fleet.model import DEFAULT_BASE_PORT, DEFAULT_HOST, FaultKind, FleetSpec
from bench.fleet.server import FleetServer, serve

READY_PREFIX = "fleet ready:"


def _fault_kinds(text: str) -> tuple[FaultKind, ...]:
    try:
        return tuple(FaultKind(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as error:
        choices = ", ".join(kind.value for kind in FaultKind)
        raise argparse.ArgumentTypeError(f"{error}; choose from {choices}") from error


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fleet",
        help="serve emulated Arista EOS routers over eAPI on 127.0.0.1",
        description=(
            "Serve emulated Arista EOS routers, one eAPI port each on 127.0.0.1, for NAPALM's "
            "eos driver with optional_args {'transport': 'http', 'port': PORT}. POST "
            "/control/epoch on the control port changes every session's state."
        ),
    )
    parser.add_argument("--routers", type=int, default=1000, help="number of routers")
    parser.add_argument("--sessions", type=int, default=100, help="BGP sessions per router")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every answer")
    parser.add_argument(
        "--faulty", type=float, default=0.0, help="fraction of routers that misbehave (0..1)"
    )
    parser.add_argument(
        "--fault-kinds",
        type=_fault_kinds,
        default=tuple(FaultKind),
        help="comma-separated faults given to faulty routers in turn "
        "(timeout, http500, jsonrpc, refused; default: all)",
    )
    parser.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT, help="port of router 0")
    parser.add_argument(
        "--control-port", type=int, default=None, help="control port (default: base port - 1)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the emulated data")
    parser.set_defaults(handler=run)


def spec_from_args(args: argparse.Namespace) -> FleetSpec:
    return FleetSpec(
        routers=args.routers,
        sessions=args.sessions,
        seed=args.seed,
        base_port=args.base_port,
        control_port=args.control_port,
        latency_ms=args.latency_ms,
        faulty=args.faulty,
        fault_kinds=args.fault_kinds,
    )


def spec_to_argv(spec: FleetSpec) -> list[str]:
    """Arguments of `python -m bench fleet` that reproduce `spec`."""
    return [
        "fleet",
        f"--routers={spec.routers}",
        f"--sessions={spec.sessions}",
        f"--seed={spec.seed}",
        f"--base-port={spec.base_port}",
        f"--control-port={spec.control}",
        f"--latency-ms={spec.latency_ms}",
        f"--faulty={spec.faulty}",
        "--fault-kinds=" + ",".join(kind.value for kind in spec.fault_kinds),
    ]


def ready_line(server: FleetServer) -> str:
    spec = server.spec
    faults = Counter(kind.value for kind in spec.faults.values())
    fault_text = ", ".join(f"{count} {kind}" for kind, count in sorted(faults.items())) or "none"
    return (
        f"{READY_PREFIX} {spec.routers} routers x {spec.sessions} sessions on "
        f"{DEFAULT_HOST}:{spec.base_port}-{spec.base_port + spec.routers - 1}, "
        f"control http://{DEFAULT_HOST}:{spec.control}/control/status, epoch {server.epoch}, "
        f"faulty: {fault_text}, pid {os.getpid()}"
    )


def run(args: argparse.Namespace) -> int:
    try:
        spec = spec_from_args(args)
    except ValueError as error:
        raise SystemExit(f"fleet: {error}") from error
    try:
        asyncio.run(serve(spec, lambda server: print(ready_line(server), flush=True)))
    except OSError as error:
        raise SystemExit(f"fleet: cannot listen: {error}") from error
    except RuntimeError as error:
        raise SystemExit(f"fleet: {error}") from error
    return 0
