"""Machine-wide claims on a lab instance: who runs it, and which demo uses it (and which
demo uses a database).

An instance's namespaces (`pkN-*`), its root-namespace link and its management LAN
belong to the machine, not to a checkout or a state directory: two processes that start
the same instance from two checkouts (or with two `PEERKEEPER_LAB_DIR`s) would destroy
each other's lab. So a claim on an instance lives in one fixed place for the whole
machine, `/run/peerkeeper-lab/` (a tmpfs, emptied at boot like the namespaces): an
`flock` on `<N>.lock` (the lab's owner) or `<N>.demo.lock` (the demo using it), held for
as long as the claiming process runs. A demo also claims its database there
(`demo-database-<hash>.lock`, see peering/demo_preflight.py): a second demo on the same
database would point the first one's r1 at its own lab. The kernel drops the lock when
the process ends, however it ends (even SIGKILL), so a claim never outlives its process.

The file also says who holds it (PID, start time, what it is, its state directory) for
the one that is refused. Whether it is held is asked of the kernel (`/proc/locks`),
without taking the lock: a check never makes a concurrent claim fail.

Lock files are never deleted: a process waiting on a deleted file would lock a file
nobody else sees. A forked child (not exec'd) closes its copy at once, so only the
process that claimed holds the lock; exec'd children never inherit it (close-on-exec).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.processes import ProcessRecord

CLAIMS_DIR = Path("/run/peerkeeper-lab")
# How long a check waits for a claimer that has the lock but has not yet described
# itself (it writes right after locking).
DESCRIBE_WAIT = 1.0


def claims_dir() -> Path:
    """The machine-wide directory as root (the lab needs root). Without root nothing can
    run a lab, so a user's claims (a demo without the lab) are only that user's."""
    if os.geteuid() == 0:
        return CLAIMS_DIR
    return Path("/tmp") / f"peerkeeper-lab-{os.geteuid()}"


@dataclass(frozen=True)
class Holder:
    """The process holding a claim, as it described itself."""

    record: ProcessRecord
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def pid(self) -> int:
        return self.record.pid

    def get(self, name: str, default: str = "") -> str:
        value = self.details.get(name, default)
        return value if isinstance(value, str) else default


# Claims this process holds: path -> file descriptor of the locked file.
_held: dict[Path, int] = {}


def _forget_after_fork() -> None:
    # The child shares the locked file with its parent: it closes its copy (the lock
    # stays with the parent), so it never keeps a claim alive after the claimer died.
    for fd in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


class Claim:
    """One machine-wide claim, e.g. `Claim("7")` (lab 7's owner), `Claim("7.demo")`, or
    `Claim("demo-database-<hash>")` (the demo using a database)."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def path(self) -> Path:
        return claims_dir() / f"{self.name}.lock"

    def __repr__(self) -> str:
        return f"<Claim {self.path}>"

    def held_here(self) -> bool:
        """Whether this process holds the claim."""
        return self.path in _held

    def acquire(self, **details: Any) -> bool:
        """Take the claim and describe this process in it (`details` as JSON); False if
        another process holds it. Taking a claim this process holds already only
        rewrites the description."""
        path = self.path
        fd = _held.get(path)
        if fd is None:
            _make_directory(path.parent)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            _held[path] = fd
        me = ProcessRecord.of(os.getpid())
        assert me is not None
        text = json.dumps({"pid": me.pid, "started": me.started, **details}) + "\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)
        return True

    def release(self) -> None:
        """Let go of the claim (closing the file drops the lock). Safe to repeat."""
        fd = _held.pop(self.path, None)
        if fd is not None:
            os.close(fd)

    def holder(self) -> Holder | None:
        """The process holding the claim, this one included; None if nobody does."""
        path = self.path
        deadline = time.monotonic() + DESCRIBE_WAIT
        while True:
            pid = _locking_pid(path)
            record = ProcessRecord.of(pid) if pid else None
            if pid is None:
                return None
            details = _read_details(path)
            if record is not None and _describes(details, record):
                return Holder(record, details)
            if time.monotonic() >= deadline:  # held, but not (yet) described
                return Holder(record or ProcessRecord(pid, 0), {})
            time.sleep(0.02)


def _make_directory(path: Path) -> None:
    mode = 0o755 if os.geteuid() == 0 else 0o700
    if not path.exists():
        path.mkdir(mode=mode, exist_ok=True)
        path.chmod(mode)  # mkdir's mode is reduced by the umask
    if path.is_symlink() or not path.is_dir() or path.stat().st_uid != os.geteuid():
        raise PermissionError(f"{path} is not a directory of this user's")


def _describes(details: dict[str, Any], record: ProcessRecord) -> bool:
    return details.get("pid") == record.pid and details.get("started") == record.started


def _read_details(path: Path) -> dict[str, Any]:
    try:
        details = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return details if isinstance(details, dict) else {}


def _locking_pid(path: Path) -> int | None:
    """The PID holding an flock on `path`, from the kernel's list of locks."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    inode = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    locks = Path("/proc/locks").read_text()
    for line in locks.splitlines():
        fields = line.split()
        # "12: FLOCK  ADVISORY  WRITE 4242 00:1a:1234 0 EOF"; "12: -> FLOCK ..." waits.
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == inode:
            return int(fields[4])
    return None
