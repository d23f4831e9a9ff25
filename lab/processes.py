"""Starting daemons as children that die with the lab, and stopping them by PID.

Every process the lab starts is recorded as "PID start-time" in the instance's state
directory. The start time (from /proc) tells a recorded process apart from an unrelated
process that later got the same PID, so cleaning up after a crash only ever signals
processes this lab started.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1
CLONE_NEWUTS = 0x04000000
_libc = ctypes.CDLL(None, use_errno=True)


def become_host(hostname: str) -> None:
    """In a child before exec: its own UTS namespace named like the router. FRR takes its
    hostname from uname(), not from its configuration, so this is how r1 is "r1"."""
    encoded = hostname.encode()
    if _libc.unshare(CLONE_NEWUTS) != 0 or _libc.sethostname(encoded, len(encoded)) != 0:
        os._exit(126)


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


@dataclass(frozen=True)
class ProcessRecord:
    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> ProcessRecord | None:
        started = start_time(pid)
        return None if started is None else cls(pid, started)

    def is_alive(self) -> bool:
        return start_time(self.pid) == self.started

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{self.pid} {self.started}\n")

    @classmethod
    def read(cls, path: Path) -> ProcessRecord | None:
        try:
            pid, started = path.read_text().split()
            return cls(int(pid), int(started))
        except (FileNotFoundError, ValueError):
            return None


def _prepare_daemon(parent_pid: int, hostname: str) -> None:
    # Runs in the child between fork and exec. The kernel sends SIGKILL when the thread
    # that started us exits; the check closes the race with a parent that died already.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)
    become_host(hostname)


def start_child(
    argv: list[str], log_path: Path, record_path: Path, hostname: str, group: int | None = None
) -> subprocess.Popen[bytes]:
    """Start a foreground daemon whose output goes to `log_path`, and record its PID.

    `group` is set before the death signal is armed: a daemon that switches to that
    group itself then changes nothing, and keeps the death signal."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    parent = os.getpid()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C in the terminal reaches the lab, which then
            # tears down in order, instead of every daemon at once.
            start_new_session=True,
            group=group,
            preexec_fn=lambda: _prepare_daemon(parent, hostname),
        )
    record = ProcessRecord.of(process.pid)
    if record is not None:
        record.write(record_path)
    return process


def wait_gone(records: list[ProcessRecord], timeout: float) -> list[ProcessRecord]:
    """Wait for the processes to end; returns those still alive at the deadline."""
    deadline = time.monotonic() + timeout
    alive = [r for r in records if r.is_alive()]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [r for r in alive if r.is_alive()]
    return alive


def kill_recorded(record: ProcessRecord, sig: signal.Signals = signal.SIGKILL) -> None:
    if record.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, sig)


def stop_child(process: subprocess.Popen[bytes], grace: float = 2.0) -> None:
    """SIGTERM (so a BGP daemon can say goodbye to its peers), SIGKILL after `grace`."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kill_child(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
