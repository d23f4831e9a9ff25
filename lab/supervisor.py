"""The process behind `python -m lab up`: it owns the daemons (they die with it), tells
the waiting `up` command when every session is Established, notes how any daemon that
dies later ended (for `lab status`), and tears the lab down on SIGTERM (`python -m lab
down`), SIGINT or SIGHUP."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from lab.errors import LabError
from lab.instance import Lab

MONITOR_INTERVAL = 1.0


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _report(fd: int | None, message: str) -> None:
    if fd is None:
        return
    os.write(fd, (" ".join(message.split()) + "\n").encode())
    os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.supervisor")
    parser.add_argument("--instance", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--ready-fd", type=int, help="write 'ok SECONDS' or 'error TEXT' here")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _stop)
    lab = Lab(args.instance, state_dir=args.state_dir)
    try:
        elapsed = lab.up(timeout=args.timeout, owner_kind="supervisor")
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        _report(args.ready_fd, f"error {error}")
        return 1
    try:
        print(f"lab instance {args.instance} up in {elapsed:.2f} s", flush=True)
        _report(args.ready_fd, f"ok {elapsed:.2f}")
        while True:  # until a signal: note every daemon that dies, for `lab status`
            for dead in lab.record_exits():
                print(f"error: {dead.sentence()}", flush=True)
            time.sleep(MONITOR_INTERVAL)
    finally:
        lab.down()
        print(f"lab instance {args.instance} down", flush=True)


if __name__ == "__main__":
    sys.exit(main())
