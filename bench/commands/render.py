"""`python -m bench render`: one router's configuration with thousands of sessions."""

from __future__ import annotations

import argparse

from bench.commands.common import add_database, run_benchmark


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="benchmark configs.rendering.render_router_config on one big router",
        description=(
            "Render one router with --sessions sessions and with --small-sessions sessions "
            "(the query count must be the same), and the naive reference; then the big "
            "router with IRR prefix lists, without any and with one peer's list of "
            "--prefixes prefixes (the same query count again). Needs no fleet."
        ),
    )
    add_database(parser)
    parser.add_argument("--sessions", type=int, default=5000, help="sessions of the big router")
    parser.add_argument(
        "--small-sessions", type=int, default=50, help="sessions of the small router"
    )
    parser.add_argument("--repeat", type=int, default=5, help="renders measured per router")
    parser.add_argument(
        "--prefixes",
        type=int,
        default=10_000,
        help="IRR prefixes of the peer AS whose list the big router renders",
    )
    parser.set_defaults(handler=lambda args: run_benchmark(args, "render"))
