"""`python -m lab up | status | down [--instance N]`."""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lab.claims import Claim
from lab.errors import LabError
from lab.instance import Lab, default_instance
from lab.processes import wait_gone
from lab.requirements import unavailable_reason
from lab.state import REPO_ROOT

SUPERVISOR_STOP_TIMEOUT = 15.0


def _up(lab: Lab, timeout: float) -> int:
    owner = lab.state.owner()
    if owner is not None:
        if owner.kind == "supervisor" and lab.state.is_ours(owner):
            print(f"lab instance {lab.instance} is already up (supervisor PID {owner.pid})")
            return 0
        # Another checkout's lab, or a program's (a test run): the namespaces are the
        # machine's, so starting here would destroy that lab.
        raise LabError(lab.state.refusal(owner))
    lab.state_dir.mkdir(parents=True, exist_ok=True)
    log_path = lab.state_dir / "supervisor.log"
    read_fd, write_fd = os.pipe()
    with log_path.open("w") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "lab.supervisor", "--instance", str(lab.instance),
             "--state-dir", str(lab.state_dir), "--ready-fd", str(write_fd),
             "--timeout", str(timeout)],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command and ignores its terminal
            cwd=REPO_ROOT,
        )  # fmt: skip
    os.close(write_fd)
    try:
        message = _read_line(read_fd, timeout + 30)
    except KeyboardInterrupt:
        supervisor.terminate()
        supervisor.wait()
        print(f"interrupted: lab instance {lab.instance} stopped", file=sys.stderr)
        return 130
    finally:
        os.close(read_fd)
    status, _, detail = message.partition(" ")
    if status == "ok":
        print(
            f"lab instance {lab.instance} is up: every session of r1 Established with all "
            f"prefixes {detail} s after start (supervisor PID {supervisor.pid})"
        )
        print(f"r1 over SSH: ssh -F {lab.ssh.client_config} r1")
        return 0
    supervisor.wait()
    if status == "error":
        raise LabError(detail)
    cause = _last_line(log_path)
    raise LabError(
        "the lab supervisor stopped before the lab was up"
        + (f": {cause}" if cause else "")
        + f"; see {log_path}"
    )


def _last_line(path: Path) -> str:
    """The last line of a log that is not blank: a traceback's exception line."""
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip() if lines else ""


def _read_line(fd: int, timeout: float) -> str:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return "error timed out waiting for the lab to come up"
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


def _down(lab: Lab) -> int:
    demo = Claim(f"{lab.instance}.demo").holder()
    if demo is not None and demo.pid != os.getppid():  # the demo itself may take it down
        address = demo.get("address")
        raise LabError(
            f"lab instance {lab.instance} is used by PID {demo.pid}, the demo"
            + (f" serving http://{address}/" if address else "")
            + "; stop that demo first (Ctrl-C in its terminal; it takes down a lab it started)"
        )
    owner = lab.state.owner()
    if owner is not None and owner.kind != "supervisor":
        raise LabError(
            f"lab instance {lab.instance} is run by {owner.describe()}, not by `python -m "
            "lab up`: stop that program instead"
        )
    if owner is not None and not lab.state.is_ours(owner):
        raise LabError(
            f"lab instance {lab.instance} is run by {owner.describe()}, not from this state "
            f"directory ({lab.state_dir}): stop it from the checkout that started it"
        )
    if owner is not None:
        os.kill(owner.pid, signal.SIGTERM)
        if wait_gone([owner.record], SUPERVISOR_STOP_TIMEOUT):
            os.kill(owner.pid, signal.SIGKILL)
            wait_gone([owner.record], SUPERVISOR_STOP_TIMEOUT)
    lab.down()  # whatever the supervisor did not get to, or a crashed run left behind
    print(f"lab instance {lab.instance} is down")
    return 0


def _status(lab: Lab) -> int:
    owner = lab.state.owner()
    if not lab.is_up() or owner is None:
        raise LabError(
            f"lab instance {lab.instance} is not running "
            f"(start it with: python -m lab up --instance {lab.instance})"
        )
    if owner.state_dir is not None and not lab.state.is_ours(owner):
        lab = Lab(lab.instance, state_dir=owner.state_dir)  # another checkout's: read it there
    rows: list[tuple[str, ...]] = [("ROUTER", "NEIGHBOUR", "AS", "STATE", "PREFIXES RECEIVED")]
    for router in lab.routers:
        try:
            sessions: list[dict[str, Any]] = router.sessions()
        except (LabError, subprocess.TimeoutExpired):
            rows.append((router.name, "-", "-", "BGP daemon not running", "-"))
            continue
        if not sessions:
            rows.append((router.name, "-", "-", "no BGP session configured", "-"))
        for session in sessions:
            rows.append(
                (
                    router.name,
                    str(session["neighbour"]),
                    str(session["remote_as"]),
                    str(session["state"]),
                    str(session["prefixes_received"]),
                )
            )
    print(f"lab instance {lab.instance} (PID {owner.pid}, {owner.kind}), {lab.state_dir}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    dead = lab.dead_daemons()
    for daemon in dead:
        print(f"dead: {daemon.router} {daemon.daemon} {daemon.how}; the end of {daemon.log_path}:")
        for line in daemon.last_lines():
            print(f"    {line}")
    return 1 if dead else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lab", description="Real BGP routers for Peerkeeper's tests and demo."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    helps = {
        "up": "start the lab; returns once every session of r1 is Established",
        "status": "show every router's BGP sessions, and any daemon that died (exit 1)",
        "down": "stop the lab (safe to repeat)",
    }
    for name, help_text in helps.items():
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument(
            "--instance",
            type=int,
            choices=range(10),
            default=default_instance(0),
            metavar="N",
            help="lab instance 0-9 (default: $PEERKEEPER_LAB_INSTANCE, else 0)",
        )
        if name == "up":
            command.add_argument("--timeout", type=float, default=30.0, help="seconds")
    args = parser.parse_args(argv)
    try:
        reason = unavailable_reason()
        if reason:
            raise LabError(reason)
        lab = Lab(args.instance)
        if args.command == "up":
            # Ctrl-C stops a lab that is starting, also when this command was started
            # with SIGINT ignored (in the background, by nohup, by some CI runners).
            signal.signal(signal.SIGINT, signal.default_int_handler)
            return _up(lab, args.timeout)
        if args.command == "down":
            return _down(lab)
        return _status(lab)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m lab status | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
