"""A repeating job run by real worker processes, under both task backends: each run is
queued for later by the one before it, and cancelling the pending run ends the repetition.

The workers register the job types of test_jobs_types.py before they start.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django_tasks import default_task_backend

from core.choices import JobStatus
from core.job_types import register, unregister
from core.jobs import cancel_job, enqueue
from core.models import Job
from core.tests.test_jobs_types import TEST_TYPES, CountJob
from peerkeeper.config import BASE_DIR
from peerkeeper.testing import WorkerProcess, wait_for, wait_for_job

EVERY = 3  # seconds between runs
# `manage.py worker`, in a process that knows the job types of these tests.
BOOT = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerkeeper.settings")
import django
django.setup()
from core.job_types import register
from core.tests.test_jobs_types import TEST_TYPES
for job_type in TEST_TYPES:
    register(job_type)
from django.core.management import call_command
call_command("worker", skip_checks=True)
"""


class TestTypesWorker(WorkerProcess):
    """A worker process (as peerkeeper.testing starts them) with the test job types."""

    __test__ = False

    def __init__(self, environment: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BOOT],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


@pytest.fixture(params=["database", "rq"])
def backend(request) -> str:
    if request.param == "rq":
        request.getfixturevalue("rq_backend")
    return request.param


@pytest.fixture
def workers(job_workers, monkeypatch):
    monkeypatch.setattr("peerkeeper.testing.WorkerProcess", TestTypesWorker)
    for job_type in TEST_TYPES:
        register(job_type)
    yield job_workers
    for job_type in TEST_TYPES:
        unregister(job_type.kind)


def _next_run(job: Job, timeout: float = 30) -> Job:
    return wait_for(
        lambda: Job.objects.filter(repeat_of=job).first(), timeout, f"the run after {job.pk}"
    )


def test_a_repeating_job_runs_again_after_its_interval_until_cancelled(backend, workers) -> None:
    group = Group.objects.create(name="staff")
    workers.start()
    first = wait_for_job(enqueue(CountJob, group, arguments={"times": 2}, repeat_every=EVERY))
    assert first.status == JobStatus.COMPLETED, first.error

    second = _next_run(first)
    assert second.run_after == first.started + timedelta(seconds=EVERY)
    assert second.task_id, "the next run reached the task queue"
    second = wait_for_job(second, timeout=30)
    assert second.status == JobStatus.COMPLETED, second.error
    assert second.started >= first.started + timedelta(seconds=EVERY)
    assert (second.target, second.arguments, second.repeat_every) == (group, {"times": 2}, EVERY)

    third = _next_run(second)
    assert cancel_job(third) == f"Job {third.pk} cancelled: it will not run."
    # The worker still takes the cancelled run's task when it is due, and does nothing.
    wait_for(
        lambda: default_task_backend.get_result(third.task_id).is_finished,
        30,
        "the cancelled run's task to be taken",
    )
    third.refresh_from_db()
    assert (third.status, third.started) == (JobStatus.FAILED, None)
    assert not Job.objects.filter(repeat_of=third).exists()
    assert Job.objects.count() == 3
