"""`make demo` (manage.py demo): a second demo, from this checkout or any other, on the
same lab instance or the same database, refuses before changing anything, and the first
one keeps its lab, its r1 and its password; Ctrl-C stops a demo, its worker and server
and the lab it started, also when it was started with SIGINT ignored."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import Lab
from lab.instance import default_instance
from lab.netns import list_namespaces
from lab.processes import ProcessRecord
from lab.pytest_plugin import spare_instance
from peering.demo_preflight import (
    Address,
    Database,
    DatabaseLock,
    DemoClaims,
    DemoLock,
    DemoRefused,
    preflight,
)
from peerkeeper.config import BASE_DIR

DEMO_START_TIMEOUT = 240.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def demo_environment(directory: Path) -> dict[str, str]:
    """A scratch SQLite database and data directory: the demo migrates and loads them."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "PEERKEEPER_DATABASE_URL", "PEERKEEPER_DATABASE"}
    }
    environment["PEERKEEPER_DATABASE_URL"] = f"sqlite:///{directory / 'demo.sqlite3'}"
    environment["PEERKEEPER_DATA_DIR"] = str(directory)
    return environment


def demo_command(instance: int, port: int) -> list[str]:
    address = f"127.0.0.1:{port}"
    manage = [sys.executable, "manage.py"]
    return [*manage, "demo", "--lab-instance", str(instance), "--address", address]


def another_demo_instance(busy: int | None = None) -> int:
    """A lab instance other than `busy` that no demo claims: the test session's shared
    instance when it is free (a refused demo changes nothing of its lab)."""
    for candidate in (default_instance(1), *range(10)):
        if candidate != busy and DemoLock(candidate).holder() is None:
            return candidate
    pytest.skip("every other lab instance has a demo")


def holding_claim(claiming: str) -> subprocess.Popen[str]:
    """Another process that runs `claiming` (Python that takes a claim) and holds the
    claim until its standard input closes (`.communicate("")`)."""
    program = f"import sys; {claiming}; print('held', flush=True); sys.stdin.read()"
    other = subprocess.Popen(
        [sys.executable, "-c", program], cwd=BASE_DIR, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert other.stdout is not None and other.stdout.readline() == "held\n"
    return other


def test_a_busy_address_is_refused_in_one_sentence_before_anything_changes(
    tmp_path: Path,
) -> None:
    instance = spare_instance()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]

        result = subprocess.run(
            demo_command(instance, port),
            capture_output=True, text=True, timeout=120, cwd=BASE_DIR,
            env=demo_environment(tmp_path), check=False,
        )  # fmt: skip

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    # The example keeps the instance asked for, on a port that is free.
    suggested = re.fullmatch(
        rf"Not starting: 127\.0\.0\.1:{port} is in use by PID {os.getpid()}; choose "
        rf"another address, e\.g\. make demo DEMO_LAB={instance} DEMO_ADDRESS=127\.0\.0\.1:(\d+)\.",
        line,
    )
    assert suggested, line
    assert int(suggested[1]) > port
    assert not (tmp_path / "demo.sqlite3").exists()  # not even migrated
    assert not Lab(instance).is_up()


def test_a_lab_instance_the_tests_are_using_is_refused(lab: Lab) -> None:
    with pytest.raises(DemoRefused) as refused:
        preflight(lab.instance, Address("127.0.0.1", free_port()))

    assert str(refused.value).startswith(
        f"Not starting: lab instance {lab.instance} is in use by PID {os.getpid()} "
    )
    # Refused, it holds nothing: a demo may take the instance once the tests are done.
    lock = DemoLock(lab.instance)
    assert lock.acquire(Address("127.0.0.1", 8000))
    lock.release()


SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"


