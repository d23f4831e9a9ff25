"""One deployment of a router at a time on this machine.

Two deployments of one router that overlap (cron while a page's Deploy runs, two commands)
would both load a candidate, both compare against the same running configuration and both
commit. `held(key)` is an OS file lock (flock) on a file per database and router under
`DATA_DIR/locks`: the web server, the workers and cron on one host share it. It is taken
without waiting; a router whose lock is held fails at once as `busy` and is not touched.

Deployments on several hosts are not serialised: flock only sees this machine's processes.
A process that dies releases its locks with it, so no lock outlives its holder.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import connections

from core.operations import Category, OperationError
from devices.models import Router

# What a lock file's name keeps of the database's name (a path for SQLite) in clear.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class RouterBusy(OperationError):
    """Another deployment of the router holds its lock; nothing was done to the router."""

    category: ClassVar[Category] = Category.BUSY


@dataclass(frozen=True)
class LockKey:
    """Which lock a deployment of one router takes: its database's name and its primary
    key (several databases may share a data directory), and its name for the sentence."""

    database: str
    router_id: int
    router: str

    @property
    def path(self) -> Path:
        """The lock file: `DATA_DIR/locks/deploy-<database>-<hash>-<router id>.lock`."""
        readable = _UNSAFE.sub("_", Path(self.database).name)[:40]
        digest = hashlib.sha256(self.database.encode("utf-8")).hexdigest()[:12]
        name = f"deploy-{readable}-{digest}-{self.router_id}.lock"
        return Path(settings.DATA_DIR) / "locks" / name


def lock_key(router: Router) -> LockKey:
    """A saved router's key: the database it was read from, its primary key and name.
    Calling thread: reads the connection's settings, never queries."""
    database = str(connections[router._state.db or "default"].settings_dict["NAME"])
    return LockKey(database, router.pk, router.name)


@contextmanager
def held(key: LockKey) -> Iterator[None]:
    """Hold the router's deployment lock for the block; RouterBusy at once (without
    waiting) when another deployment holds it. Released however the block ends."""
    path = key.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise RouterBusy(_busy_sentence(key.router, _holder(fd))) from None
        # Who holds it, for the sentence another deployment says (written once locked,
        # so a holder's line is never overwritten by one that waits).
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        try:
            yield
        finally:
            # The file stays: removing it would let a third process lock a new file
            # while a second still holds the old one.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """`process 1234 on host h` from the lock file, or "" when it cannot be read yet."""
    try:
        pid, host = os.pread(fd, 512, 0).decode("utf-8", "replace").split(maxsplit=1)
    except (OSError, ValueError):
        return ""
    return f"process {pid} on host {host.strip()}" if pid.isdigit() else ""


def _busy_sentence(router: str, holder: str) -> str:
    """`another deployment of r1 is in progress (process 1234 on host h); nothing was done.`"""
    who = f" ({holder})" if holder else ""
    return f"another deployment of {router} is in progress{who}; nothing was done."
