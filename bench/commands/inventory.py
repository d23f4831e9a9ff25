"""`python -m bench inventory`: load the inventory that matches a fleet into the database."""

from __future__ import annotations

import argparse
import time

from bench.database import start_django
from bench.fleet.model import DEFAULT_BASE_PORT, FleetSpec


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inventory",
        help="load the inventory matching `python -m bench fleet` into the configured database",
        description=(
            "Create (or replace) the platform 'EOS (emulated fleet)', the fleet's routers "
            "(127.0.0.1, one eAPI port each), their ASes, BGP groups and sessions, and a "
            "configuration template, in the database Peerkeeper is configured with. Run it "
            "with the same --routers, --sessions, --seed and --base-port as the fleet."
        ),
    )
    parser.add_argument("--routers", type=int, default=1000, help="routers in the fleet")
    parser.add_argument("--sessions", type=int, default=100, help="BGP sessions per router")
    parser.add_argument("--seed", type=int, default=1, help="seed of the emulated data")
    parser.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT, help="router 0's port")
    parser.add_argument(
        "--timeout", type=int, default=10, help="NAPALM timeout of the routers, seconds"
    )
    parser.add_argument("--remove", action="store_true", help="only remove the fleet's inventory")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        spec = FleetSpec(args.routers, args.sessions, seed=args.seed, base_port=args.base_port)
    except ValueError as exc:
        raise SystemExit(f"inventory: {exc}") from None
    start_django(migrate=False)
    from bench.inventory import load_inventory, remove_inventory

    started = time.perf_counter()
    if args.remove:
        print(f"removed the fleet's inventory ({remove_inventory()} sessions)")
        return 0
    loaded = load_inventory(spec, napalm_timeout=args.timeout)
    print(
        f"loaded {loaded.routers} routers, {loaded.sessions} sessions and "
        f"{loaded.autonomous_systems} peer ASes in {time.perf_counter() - started:.1f} s "
        f"(replacing {loaded.removed_sessions} sessions of an earlier load)"
    )
    return 0