def test_a_database_is_one_claim_however_the_settings_spell_it(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "data")
    direct = Database.of({"ENGINE": SQLITE, "NAME": str(tmp_path / "data" / "db.sqlite3")})
    linked = Database.of({"ENGINE": SQLITE, "NAME": str(tmp_path / "link" / "db.sqlite3")})
    assert direct is not None and direct == linked
    assert direct.description == f"the database {os.path.realpath(tmp_path)}/data/db.sqlite3"
    assert Database.of({"ENGINE": SQLITE, "NAME": ":memory:"}) is None  # nobody shares it

    def postgresql(host: str, port: str, name: str = "pk_f11") -> Database | None:
        return Database.of({"ENGINE": POSTGRESQL, "HOST": host, "PORT": port, "NAME": name})

    # The machine's own name too: a second demo must not get past the claim by it.
    local = {postgresql(*server) for server in [
        ("127.0.0.1", "5432"), ("localhost", ""), ("", "5432"), ("/var/run/postgresql", ""),
        ("::1", "5432"), ("127.0.0.2", "5432"), (socket.gethostname(), "5432"),
    ]}  # fmt: skip
    assert len({database.key for database in local if database is not None}) == 1
    others = [
        postgresql("127.0.0.1", "5433"),
        postgresql("127.0.0.1", "", "pk_other"),
        postgresql("192.0.2.200", ""),  # another machine's server (resolving sends nothing)
    ]
    assert len({database.key for database in [*local, *others] if database is not None}) == 4
    assert str(postgresql("127.0.0.1", "")) == (
        "Database(key='postgresql://localhost:5432/pk_f11', "
        "description='the PostgreSQL database pk_f11 on 127.0.0.1:5432')"
    )


@pytest.mark.parametrize("spelling", ["demo.sqlite3", "hard-link.sqlite3"])
def test_a_database_another_demo_uses_is_refused_and_nothing_is_held(
    tmp_path: Path, spelling: str
) -> None:
    settings = {"ENGINE": SQLITE, "NAME": str(tmp_path / "demo.sqlite3")}
    (tmp_path / "demo.sqlite3").write_bytes(b"")  # as the demo using it has made it
    os.link(tmp_path / "demo.sqlite3", tmp_path / "hard-link.sqlite3")
    ours = {"ENGINE": SQLITE, "NAME": str(tmp_path / spelling)}
    database = Database.of(ours)
    assert database is not None
    other = holding_claim(  # as the demo serving 127.0.0.1:8077 on lab instance 7 does
        "from peering.demo_preflight import Address, Database, DatabaseLock; "
        f"claim = DatabaseLock(Database.of({settings!r})); "
        "assert claim.acquire(7, Address('127.0.0.1', 8077))"
    )
    try:
        instance = another_demo_instance()
        with pytest.raises(DemoRefused) as refused:
            preflight(instance, Address("127.0.0.1", 8079), ours)
    finally:
        other.communicate("")

    assert str(refused.value).startswith(
        f"Not starting: {database.description} is in use by PID {other.pid}, the demo "
        "serving http://127.0.0.1:8077/ on lab instance 7; stop that demo (Ctrl-C in its "
        "terminal) or give this one a database of its own, e.g. "
        "PEERKEEPER_DATABASE_URL=sqlite:///"
    )
    assert str(refused.value).endswith(
        f" make demo DEMO_LAB={instance} DEMO_ADDRESS=127.0.0.1:8079."
    )
    assert DemoLock(instance).holder() is None  # it let go of the instance it claimed first
    assert (tmp_path / "demo.sqlite3").read_bytes() == b""  # not migrated
    # That demo has ended: the kernel has dropped its claim.
    assert DatabaseLock(database).holder() is None


