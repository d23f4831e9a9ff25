"""`python -m bench poll`: the poll service over the emulated fleet, with its naive reference."""

from __future__ import annotations

import argparse

from bench.commands.common import DEFAULT_POLL_WORKERS, add_database, add_fleet, run_benchmark


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "poll",
        help="benchmark peering.polling.poll_routers against the emulated fleet",
        description=(
            "Load the fleet's inventory into a scratch database, poll 10, 100, ... routers with "
            "each getter, run the naive reference (one router at a time, a query and a save() "
            "per session) on a sample of the same routers, then poll a fleet with faulty "
            "routers. Prints wall time, routers per second, queries and peak memory."
        ),
    )
    add_database(parser)
    add_fleet(parser, routers=1000, sessions=100, workers=DEFAULT_POLL_WORKERS)
    parser.add_argument(
        "--scales", default="10,100,1000", help="router counts to poll (comma-separated)"
    )
    parser.add_argument(
        "--getters",
        default="detail,summary",
        help="detail (get_bgp_neighbors_detail), summary (get_bgp_neighbors), or both",
    )
    parser.add_argument(
        "--naive-routers", type=int, default=20, help="routers the naive reference polls"
    )
    parser.add_argument(
        "--faulty", type=float, default=0.05, help="fraction of faulty routers (0: no such run)"
    )
    parser.add_argument(
        "--faulty-getter",
        choices=("detail", "summary"),
        default="summary",
        help="getter of the faulty-fleet run",
    )
    parser.add_argument("--faulty-fleet-base-port", type=int, help="use this running faulty fleet")
    parser.add_argument(
        "--timeout", type=int, default=5, help="NAPALM timeout of the routers, seconds"
    )
    parser.set_defaults(handler=lambda args: run_benchmark(args, "poll"))
