"""A router's unexpected failure is that router's line on the terminal, once: what the
services log about it (at ERROR or WARNING, with the traceback) goes to the log file and
the job's log, and the console handler of settings.LOGGING leaves it out.

Our own bugs are made here by replacing a step of each operation with one that raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from configs.deploy import DeployOptions, configure_routers
from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from devices.connectivity import ping_routers
from devices.models import Platform, Router
from peering.discovery import discover_ixp_sessions
from peering.models import Connection, InternetExchange
from peering.polling import poll_routers
from peerkeeper.testing import mock_router, summary, summary_peer

LOGGERS = ("core", "devices", "peering", "configs")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    handler = _Collect()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler.records
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)


def _handlers(name: str) -> tuple[logging.Handler, logging.Handler]:
    """The console and file handlers settings.LOGGING gives Peerkeeper's loggers."""
    handlers = logging.getLogger(name).handlers
    [console] = [h for h in handlers if type(h) is logging.StreamHandler]
    [file] = [h for h in handlers if isinstance(h, RotatingFileHandler)]
    return console, file


def assert_router_details(records: list[logging.LogRecord], about: str) -> None:
    """Every warning and error logged is kept off the terminal and written to the file,
    and one is about `about`, with its traceback."""
    details = [r for r in records if r.levelno >= logging.WARNING]
    assert any(about in r.getMessage() for r in details), [r.getMessage() for r in details]
    assert any(r.exc_info or "Traceback" in r.getMessage() for r in details)
    for record in details:
        console, file = _handlers(record.name.split(".")[0])
        assert not console.filter(record), f"on the terminal: {record.getMessage()}"
        assert file.filter(record) and record.levelno >= file.level


def _our_bug(*args, **kwargs):
    raise RuntimeError("our bug")


@pytest.fixture
def m1(db, tmp_path: Path) -> Router:
    answers = {
        "get_bgp_neighbors": summary({"192.0.2.11": summary_peer()}),
        "load_merge_candidate": {},
        "compare_config": {"diff": "+router bgp 64500"},
        "discard_config": {},
    }
    router = mock_router(tmp_path / "m1", answers)
    Platform.objects.filter(pk=router.platform_id).update(poll_with_detail=False)
    router.refresh_from_db()
    ours = router.local_autonomous_system
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    Connection.objects.create(internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24")
    return router


@pytest.mark.parametrize("step", ["configs.deploy._push", "configs.deploy.render_input"])
def test_deploy(monkeypatch, records, m1, step) -> None:
    monkeypatch.setattr(step, _our_bug)
    [result] = configure_routers([m1], DeployOptions(dry_run=True))
    assert result.error.startswith("unexpected RuntimeError")
    assert_router_details(records, "configure m1: unexpected error")


def test_deploy_job_keeps_the_error_in_its_log(monkeypatch, records, m1) -> None:
    monkeypatch.setattr("configs.deploy._push", _our_bug)
    job = enqueue("deploy_dry_run", target=m1)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.ERRORED
    assert any(
        e["level"] == "error" and e["message"].startswith("configure m1: unexpected error")
        for e in job.log
    )
    assert_router_details(records, "configure m1: unexpected error")


def test_poll(monkeypatch, records, m1) -> None:
    monkeypatch.setattr("peering.polling._compare", _our_bug)
    [result] = poll_routers([m1])
    assert result.error == "unexpected RuntimeError while polling: our bug"
    assert_router_details(records, "poll m1: unexpected error")


@pytest.mark.parametrize(
    ("step", "about"),
    [
        ("peering.discovery.read_neighbors", "discovery m1: unexpected error"),
        ("peering.discovery.driver_settings", "discovery m1: unexpected error"),
        ("peering.discovery._classify", "discovery on IX on m1 failed"),
    ],
)
def test_discovery(monkeypatch, records, m1, step, about) -> None:
    monkeypatch.setattr(step, _our_bug)
    [report] = discover_ixp_sessions(InternetExchange.objects.get())
    assert report.error.startswith("unexpected RuntimeError while ")
    assert_router_details(records, about)


@pytest.mark.parametrize(
    "step", ["devices.connectivity.reported_alive", "devices.connectivity.driver_settings"]
)
def test_ping(monkeypatch, records, m1, step) -> None:
    monkeypatch.setattr(step, _our_bug)
    [result] = ping_routers([m1])
    assert result.error.startswith("unexpected RuntimeError while ")
    assert_router_details(records, "ping m1: unexpected error")


def test_a_warning_not_about_a_routers_failure_still_reaches_the_terminal() -> None:
    record = logging.getLogger("peering.polling").makeRecord(
        "peering.polling", logging.WARNING, __file__, 1, "a warning", (), None
    )
    console, _ = _handlers("peering")
    assert console.filter(record)
