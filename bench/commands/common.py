"""Options the benchmark commands share, and how a benchmark starts."""

from __future__ import annotations

import argparse
import importlib
import logging
from pathlib import Path

from bench.database import DATABASES, ScratchDatabaseError, scratch_database
from bench.fleet.process import FleetStartError

# 50 ms per request, 2 cores: the client is CPU-bound (parsing) long before it runs out of
# threads; more threads only make them queue for the GIL. Measured on this machine.
DEFAULT_POLL_WORKERS = 32
# A dry run makes five requests per router, and the rendering thread keeps them fed.
DEFAULT_DEPLOY_WORKERS = 64


def add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        choices=DATABASES,
        required=True,
        help="scratch database: a new PostgreSQL database on the server of DATABASE_URL "
        "(else postgresql://postgres@127.0.0.1:5432/), or a SQLite file under DATA_DIR/bench/",
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="do not drop the scratch database after"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")


def add_fleet(
    parser: argparse.ArgumentParser, routers: int, sessions: int, workers: int | None = None
) -> None:
    parser.add_argument("--routers", type=int, default=routers, help="routers in the fleet")
    parser.add_argument("--sessions", type=int, default=sessions, help="BGP sessions per router")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="delay of every answer")
    parser.add_argument("--seed", type=int, default=1, help="seed of the emulated data")
    parser.add_argument(
        "--fleet-base-port",
        type=int,
        help="use the fleet already serving from this port (same shape), instead of starting one",
    )
    if workers is not None:
        parser.add_argument(
            "--workers",
            type=int,
            default=workers,
            help=f"device I/O threads (NAPALM_MAX_WORKERS for the run; default {workers})",
        )


def run_benchmark(args: argparse.Namespace, benchmark: str) -> int:
    """Run `bench.<benchmark>.run(args, database)` in a scratch database of its own."""
    try:
        with scratch_database(args.database, benchmark, keep=args.keep_database) as database:
            # The benchmark reports failures and diffs itself: pyeapi logs every failed
            # request with its traceback, configure_routers every diff.
            logging.getLogger("pyeapi").setLevel(logging.CRITICAL)
            logging.getLogger("configs.deploy").setLevel(logging.WARNING)
            # Imported only now: Django has started on the scratch database.
            module = importlib.import_module(f"bench.{benchmark}")
            return int(module.run(args, database) or 0)
    except (ScratchDatabaseError, FleetStartError) as exc:
        raise SystemExit(f"{benchmark}: {exc}") from None
