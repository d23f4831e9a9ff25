"""What `make demo` checks before it changes anything: its lab instance and its port.

A second demo must not take over the first one's lab (and take it down on exit), nor
fail half-way on a busy port. A lab instance's namespaces are the machine's, so each
demo claims its instance machine-wide (lab/claims.py: an flock in /run/peerkeeper-lab/)
for as long as it runs, whatever checkout or state directory it runs from; the kernel
drops the claim when the demo's process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from lab.claims import Claim, Holder
from lab.instance import Lab
from lab.state import default_state_dir

CHECKOUT = Path(__file__).resolve().parent.parent


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
    """The running demo's claim on a lab instance, machine-wide (`<N>.demo.lock`), which
    also names the demo's PID, address and checkout for the one that is refused."""

    def __init__(self, instance: int) -> None:
        self.instance = instance
        self._claim = Claim(f"{instance}.demo")

    @property
    def path(self) -> Path:
        return self._claim.path

    def acquire(self, address: Address) -> bool:
        return self._claim.acquire(
            address=str(address),
            checkout=str(CHECKOUT),
            state_dir=os.path.abspath(default_state_dir(self.instance)),
        )

    def holder(self) -> Holder | None:
        """The demo holding the claim (its PID, and the address and checkout it wrote)."""
        return self._claim.holder()

    def release(self) -> None:
        self._claim.release()


def _demo_sentence(holder: Holder | None) -> str:
    """Who holds a demo claim: `PID 4242, the demo serving http://127.0.0.1:8000/`, with
    its checkout when that is another one."""
    if holder is None:
        return "another demo"
    address = holder.get("address")
    what = f"PID {holder.pid}, " + (f"the demo serving http://{address}/" if address else "a demo")
    checkout = holder.get("checkout")
    if checkout and os.path.realpath(checkout) != os.path.realpath(CHECKOUT):
        what += f" from {checkout}"
    return what


def preflight(instance: int, address: Address) -> DemoLock:
    """Claim the lab instance for this demo, or say in one sentence why not: another demo
    runs on it, another program runs it (from any checkout), or the address is taken."""
    lock = DemoLock(instance)
    if not lock.acquire(address):
        raise DemoRefused(
            f"Not starting: lab instance {instance} is in use by "
            f"{_demo_sentence(lock.holder())}; stop that demo "
            f"(Ctrl-C in its terminal) or start this one on another instance and port, "
            f"e.g. make demo DEMO_LAB={free_instance(instance)} "
            f"DEMO_ADDRESS=127.0.0.1:{address.port + 1}."
        )
    try:
        lab = Lab(instance)
        owner = lab.state.owner()
        if owner is not None and owner.kind == "supervisor" and not lab.state.is_ours(owner):
            raise DemoRefused(
                f"Not starting: lab instance {instance} is in use by {owner.describe()}, "
                f"not this checkout's lab; stop it from its checkout or use another "
                f"instance, e.g. make demo DEMO_LAB={free_instance(instance)}."
            )
        if owner is not None and owner.kind != "supervisor":
            raise DemoRefused(
                f"Not starting: lab instance {instance} is in use by {owner.describe()}; "
                f"wait for it to end or use another instance, e.g. make demo "
                f"DEMO_LAB={free_instance(instance)}."
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
        if candidate == busy:
            continue
        taken = Lab(candidate).state.owner() is not None or DemoLock(candidate).holder()
        if not taken:
            return candidate
    return (busy + 1) % 10


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
