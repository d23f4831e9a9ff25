"""pytest fixtures shared by the apps' tests (registered in the top-level conftest.py)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.models import Job
from devices.models import Router
from peerkeeper.config import BASE_DIR, rq_queues, tasks_settings


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.3) -> Any:
    """Poll `check` until it returns something true, failing the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s (last: {value!r})")
        time.sleep(interval)


@pytest.fixture
def demo_inventory(db, clean_lab) -> Router:
    """The demo inventory with r1 pointing at the test lab's r1 (reset after the test)."""
    call_command("load_demo", lab_instance=clean_lab.instance, stdout=io.StringIO())
    return Router.objects.select_related("platform", "config_template").get(name="r1")


def run_command(*args: str) -> tuple[int, str, str]:
    """Run a management command the way cron does; return (exit status, stdout, stderr)."""
    from django.core.management import CommandError

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- background jobs: real worker processes on the test database -----------------------

WORKER_STOP_TIMEOUT = 5.0
# Tests use their own Redis database, and a queue of their own in it.
TEST_REDIS_DB = 15


def database_environment() -> dict[str, str]:
    """The variables that point a worker process at this test run's database."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return {"PEERKEEPER_DATABASE_URL": f"sqlite:///{database['NAME']}"}
    if settings.CONFIG["DATABASE"]:
        test_database = {**settings.CONFIG["DATABASE"], "NAME": database["NAME"]}
        return {"PEERKEEPER_DATABASE": json.dumps(test_database)}
    user, password = (
        quote(database["USER"] or "", safe=""),
        quote(database["PASSWORD"] or "", safe=""),
    )
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{database['PORT']}" if database["PORT"] else ""
    url = f"postgresql://{credentials}{database['HOST'] or ''}{port}/{quote(database['NAME'])}"
    return {"PEERKEEPER_DATABASE_URL": url}


def manage_py(
    *args: str, timeout: float = 120, **setting_overrides: Any
) -> subprocess.CompletedProcess[str]:
    """Run `manage.py <args>` in a new process on this test run's database, the way cron
    runs it: what reaches the terminal is in `.stdout` and `.stderr`."""
    environment = {**os.environ, **database_environment()}
    if "PEERKEEPER_DATABASE" in environment and "PEERKEEPER_DATABASE_URL" in environment:
        del environment["PEERKEEPER_DATABASE"]
    for name, value in setting_overrides.items():
        environment[f"PEERKEEPER_{name}"] = str(value)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _descendants(pid: int) -> list[int]:
    """Processes started by `pid` (an RQ worker's work horses), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class WorkerProcess:
    """One `manage.py worker` process; its output goes to a file for failure messages."""

    def __init__(self, environment: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--skip-checks"],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a power cut would; reaped at once."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        horses = _descendants(self.pid)
        self.process.terminate()
        try:
            self.process.wait(WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


_running_workers: list[WorkerProcess] = []


class JobWorkers:
    """Starts worker processes for the test database with the test's job settings."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[WorkerProcess] = []

    def start(self, **setting_overrides: Any) -> WorkerProcess:
        environment = {
            **os.environ,
            **database_environment(),
            "PEERKEEPER_TASKS_BACKEND": settings.TASKS_BACKEND,
            "PEERKEEPER_JOB_QUEUE": settings.JOB_QUEUE,
            "PEERKEEPER_REDIS_URL": settings.REDIS_URL,
            "PEERKEEPER_JOB_TIME_LIMIT": str(settings.JOB_TIME_LIMIT),
        }
        for name, value in setting_overrides.items():
            environment[f"PEERKEEPER_{name}"] = str(value)
        if "PEERKEEPER_DATABASE" in environment and "PEERKEEPER_DATABASE_URL" in environment:
            del environment["PEERKEEPER_DATABASE"]
        log_path = self.directory / f"worker-{len(self.started) + 1}.log"
        worker = WorkerProcess(environment, log_path)
        self.started.append(worker)
        _running_workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()
            _running_workers.remove(worker)


@pytest.fixture
def job_workers(transactional_db, tmp_path: Path) -> Iterator[JobWorkers]:
    """Start worker processes with `.start()`; all are stopped (by PID) after the test."""
    workers = JobWorkers(tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def job_worker(job_workers: JobWorkers) -> WorkerProcess:
    """One worker process for the test database, with the configured task backend."""
    return job_workers.start()


def wait_for_job(job: Job, timeout: float = 60.0) -> Job:
    """Poll the job until it is completed, failed or errored; fail the test at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if time.monotonic() > deadline:
            outputs = "\n".join(
                f"--- worker {worker.pid}:\n{worker.output()[-3000:]}"
                for worker in _running_workers
            )
            pytest.fail(
                f"job {job.pk} ({job.kind}) still {job.status} after {timeout} s; "
                f"log: {job.log}\n{outputs}"
            )
        time.sleep(0.2)


def _test_redis_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{TEST_REDIS_DB}"))


def _delete_queue(redis: Any, queue: str) -> None:
    """Remove the test queue and its jobs; nothing else in Redis is touched."""
    from rq import Queue

    rq_queue = Queue(queue, connection=redis)
    registries = [
        rq_queue.started_job_registry,
        rq_queue.finished_job_registry,
        rq_queue.failed_job_registry,
        rq_queue.deferred_job_registry,
        rq_queue.scheduled_job_registry,
        rq_queue.canceled_job_registry,
    ]
    job_ids = set(rq_queue.get_job_ids())
    for registry in registries:
        job_ids.update(registry.get_job_ids())
    keys = [key for pattern in (f"*:{queue}", f"*:{queue}:*") for key in redis.scan_iter(pattern)]
    for job_id in job_ids:
        keys += list(redis.scan_iter(f"rq:*{job_id}*"))
    if keys:
        redis.delete(*keys)
    redis.srem("rq:queues", f"rq:queue:{queue}")


@pytest.fixture
def rq_backend(settings: Any) -> Iterator[str]:
    """Jobs go to RQ: a fresh queue in Redis database 15, deleted after the test. Skips when
    Redis is not reachable (fails instead with PEERKEEPER_REQUIRE_REDIS=1)."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = _test_redis_url(settings.REDIS_URL)
    redis = Redis.from_url(url, socket_connect_timeout=2)
    try:
        redis.ping()
    except RedisError as exc:
        if os.environ.get("PEERKEEPER_REQUIRE_REDIS") == "1":
            pytest.fail(f"PEERKEEPER_REQUIRE_REDIS=1 but Redis at {url} is unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    values = {
        "TASKS_BACKEND": "rq",
        "JOB_QUEUE": queue,
        "REDIS_URL": url,
        "JOB_TIME_LIMIT": settings.JOB_TIME_LIMIT,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    settings.TASKS = tasks_settings(values)
    settings.RQ_QUEUES = rq_queues(values)
    try:
        yield queue
    finally:
        _delete_queue(redis, queue)
        redis.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel does) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


# --- what a driver returns: NAPALM's getter shapes, and its mock driver -----------------


def summary_peer(**changes: Any) -> dict[str, Any]:
    """A peer as get_bgp_neighbors() gives it (NAPALM's BGPStateNeighborDict): AS64501,
    up for 7,200 s, 5 prefixes received, 4 accepted, 1 sent; `changes` replace keys."""
    return {
        "local_as": 64500,
        "remote_as": 64501,
        "remote_id": "192.0.2.11",
        "is_up": True,
        "is_enabled": True,
        "description": "",
        "uptime": 7200,
        "address_family": {
            "ipv4": {"received_prefixes": 5, "accepted_prefixes": 4, "sent_prefixes": 1}
        },
        **changes,
    }


def detail_peer(**changes: Any) -> dict[str, Any]:
    """A neighbour as get_bgp_neighbors_detail() lists it: 192.0.2.11, AS64501,
    Established, 5 / 4 / 1 prefixes; `changes` replace keys."""
    return {
        "up": True,
        "remote_as": 64501,
        "remote_address": "192.0.2.11",
        "connection_state": "Established",
        "received_prefix_count": 5,
        "accepted_prefix_count": 4,
        "advertised_prefix_count": 1,
        **changes,
    }


def summary(peers: Any, vrf: str = "global") -> dict[str, Any]:
    """get_bgp_neighbors() with `peers` ({address: peer}) in one VRF."""
    return {vrf: {"router_id": "192.0.2.1", "peers": peers}}


def mock_answers(directory: Path, answers: dict[str, Any], calls: int = 3) -> str:
    """Make NAPALM's `mock` driver answer each method in `answers` with its value (raise
    the exception a {"exception": ..., "args": [...]} value names) on its first `calls`
    calls of a connection. Returns `directory`: the mock driver's `path` argument."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, answer in answers.items():
        for count in range(1, calls + 1):
            (directory / f"{name}.{count}").write_text(json.dumps(answer))
    return str(directory)


def mock_router(
    directory: Path,
    answers: dict[str, Any],
    name: str = "m1",
    template: str | None = "router bgp 64500\n",
    **fields: Any,
) -> Router:
    """Router `name` on NAPALM's `mock` driver, answering `answers` (see mock_answers) from
    `directory`, in AS64500 ("Us", affiliated) with a template named "main" holding
    `template` (none if None). `fields` are more of the Router's fields."""
    from configs.models import ConfigTemplate
    from devices.models import Platform
    from peering.models import AutonomousSystem

    ours, _ = AutonomousSystem.objects.get_or_create(
        asn=64500, defaults={"name": "Us", "affiliated": True}
    )
    platform, _ = Platform.objects.get_or_create(
        slug="mock", defaults={"name": "Mock", "napalm_driver": "mock"}
    )
    if template is not None:
        fields["config_template"], _ = ConfigTemplate.objects.get_or_create(
            name="main", defaults={"template": template}
        )
    return Router.objects.create(
        name=name,
        hostname="127.0.0.1",
        platform=platform,
        local_autonomous_system=ours,
        napalm_args={"path": mock_answers(directory, answers)},
        **fields,
    )