def test_a_demo_claims_the_sqlite_file_it_made_by_its_inode_too(tmp_path: Path) -> None:
    """A new file is claimed by its path; once migrate has made it, by its inode too: a
    hard link to it is then the same database."""
    settings = {"ENGINE": SQLITE, "NAME": str(tmp_path / "new.sqlite3")}
    address = Address("127.0.0.1", 8078)
    claims = DemoClaims(DemoLock(9), DatabaseLock(Database.of(settings)))
    assert claims.database is not None and claims.database.acquire(9, address)
    try:
        (tmp_path / "new.sqlite3").write_bytes(b"")  # as migrate makes it
        claims.claim_created_file(9, address)
        os.link(tmp_path / "new.sqlite3", tmp_path / "link.sqlite3")
        link = Database.of({"ENGINE": SQLITE, "NAME": str(tmp_path / "link.sqlite3")})
        holder = DatabaseLock(link).holder()
        assert holder is not None and holder.pid == os.getpid()
    finally:
        claims.release()


def test_a_port_another_demo_claims_is_refused_though_not_yet_bound() -> None:
    """Two demos started at the same moment both find the port free; the claim decides:
    the second refuses, naming the first, before it changes anything."""
    port = free_port()
    other = holding_claim(  # as the demo about to serve on `port` on lab instance 7 does
        "from peering.demo_preflight import port_claim; "
        f"assert port_claim({port}).acquire(address='127.0.0.1:{port}', lab_instance='7')"
    )
    try:
        instance = another_demo_instance()
        with pytest.raises(DemoRefused) as refused:
            preflight(instance, Address("127.0.0.1", port), {"ENGINE": SQLITE, "NAME": ":memory:"})
    finally:
        other.communicate("")

    assert re.fullmatch(
        rf"Not starting: port {port} is in use by PID {other.pid}, the demo serving "
        rf"http://127\.0\.0\.1:{port}/ on lab instance 7; choose another address, e\.g\. "
        rf"make demo DEMO_LAB={instance} DEMO_ADDRESS=127\.0\.0\.1:\d+\.",
        str(refused.value),
    ), str(refused.value)
    assert DemoLock(instance).holder() is None  # it let go of what it claimed first


@contextlib.contextmanager
def running_demo(
    instance: int, directory: Path, ignore_sigint: bool = False
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A demo on `instance`, serving on a free port, its log in `directory`; Ctrl-C'd
    (SIGINT to its process group) at the end if it still runs. With `ignore_sigint` it
    starts with SIGINT ignored, as in the background from a script or under nohup."""
    port = free_port()
    log_path = directory / "first-demo.log"

    def ignoring_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    with log_path.open("wb") as log:
        demo = subprocess.Popen(
            demo_command(instance, port),
            cwd=BASE_DIR, env=demo_environment(directory), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=ignoring_sigint if ignore_sigint else None,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + DEMO_START_TIMEOUT
        while not accepts(port):
            assert demo.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        yield demo, port
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in the demo's terminal
            try:
                demo.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()


@pytest.fixture
def first_demo(spare_lab: Lab, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A demo on the spare lab instance, serving on a free port; Ctrl-C'd at the end."""
    with running_demo(spare_lab.instance, tmp_path) as (demo, port):
        yield demo, port


def children(pid: int) -> list[ProcessRecord]:
    """The processes `pid` started (the demo's worker and server)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    records = (ProcessRecord.of(int(child)) for child in text.split())
    return [record for record in records if record is not None]


def r1_hostname_over_ssh(lab: Lab) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", "-F", str(lab.ssh.client_config), "-o", "BatchMode=yes", "r1", "hostname"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def log_in(port: int, password: str) -> str:
    """Log in as admin through the login form; returns the path the browser ends on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    base = f"http://127.0.0.1:{port}"
    form = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None, form
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "admin", "password": password}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": base})
    with opener.open(request, timeout=30) as response:
        return urllib.parse.urlsplit(response.geturl()).path


