"""What `make demo` checks before it changes anything: its lab instance, its database
and its port.

A second demo must not take over the first one's lab (and take it down on exit), nor
its database (loading the demo points that database's r1 at the second demo's lab, which
goes down with the second demo), nor fail half-way on a busy port. A lab instance's
namespaces are the machine's, and so is a database, so each demo claims both
machine-wide (lab/claims.py: an flock in /run/peerkeeper-lab/, `<N>.demo.lock` and
`demo-database-<hash>.lock`) for as long as it runs, whatever checkout or state
directory it runs from; the kernel drops the claims when the demo's process ends,
however it ends.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
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


# Servers on this machine, whichever way the settings reach them (a Unix socket's directory,
# a loopback address or name): the port tells them apart.
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"postgresql": "5432", "mysql": "3306"}
KIND_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "oracle": "Oracle"}
SQLITE = "django.db.backends.sqlite3"


@dataclass(frozen=True)
class Database:
    """The database a demo loads, as the machine knows it: `key` is the same for every
    spelling of it in the settings (a SQLite file by its real path; a server's database
    by server, port and name), `description` names it in a sentence."""

    key: str
    description: str

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Database | None:
        """The database of Django settings (`DATABASES["default"]`); None for one no
        other process can open (SQLite in memory). A SQLite file that exists is known by
        its device and inode, so a hard link to it is the same database; one that does
        not yet, by its real path (DemoClaims.claim_created_file)."""
        engine = str(settings.get("ENGINE") or "")
        name = str(settings.get("NAME") or "")
        if engine.endswith("sqlite3"):
            if name.startswith("file:"):  # a URI: the path is before the query
                name, _, query = name.removeprefix("file:").partition("?")
                if "mode=memory" in query:
                    return None
            if name in ("", ":memory:"):
                return None
            path = os.path.realpath(name)
            try:
                file = os.stat(path)
            except OSError:
                return cls(f"sqlite:{path}", f"the database {path}")
            return cls(f"sqlite-file:{file.st_dev}:{file.st_ino}", f"the database {path}")
        kind = "postgresql" if "postgis" in engine else engine.rsplit(".", 1)[-1]
        host = str(settings.get("HOST") or "")
        port = str(settings.get("PORT") or DEFAULT_PORTS.get(kind, ""))
        server = _server(host)
        shown = host if host and not host.startswith("/") else "localhost"
        shown = f"[{shown}]" if ":" in shown else shown
        return cls(
            f"{kind}://{server}:{port}/{name}",
            f"the {KIND_NAMES.get(kind, kind)} database {name} on {shown}:{port}",
        )


def _server(host: str) -> str:
    """The database server `host` names, the same for every spelling of it: "localhost"
    for this machine (a socket directory, a loopback address, a name or an address of
    this machine's), else its first address (a name resolves as the client will)."""
    if host in LOCAL_HOSTS or host.startswith("/"):
        return "localhost"
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return host.lower()  # the client fails to resolve it too, with its own words
    addresses = sorted({str(entry[4][0]) for entry in found})
    if all(_is_this_machine(address) for address in addresses):
        return "localhost"
    return addresses[0]


def _is_this_machine(address: str) -> bool:
    """Whether `address` is one of this machine's: only those can be bound."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


class DatabaseLock:
    """The running demo's claim on its database, machine-wide
    (`demo-database-<hash of the key>.lock`), naming the demo's PID, address, lab
    instance and checkout for the one that is refused."""

    def __init__(self, database: Database) -> None:
        self.database = database
        digest = hashlib.sha256(database.key.encode()).hexdigest()[:24]
        self._claim = Claim(f"demo-database-{digest}")

    @property
    def path(self) -> Path:
        return self._claim.path

    def acquire(self, instance: int, address: Address) -> bool:
        return self._claim.acquire(
            address=str(address),
            lab_instance=str(instance),
            checkout=str(CHECKOUT),
            database=self.database.key,
        )

    def holder(self) -> Holder | None:
        return self._claim.holder()

    def release(self) -> None:
        self._claim.release()


def port_claim(port: int) -> Claim:
    """A demo's claim on the port it serves (`demo-port-<port>.lock`): a second demo that
    starts at the same moment finds the port still free, so the claim, not the bind,
    decides which one serves (the other refuses before it changes anything)."""
    return Claim(f"demo-port-{port}")


@dataclass
class DemoClaims:
    """What a running demo holds: its lab instance, its database (when one that other
    processes can open) and its port."""

    instance: DemoLock
    database: DatabaseLock | None = None
    port: Claim | None = None
    file: DatabaseLock | None = None  # a SQLite file made by this demo, by its inode

    def claim_created_file(self, instance: int, address: Address) -> None:
        """Once the demo has made its SQLite file (migrate), claim it by its inode too: a
        demo given a hard link to it must be refused as well. DemoRefused if one got
        there first."""
        if self.database is None or not self.database.database.key.startswith("sqlite:"):
            return
        path = self.database.database.key.removeprefix("sqlite:")
        made = Database.of({"ENGINE": SQLITE, "NAME": path})
        if made is not None and made.key != self.database.database.key:
            self.file = _claim_database(instance, address, made)

    def release(self) -> None:
        for claim in (self.file, self.port, self.database):
            if claim is not None:
                claim.release()
        self.instance.release()


def _demo_sentence(holder: Holder | None, on_instance: bool = False) -> str:
    """Who holds a demo claim: `PID 4242, the demo serving http://127.0.0.1:8000/`, with
    its checkout when that is another one, and with `on_instance` the lab instance it
    runs on."""
    if holder is None:
        return "another demo"
    address = holder.get("address")
    what = f"PID {holder.pid}, " + (f"the demo serving http://{address}/" if address else "a demo")
    checkout = holder.get("checkout")
    if checkout and os.path.realpath(checkout) != os.path.realpath(CHECKOUT):
        what += f" from {checkout}"
    instance = holder.get("lab_instance") if on_instance else ""
    return what + (f" on lab instance {instance}" if instance else "")


def preflight(
    instance: int, address: Address, database: Mapping[str, Any] | None = None
) -> DemoClaims:
    """Claim the lab instance and the database (Django settings, by default the
    project's) for this demo, or say in one sentence why not: another demo runs on the
    instance or uses the database, another program runs the instance (from any
    checkout), or the address is taken."""
    if database is None:
        from django.conf import settings

        database = settings.DATABASES["default"]
    lock = DemoLock(instance)
    if not lock.acquire(address):
        shared = _in_use(Database.of(database))  # by that demo, most likely
        example = _elsewhere(free_instance(instance), _next_port(address), shared)
        raise DemoRefused(
            f"Not starting: lab instance {instance} is in use by "
            f"{_demo_sentence(lock.holder())}; stop that demo (Ctrl-C in its terminal) or "
            "start this one on another instance and port"
            + (" with a database of its own" if shared else "")
            + f", e.g. {example}"
        )
    claims = DemoClaims(lock)
    try:
        claims.database = _claim_database(instance, address, Database.of(database))
        claims.port = _claim_port(instance, address)
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
                + _elsewhere(instance, _next_port(address), database_in_use=False)
            )
    except BaseException:
        claims.release()
        raise
    return claims


def _claim_database(
    instance: int, address: Address, database: Database | None
) -> DatabaseLock | None:
    """Claim the demo's database, or refuse: another demo (on another instance, as the
    instance's claim came first) uses it, and loading this one would point its r1 here."""
    if database is None:
        return None
    lock = DatabaseLock(database)
    if lock.acquire(instance, address):
        return lock
    raise DemoRefused(
        f"Not starting: {database.description} is in use by "
        f"{_demo_sentence(lock.holder(), on_instance=True)}"
        + "; stop that demo (Ctrl-C in its terminal) or give this one a database of "
        + f"its own, e.g. {_elsewhere(instance, address, database_in_use=True)}"
    )


def _claim_port(instance: int, address: Address) -> Claim:
    """Claim the port for this demo, or refuse: another demo serves (or is about to
    serve) on it."""
    claim = port_claim(address.port)
    if claim.acquire(address=str(address), lab_instance=str(instance), checkout=str(CHECKOUT)):
        return claim
    raise DemoRefused(
        f"Not starting: port {address.port} is in use by "
        f"{_demo_sentence(claim.holder(), on_instance=True)}"
        + "; choose another address, e.g. "
        + _elsewhere(instance, _next_port(address), database_in_use=False)
    )


def _next_port(address: Address) -> Address:
    """The next port that neither a demo nor anything else holds, for the suggestions."""
    for port in range(address.port + 1, min(address.port + 100, 65536)):
        candidate = Address(address.host, port)
        if port_claim(port).holder() is None and port_is_free(candidate):
            return candidate
    return Address(address.host, address.port + 1)


def _in_use(database: Database | None) -> bool:
    """Whether a demo uses the database (checked without claiming it)."""
    return database is not None and DatabaseLock(database).holder() is not None


def _elsewhere(instance: int, address: Address, database_in_use: bool) -> str:
    """The example that ends a refusal: this demo on `instance` and `address`, with a
    database of its own when another demo uses this one."""
    command = f"make demo DEMO_LAB={instance} DEMO_ADDRESS={address}."
    if database_in_use:
        return f"PEERKEEPER_DATABASE_URL=sqlite:///{_spare_sqlite(instance)} {command}"
    return command


def _spare_sqlite(instance: int) -> str:
    """A SQLite file in the data directory that no demo uses, for a demo of its own."""
    from django.conf import settings

    data = Path(settings.DATA_DIR).resolve()
    for number in range(100):
        path = data / (
            f"demo-{instance}-{number}.sqlite3" if number else f"demo-{instance}.sqlite3"
        )
        if not _in_use(Database.of({"ENGINE": SQLITE, "NAME": str(path)})):
            break
    return str(path)


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
