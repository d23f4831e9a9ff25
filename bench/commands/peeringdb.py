"""`python -m bench peeringdb`: PeeringDB synchronisation of a synthetic data set."""

from __future__ import annotations

import argparse

from bench.commands.common import add_database, run_benchmark


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "peeringdb",
        help="benchmark peeringdb.sync.synchronise against a local PeeringDB",
        description=(
            "Synchronise --networks networks on --ixes IXes (every network on every IX) from "
            "a local PeeringDB on 127.0.0.1: first, unchanged, incremental; the query count "
            "must not grow with the number of objects. Needs no fleet."
        ),
    )
    add_database(parser)
    parser.add_argument("--networks", type=int, default=1000, help="PeeringDB networks")
    parser.add_argument("--ixes", type=int, default=5, help="IXes, each with every network")
    parser.add_argument("--changes", type=int, default=100, help="networks changed upstream")
    parser.set_defaults(handler=lambda args: run_benchmark(args, "peeringdb"))