def test_a_second_demo_refuses_and_the_first_keeps_its_lab_and_password(
    first_demo: tuple[subprocess.Popen[bytes], int], spare_lab: Lab, tmp_path: Path
) -> None:
    demo, port = first_demo
    output = (tmp_path / "first-demo.log").read_text()
    password = re.search(r"Log in as admin with password (\S+) ", output)
    assert password is not None, output
    supervisor = spare_lab.state.owner()
    assert supervisor is not None and supervisor.kind == "supervisor"

    second = subprocess.run(
        demo_command(spare_lab.instance, port),
        capture_output=True, text=True, timeout=120, cwd=BASE_DIR,
        env=demo_environment(tmp_path), check=False,
    )  # fmt: skip

    assert second.returncode == 1
    (sentence,) = second.stderr.splitlines()
    assert sentence.startswith(
        f"Not starting: lab instance {spare_lab.instance} is in use by PID {demo.pid}, "
        f"the demo serving http://127.0.0.1:{port}/; "
    )
    # The same database too: started elsewhere, it needs a database of its own.
    assert " with a database of its own, e.g. PEERKEEPER_DATABASE_URL=sqlite:///" in sentence
    # Another checkout, or another PEERKEEPER_LAB_DIR and PEERKEEPER_DATA_DIR: the lab's
    # namespaces are the machine's, so it is refused all the same.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other_port = free_port()
    third = subprocess.run(
        demo_command(spare_lab.instance, other_port),
        capture_output=True, text=True, timeout=120, cwd=BASE_DIR,
        env={**demo_environment(elsewhere), "PEERKEEPER_LAB_DIR": str(elsewhere / "labs")},
        check=False,
    )  # fmt: skip

    assert (third.returncode, third.stdout) == (1, "")
    (sentence,) = third.stderr.splitlines()
    assert sentence.startswith(
        f"Not starting: lab instance {spare_lab.instance} is in use by PID {demo.pid}, "
        f"the demo serving http://127.0.0.1:{port}/; "
    )
    assert "database" not in sentence  # its own database: another instance and port will do
    assert not (elsewhere / "demo.sqlite3").exists()
    assert not (elsewhere / "labs").exists()
    assert demo.poll() is None
    assert spare_lab.state.owner() == supervisor
    spare_lab.wait_established("r1", timeout=30, prefixes=True)
    assert r1_hostname_over_ssh(spare_lab).stdout == "r1\n"  # the first demo's host key
    assert log_in(port, password.group(1)) == "/"

    os.killpg(demo.pid, signal.SIGINT)

    assert demo.wait(60) == 0
    assert list_namespaces(spare_lab.topology.prefix) == []  # it started its lab: it stops it


