"""`python -m bench deploy`: configure_routers --dry-run over the fleet, and its naive reference."""

from __future__ import annotations

import argparse

from bench.commands.common import DEFAULT_DEPLOY_WORKERS, add_database, add_fleet, run_benchmark


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy",
        help="benchmark configs.deploy.configure_routers (dry run) against the emulated fleet",
        description=(
            "Load the fleet's inventory into a scratch database, then render, load and compare "
            "every router's configuration (a dry run: nothing is committed), and run the naive "
            "reference on a sample of the same routers. Prints wall time and queries."
        ),
    )
    add_database(parser)
    add_fleet(parser, routers=1000, sessions=100, workers=DEFAULT_DEPLOY_WORKERS)
    parser.add_argument(
        "--naive-routers", type=int, default=20, help="routers the naive reference deploys"
    )
    parser.set_defaults(handler=lambda args: run_benchmark(args, "deploy"))
