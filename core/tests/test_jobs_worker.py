"""Jobs run by real worker processes, under both task backends (no lab needed).

The routers here speak Arista eAPI (NAPALM's own eos driver over HTTP) to servers on
this machine's loopback: a closed port, a port that accepts and never answers, and a
small server whose answers the driver does not expect.
"""

import json
import os
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.job_maintenance import process_alive
from core.job_runner import run
from core.jobs import enqueue, run_job
from core.models import Job
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import run_command, wait_for, wait_for_job


@pytest.fixture(params=["database", "rq"])
def backend(request) -> str:
    if request.param == "rq":
        request.getfixturevalue("rq_backend")
    return request.param


class _EmptyAnswers(BaseHTTPRequestHandler):
    """eAPI that answers every command with an empty object: the driver expects fields."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        results = [{} for _ in request["params"]["cmds"]]
        body = json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def odd_eapi_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyAnswers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _router(name: str, port: int, timeout: int = 5) -> Router:
    platform, _ = Platform.objects.get_or_create(
        slug="eos", defaults={"name": "Arista EOS", "napalm_driver": "eos"}
    )
    return Router.objects.create(
        name=name,
        hostname="127.0.0.1",
        platform=platform,
        napalm_timeout=timeout,
        napalm_args={"transport": "http", "port": port},
    )


def _messages(job: Job) -> list[str]:
    return [entry["message"] for entry in job.log]


def test_a_job_against_an_unreachable_router_fails_with_a_clear_message(
    backend, job_workers, closed_port
) -> None:
    router = _router("edge1", closed_port)
    job_workers.start()
    ping = wait_for_job(enqueue("ping", target=router))
    poll = wait_for_job(enqueue("poll", target=router))
    for job in (ping, poll):
        assert job.status == JobStatus.FAILED, job.error
        assert job.error.startswith(f"Cannot reach edge1 (127.0.0.1:{closed_port})"), job.error
        assert "Traceback" not in job.error
        assert job.worker_pid and job.started <= job.finished
        messages = _messages(job)
        assert messages[0].startswith("Started on ")
        assert messages[-1] == f"Failed: {job.error}"
    assert ping.output == ""  # the error says it all
    assert (ping.result["category"], ping.result["status"]) == ("unreachable", "failed")


def test_a_driver_that_raises_fails_the_job_with_the_drivers_sentence(
    backend, job_workers, odd_eapi_port, closed_port
) -> None:
    # NAPALM's eos driver raises KeyError on this reply: the router's failure, not ours.
    odd = _router("odd", odd_eapi_port)
    job_workers.start()
    for kind in ("ping", "poll"):
        job = wait_for_job(enqueue(kind, target=odd))
        assert job.status == JobStatus.FAILED, job.error
        assert job.error == "The eos driver failed in open on odd: KeyError: 'version'."
        assert any("the eos driver raised KeyError in open on odd" in m for m in _messages(job))
    # The worker survived and takes the next job.
    after = wait_for_job(enqueue("ping", target=_router("edge1", closed_port)))
    assert after.status == JobStatus.FAILED


def test_a_job_whose_own_code_raises_is_errored_with_the_traceback(
    transactional_db, tmp_path, monkeypatch
) -> None:
    # A bug of ours, simulated: the poll's comparison raises. The router answers (NAPALM's
    # mock driver, with an empty neighbour table).
    def broken(*args, **kwargs):
        raise KeyError("stored_state")

    monkeypatch.setattr("peering.polling._compare", broken)
    (tmp_path / "get_bgp_neighbors.1").write_text(json.dumps({"global": {"peers": {}}}))
    platform = Platform.objects.create(
        name="Mock", slug="mock", napalm_driver="mock", poll_with_detail=False
    )
    router = Router.objects.create(
        name="odd", hostname="127.0.0.1", platform=platform, napalm_args={"path": str(tmp_path)}
    )
    job = enqueue("poll", target=router)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.ERRORED
    assert job.error.startswith("unexpected KeyError")
    assert "Traceback (most recent call last)" in job.error


def test_killing_a_worker_mid_job_leaves_no_job_running_after_the_sweep(
    backend, job_workers, silent_port
) -> None:
    router = _router("silent", silent_port, timeout=120)
    worker = job_workers.start()
    job = enqueue("ping", target=router)

    def running_and_connecting() -> bool:
        job.refresh_from_db()
        # The log reaches the database while the job still waits on the router.
        return job.status == JobStatus.RUNNING and any(
            m.startswith("Opening a NAPALM connection to silent") for m in _messages(job)
        )

    wait_for(running_and_connecting, 60, "the job to be running and connecting")
    if job.worker_pid == worker.pid:
        worker.kill()  # the database worker runs jobs itself
    else:
        os.kill(job.worker_pid, signal.SIGKILL)  # RQ runs each job in a child process
        wait_for(lambda: not process_alive(job.worker_pid), 10, "the job's process to die")
    status, out, _ = run_command("jobs", "--sweep")
    assert status == 0, out
    job.refresh_from_db()
    assert job.status == JobStatus.ERRORED
    assert f"process {job.worker_pid} on {job.worker_host}) stopped" in job.error
    assert not Job.objects.filter(status=JobStatus.RUNNING).exists()
    if backend == "database":  # the backend's own record of the task is ended too
        assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


def test_a_job_over_the_time_limit_fails_and_the_worker_goes_on(
    backend, job_workers, silent_port, closed_port
) -> None:
    job_workers.start(JOB_TIME_LIMIT=2)
    job = wait_for_job(enqueue("ping", target=_router("silent", silent_port, timeout=60)))
    assert job.status == JobStatus.FAILED
    assert job.error == "The job did not finish within 2 s (JOB_TIME_LIMIT) and was stopped."
    after = wait_for_job(enqueue("ping", target=_router("edge1", closed_port)))
    assert after.status == JobStatus.FAILED and after.error.startswith("Cannot reach")


def test_a_finished_job_handed_to_a_worker_again_is_not_run_again(
    backend, job_workers, closed_port
) -> None:
    job_workers.start()
    job = wait_for_job(enqueue("ping", target=_router("edge1", closed_port)))
    before = Job.objects.values().get(pk=job.pk)
    retry = run_job.using(queue_name=settings.JOB_QUEUE).enqueue(str(job.pk))
    result = wait_for(
        lambda: (r := default_task_backend.get_result(retry.id)).is_finished and r,
        60,
        "the retried task to finish",
    )
    assert result.return_value == JobStatus.FAILED
    assert Job.objects.values().get(pk=job.pk) == before


def test_render_job_keeps_the_config_without_session_passwords(job_worker) -> None:
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One")
    template = ConfigTemplate.objects.create(
        name="bgp",
        template=(
            "router bgp {{ local_as.asn }}\n"
            "{% for s in sessions %} neighbor {{ s.ip_address }} password {{ s.password }}\n"
            "{% endfor %}"
        ),
    )
    router = Router.objects.create(
        name="edge1", hostname="127.0.0.1", local_autonomous_system=ours, config_template=template
    )
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    connection = Connection.objects.create(
        internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24"
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=connection,
        autonomous_system=peer,
        ip_address="192.0.2.11",
        password="peer-one-secret",
    )
    job = wait_for_job(enqueue("render", target=router))
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.output == "router bgp 64500\n neighbor 192.0.2.11 password ********\n"
    assert "Session passwords are masked in the output." in _messages(job)