def run_refused_demo(instance: int, port: int, directory: Path) -> subprocess.CompletedProcess[str]:
    """Run a demo that must refuse. One that starts serving instead is stopped at once
    (Ctrl-C, which takes down the lab it started) and fails the test."""
    demo = subprocess.Popen(
        demo_command(instance, port),
        cwd=BASE_DIR, env=demo_environment(directory), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + DEMO_START_TIMEOUT
    while True:
        try:
            stdout, stderr = demo.communicate(timeout=1)
            return subprocess.CompletedProcess(demo.args, demo.returncode, stdout, stderr)
        except subprocess.TimeoutExpired:
            if not accepts(port) and time.monotonic() < deadline:
                continue
        os.killpg(demo.pid, signal.SIGINT)
        try:
            stdout, stderr = demo.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            stdout, stderr = demo.communicate()
        pytest.fail(f"the demo on lab instance {instance} started:\n{stdout}{stderr}")


def r1_hostname(database: Path) -> str:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        (hostname,) = connection.execute(
            "SELECT hostname FROM devices_router WHERE name = 'r1'"
        ).fetchone()
    return hostname


def test_a_second_demo_on_the_same_database_refuses_and_the_first_keeps_its_r1(
    first_demo: tuple[subprocess.Popen[bytes], int], spare_lab: Lab, tmp_path: Path
) -> None:
    demo, port = first_demo
    database = tmp_path / "demo.sqlite3"
    lab_address = f"198.18.{spare_lab.instance}.11"
    assert r1_hostname(database) == lab_address
    supervisor = spare_lab.state.owner()
    other = another_demo_instance(spare_lab.instance)
    other_owner = Lab(other).state.owner()

    # The same checkout and database, another lab instance and port.
    second = run_refused_demo(other, free_port(), tmp_path)

    assert (second.returncode, second.stdout) == (1, ""), second.stderr
    (sentence,) = second.stderr.splitlines()
    assert sentence.startswith(
        f"Not starting: the database {os.path.realpath(database)} is in use by PID "
        f"{demo.pid}, the demo serving http://127.0.0.1:{port}/ on lab instance "
        f"{spare_lab.instance}; "
    )
    assert DemoLock(other).holder() is None  # refused, it holds nothing
    assert Lab(other).state.owner() == other_owner  # nor started (or stopped) that lab
    assert demo.poll() is None
    assert spare_lab.state.owner() == supervisor
    assert r1_hostname(database) == lab_address
    ping = subprocess.run(
        [sys.executable, "manage.py", "ping_routers", "--limit", "r1"],
        capture_output=True, text=True, timeout=120, cwd=BASE_DIR,
        env=demo_environment(tmp_path), check=False,
    )  # fmt: skip
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert ping.stdout.startswith("r1: reachable ("), ping.stdout


def test_a_lab_another_state_directory_runs_is_refused(spare_lab: Lab, tmp_path: Path) -> None:
    instance = spare_lab.instance
    other_env = {**os.environ, "PEERKEEPER_LAB_DIR": str(tmp_path / "labs")}
    lab_cli = [sys.executable, "-m", "lab"]
    up = subprocess.run(
        [*lab_cli, "up", "--instance", str(instance)],
        capture_output=True, text=True, timeout=120, cwd=BASE_DIR, env=other_env, check=False,
    )  # fmt: skip
    assert up.returncode == 0, up.stderr
    try:
        other = Lab(instance, state_dir=tmp_path / "labs" / str(instance))
        supervisor = other.state.owner()
        assert supervisor is not None

        result = subprocess.run(
            demo_command(instance, free_port()),
            capture_output=True, text=True, timeout=120, cwd=BASE_DIR,
            env=demo_environment(tmp_path), check=False,
        )  # fmt: skip

        assert (result.returncode, result.stdout) == (1, "")
        (sentence,) = result.stderr.splitlines()
        assert sentence.startswith(
            f"Not starting: lab instance {instance} is in use by PID {supervisor.pid} "
            f"(`python -m lab up`, state directory {other.state_dir}), not this checkout's "
            "lab; "
        )
        assert not (tmp_path / "demo.sqlite3").exists()
        assert other.state.owner() == supervisor
        other.wait_established("r1", timeout=30, prefixes=True)
    finally:
        subprocess.run(
            [*lab_cli, "down", "--instance", str(instance)],
            capture_output=True, timeout=120, cwd=BASE_DIR, env=other_env, check=False,
        )  # fmt: skip


def test_a_demo_started_with_sigint_ignored_stops_on_sigint_with_its_children_and_lab(
    spare_lab: Lab, tmp_path: Path
) -> None:
    with running_demo(spare_lab.instance, tmp_path, ignore_sigint=True) as (demo, port):
        worker_and_server = children(demo.pid)
        assert len(worker_and_server) == 2
        supervisor = spare_lab.state.owner()
        assert supervisor is not None

        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C

        try:
            code = demo.wait(60)
        except subprocess.TimeoutExpired:
            code = None
        log = (tmp_path / "first-demo.log").read_text()
        assert code == 0, log
        assert [child for child in worker_and_server if child.is_alive()] == []
        assert not accepts(port)
        assert not supervisor.record.is_alive()
        assert list_namespaces(spare_lab.topology.prefix) == []  # it started its lab: it stops it
