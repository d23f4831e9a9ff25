"""Command line of the benchmarks: `python -m bench <command> ...`.

Each command lives in its own module exposing `add_parser(subparsers)`, which
registers an argparse sub-parser and sets `handler` to a function taking the
parsed arguments and returning an exit status. Add a command by listing its
module in COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "bench.fleet.cli",
    "bench.commands.inventory",
    "bench.commands.poll",
    "bench.commands.deploy",
    "bench.commands.render",
    "bench.commands.peeringdb",
    "bench.commands.all",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
