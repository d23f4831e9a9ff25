"""One deployment of a router at a time on this machine (configs.deploy_lock): while the
router's lock is held, a deployment of it fails at once as `busy` without connecting, the
other routers of its batch go on, and the lock is free again however a deployment ends.

The busy router is on the FRR driver, pointed at a loopback listener that records every
connection reaching it; the other routers answer through NAPALM's `mock` driver.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from configs.deploy import DeployOptions, configure_router, configure_routers
from configs.deploy_lock import LockKey, RouterBusy, held, lock_key
from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.models import Job
from core.operations import Category
from devices.models import Platform, Router
from peering.models import AutonomousSystem
from peerkeeper.testing import mock_router, run_command

ANSWERS = {
    "load_merge_candidate": {},
    "compare_config": {"diff": "+router bgp 64500\n"},
    "commit_config": {},
    "discard_config": {},
}
HOST = socket.gethostname()


@pytest.fixture(autouse=True)
def lock_dir(settings, tmp_path: Path) -> Path:
    """Each test's locks in a directory of its own."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR / "locks"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """A loopback port and the list of connections that reached it (each closed at once)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    arrived: list[tuple[str, int]] = []

    def serve() -> None:
        while True:
            try:
                client, address = server.accept()
            except OSError:  # closed at teardown
                return
            arrived.append(address)
            client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], arrived
    server.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting
    server.close()
    thread.join(5)


def _frr_router(port: int, name: str = "f1") -> Router:
    """A router on the FRR driver whose connection goes to `port` on loopback."""
    ours, _ = AutonomousSystem.objects.get_or_create(
        asn=64500, defaults={"name": "Us", "affiliated": True}
    )
    platform = Platform.objects.create(name="FRR", slug="frr", napalm_driver="frr")
    template, _ = ConfigTemplate.objects.get_or_create(
        name="main", defaults={"template": "router bgp 64500\n"}
    )
    return Router.objects.create(
        name=name,
        hostname="127.0.0.1",
        platform=platform,
        local_autonomous_system=ours,
        config_template=template,
        napalm_args={"port": port},
        napalm_timeout=2,
    )


def _busy(name: str, holder: str) -> str:
    return (
        f"{name}: failed (busy): another deployment of {name} is in progress "
        f"({holder}); nothing was done."
    )


def test_a_router_being_deployed_is_busy_and_the_batch_goes_on(db, tmp_path, listener) -> None:
    port, arrived = listener
    busy = _frr_router(port)
    mock_router(tmp_path / "m2", ANSWERS, "m2")

    with held(lock_key(busy)):
        status, out, err = run_command("configure_routers", "--limit", "f1,m2")

    assert status == 1, out + err
    assert out.splitlines() == [
        _busy("f1", f"process {os.getpid()} on host {HOST}"),
        "m2: changed: committed",
        "2 routers: 1 changed, 0 unchanged, 0 skipped, 1 failed",
    ]
    assert arrived == []  # nothing reached the router
    job = Job.objects.get(target_name="f1")
    assert (job.status, job.result["category"]) == (JobStatus.FAILED, "busy")
    assert job.error == _busy("f1", f"process {os.getpid()} on host {HOST}").split(": ", 2)[2]
    assert Job.objects.get(target_name="m2").status == JobStatus.COMPLETED

    # Released: the same deployment reaches the router (and fails there: no SSH server).
    status, out, _ = run_command("configure_routers", "--limit", "f1")
    assert "busy" not in out and len(arrived) == 1


def test_a_dry_run_is_busy_too(db, tmp_path) -> None:
    router = mock_router(tmp_path / "m1", ANSWERS)
    with held(lock_key(router)):
        result = configure_router(router, DeployOptions(dry_run=True))
    assert (result.status, result.category) == ("failed", Category.BUSY)
    assert result.error.startswith("another deployment of m1 is in progress")


def test_the_sentence_names_another_process_and_its_death_frees_the_lock(db, tmp_path) -> None:
    router = mock_router(tmp_path / "m1", ANSWERS)
    path = str(lock_key(router).path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    holder = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, b'%d cron-host\\n' % os.getpid())\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "locked\n"
        result = configure_router(router, DeployOptions())
        assert result.summary == _busy("m1", f"process {process.pid} on host cron-host")
    finally:
        process.kill()  # dies holding the lock
        process.wait(10)
        process.stdin.close()
        process.stdout.close()
    assert configure_router(router, DeployOptions()).status == "changed"


def test_a_deploy_that_fails_or_raises_frees_the_lock(db, tmp_path, monkeypatch) -> None:
    router = mock_router(tmp_path / "m1", ANSWERS, template="{% if %}\n")
    failed = configure_router(router, DeployOptions())
    assert (failed.status, failed.category) == ("failed", Category.INPUT)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    ConfigTemplate.objects.update(template="router bgp 64500\n")
    router.refresh_from_db()
    monkeypatch.setattr("configs.deploy._push", broken)
    assert configure_router(router, DeployOptions()).category == Category.UNEXPECTED
    monkeypatch.undo()

    with held(lock_key(router)):  # free: not busy
        pass
    assert configure_routers([router], DeployOptions())[0].status == "changed"


def test_an_interrupt_releases_the_lock(tmp_path) -> None:
    key = LockKey("peerkeeper", 1, "r1")
    with pytest.raises(KeyboardInterrupt), held(key):
        raise KeyboardInterrupt
    with held(key), pytest.raises(RouterBusy) as busy, held(key):
        pass
    assert str(busy.value) == (
        f"another deployment of r1 is in progress (process {os.getpid()} on host {HOST}); "
        "nothing was done."
    )


def test_each_database_and_router_has_its_own_lock(lock_dir: Path) -> None:
    keys = [
        LockKey("peerkeeper", 1, "r1"),
        LockKey("/srv/other/peerkeeper", 1, "r1"),  # another database, same name
        LockKey("peerkeeper", 2, "r2"),
    ]
    assert len({key.path for key in keys}) == 3
    assert {key.path.parent for key in keys} == {lock_dir}
    with held(keys[0]), held(keys[1]), held(keys[2]):
        pass
