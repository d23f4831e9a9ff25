"""`make demo` (manage.py demo): a second demo refuses before changing anything, and the
first one keeps its lab and its password."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import Lab
from lab.netns import list_namespaces
from lab.pytest_plugin import spare_instance
from peering.demo_preflight import Address, DemoLock, DemoRefused, preflight
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
    assert result.stderr.splitlines() == [
        f"Not starting: 127.0.0.1:{port} is in use by PID {os.getpid()}; choose another "
        f"address, e.g. make demo DEMO_ADDRESS=127.0.0.1:{port + 1}."
    ]
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


@pytest.fixture
def first_demo(spare_lab: Lab, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A demo on the spare lab instance, serving on a free port; Ctrl-C'd at the end."""
    port = free_port()
    log_path = tmp_path / "first-demo.log"
    with log_path.open("wb") as log:
        demo = subprocess.Popen(
            demo_command(spare_lab.instance, port),
            cwd=BASE_DIR, env=demo_environment(tmp_path), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
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
    assert demo.poll() is None
    assert spare_lab.state.owner() == supervisor
    spare_lab.wait_established("r1", timeout=30, prefixes=True)
    assert log_in(port, password.group(1)) == "/"

    os.killpg(demo.pid, signal.SIGINT)

    assert demo.wait(60) == 0
    assert list_namespaces(spare_lab.topology.prefix) == []  # it started its lab: it stops it
