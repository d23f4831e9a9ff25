"""is_alive() is read against NAPALM's contract ({"is_alive": True or False}): anything
else is the driver's failure in one sentence, never an unexpected error of ours, nor a
router reported dead."""

from __future__ import annotations

from typing import Any

import pytest
from napalm.base.mock import MockDriver

from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from devices.connectivity import ping
from devices.models import Platform, Router


@pytest.fixture
def mock_router(db) -> Router:
    mock = Platform.objects.create(name="Mock", slug="mock", napalm_driver="mock")
    return Router.objects.create(name="m1", hostname="127.0.0.1", platform=mock)


def _answer(monkeypatch, answer: Any) -> None:
    monkeypatch.setattr(MockDriver, "is_alive", lambda self: answer)


@pytest.mark.parametrize(
    ("answer", "shown"),
    [([], "[]"), ({"is_alive": "yes"}, "{'is_alive': 'yes'}"), ({}, "{}"), (None, "None")],
)
def test_an_odd_is_alive_is_the_drivers_failure(monkeypatch, mock_router, answer, shown) -> None:
    _answer(monkeypatch, answer)
    result = ping(mock_router)
    assert (result.ok, result.category) == (False, "driver error")
    assert result.error == (
        f"The mock driver returned {shown} from is_alive on m1 where NAPALM's contract has "
        '{"is_alive": True or False}.'
    )


def test_a_ping_job_on_an_odd_is_alive_ends_failed(monkeypatch, mock_router) -> None:
    _answer(monkeypatch, [])
    job = enqueue("ping", target=mock_router)
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED, job.error
    assert job.error.startswith("The mock driver returned [] from is_alive on m1")


@pytest.mark.parametrize(("alive", "ok"), [(True, True), (False, False)])
def test_is_alive_in_napalms_shape_is_read_as_it_says(monkeypatch, mock_router, alive, ok) -> None:
    _answer(monkeypatch, {"is_alive": alive})
    result = ping(mock_router)
    assert result.ok is ok
    assert result.category == (None if ok else "not alive")
