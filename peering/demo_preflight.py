"""What `make demo` checks before it changes anything: its lab instance and its port.

A second demo must not take over the first one's lab (and take it down on exit), nor
fail half-way on a busy port. Each demo holds a lock on its lab instance for as long as
it runs; the kernel drops the lock when the demo's process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from lab.instance import Lab
from lab.state import default_state_dir

LOCK_NAME = "demo.lock"


class DemoRefused(Exception):
    """One sentence saying why the demo does not start, and what to do instead."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """`HOST:PORT`, `[IPv6]:PORT` or a bare port (on 127.0.0.1), as runserver takes."""
        host, _, port = text.rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise DemoRefused(f"Not starting: {text!r} is not an address like 127.0.0.1:8000.")
        return cls(host.strip("[]") or "127.0.0.1", int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class DemoLock:
    """The running demo's claim on a lab instance: an flock on `<lab state dir>/demo.lock`,
    which also names the demo's PID and address for the one that is refused."""

    def __init__(self, instance: int) -> None:
        self.path = default_state_dir(instance) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, address: Address) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {address}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> tuple[int, str] | None:
        """(PID, address) of the demo holding the lock, as it wrote them."""
        try:
            pid, address = self.path.read_text().split()
            return int(pid), address
        except (FileNotFoundError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def preflight(instance: int, address: Address) -> DemoLock:
    """Claim the lab instance for this demo, or say in one sentence why not: another demo
    runs on it, another program runs it, or the address is taken."""
    lock = DemoLock(instance)
    if not lock.acquire(address):
        holder = lock.holder()
        who = f"PID {holder[0]}, the demo serving http://{holder[1]}/" if holder else "a demo"
        raise DemoRefused(
            f"Not starting: lab instance {instance} is in use by {who}; stop that demo "
            f"(Ctrl-C in its terminal) or start this one on another instance and port, "
            f"e.g. make demo DEMO_LAB={free_instance(instance)} "
            f"DEMO_ADDRESS=127.0.0.1:{address.port + 1}."
        )
    try:
        owner = Lab(instance).state.owner()
        if owner is not None and owner.kind != "supervisor":
            raise DemoRefused(
                f"Not starting: lab instance {instance} is in use by PID {owner.pid} (a "
                f"program using the lab, such as a test run); wait for it to end or use "
                f"another instance, e.g. make demo DEMO_LAB={free_instance(instance)}."
            )
        if not port_is_free(address):
            holder_pid = listening_pid(address.port)
            by = f" by PID {holder_pid}" if holder_pid else ""
            raise DemoRefused(
                f"Not starting: {address} is in use{by}; choose another address, e.g. "
                f"make demo DEMO_ADDRESS={address.host}:{address.port + 1}."
            )
    except BaseException:
        lock.release()
        raise
    return lock


def free_instance(busy: int) -> int:
    """A lab instance other than `busy` that nothing runs, for the suggestions."""
    for candidate in (7, 6, 5, 0, 1, 2, 3, 4, 8, 9):
        taken = Lab(candidate).state.owner() is not None or _locked(DemoLock(candidate).path)
        if candidate != busy and not taken:
            return candidate
    return (busy + 1) % 10


def _locked(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def port_is_free(address: Address) -> bool:
    """Bind the way runserver will (address reuse on), and let go at once."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address.host, address.port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise DemoRefused(
                f"Not starting: cannot serve on {address}: {error.strerror}."
            ) from None
    return True


def listening_pid(port: int) -> int | None:
    """The process listening on a TCP port, from /proc (only processes we may inspect)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (process / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in targets:
                        return int(process.name)
    return None
