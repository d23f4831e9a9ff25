"""The job framework with job types of its own (no router, no service): the registry,
arguments, targets (none, the wrong model, deleted), the runner, displays, repeating and
cancelling, and `--tasks`' batch of queued jobs.

The types here are registered by the `job_types` fixture (and by the worker processes of
test_jobs_repeat_worker.py), about auth Groups: any model would do.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core.choices import JobStatus
from core.job_commands import enqueue_for_each
from core.job_log import JobLog
from core.job_runner import run
from core.job_types import (
    Argument,
    JobDisplay,
    JobOutcome,
    JobType,
    captured_loggers,
    get_job_type,
    job_display,
    kind_choices,
    register,
    unregister,
)
from core.jobs import cancel_job, enqueue
from core.models import Job
from peerkeeper.testing import run_command

logger = logging.getLogger(__name__)


class CountJob(JobType):
    """About a group: counts to `times`; fails on "no", raises on "bug"."""

    kind = "test_count"
    label = "Count"
    target_model = Group
    arguments = (
        Argument("times", int, required=True, minimum=1, unit="times"),
        Argument("loud", bool, default=False),
        Argument("say", str),
    )

    def skip_reason(self, target: Group) -> str | None:
        return "it is empty" if target.name.startswith("empty") else None

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        values = self.argument_values(job)
        logger.info("counting %s", job.target.name)  # a record of a service: in the log
        if values["say"] == "bug":
            raise KeyError("counter")
        if values["say"] == "no":
            return JobOutcome.failed(f"{job.target.name} said no.", output="partial")
        lines = [f"{job.target.name}: counted to {values['times']}"]
        lines += [str(n) for n in range(1, values["times"] + 1)] if values["loud"] else []
        return JobOutcome.completed("\n".join(lines), {"times": values["times"]})


class SyncJob(JobType):
    """About nothing in particular."""

    kind = "test_sync"
    label = "Sync everything"

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        log.info("Syncing.")
        return JobOutcome.completed("synced 3 things")

    def finished_display(self, job: Job) -> JobDisplay:
        return JobDisplay(True, job.status == JobStatus.COMPLETED, "Synced", "the report")


TEST_TYPES = (CountJob, SyncJob)


@pytest.fixture
def job_types() -> Any:
    for job_type in TEST_TYPES:
        register(job_type)
    yield
    for job_type in TEST_TYPES:
        unregister(job_type.kind)


@pytest.fixture
def group(db) -> Group:
    return Group.objects.create(name="staff")


def _run(job: Job) -> Job:
    run(str(job.pk))
    return Job.objects.get(pk=job.pk)


# --- the registry -------------------------------------------------------------------


def test_a_type_is_found_by_kind_class_or_instance(job_types) -> None:
    count = get_job_type("test_count")
    assert get_job_type(CountJob) is count and get_job_type(count) is count
    assert ("test_count", "Count") in kind_choices()
    assert "core" in captured_loggers()
    with pytest.raises(ValueError, match="No job type is registered for the kind 'nope'"):
        get_job_type("nope")


def test_a_kind_belongs_to_one_type(job_types) -> None:
    class Impostor(JobType):
        kind, label = "test_count", "Impostor"

    with pytest.raises(ImproperlyConfigured, match="is both"):
        register(Impostor)

    class Nameless(JobType):
        kind = "x" * 33
        label = "Too long"

    with pytest.raises(ImproperlyConfigured, match="32 characters"):
        register(Nameless)
    register(CountJob)  # a module imported again registers the same class again: fine


def test_a_kind_no_type_registers_any_more_still_shows(group) -> None:
    job = Job.objects.create(kind="gone", target_name="staff", status=JobStatus.PENDING)
    assert (job.kind_label, job.get_kind_display(), str(job)) == (
        "gone",
        "gone",
        "gone on staff (pending)",
    )
    job = _run(job)
    assert job.status == JobStatus.ERRORED
    assert job.error.startswith("No job type is registered for the kind 'gone'.")


# --- arguments and targets ------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "A Count job needs times."),
        ({"times": 2, "speed": 3}, "A Count job does not take speed."),
        ({"times": True}, "times must be a whole number."),
        ({"times": "2"}, "times must be a whole number."),
        ({"times": 2, "loud": 1}, "loud must be true or false."),
        ({"times": 2, "say": 3}, "say must be text."),
        ({"times": 0}, "times must be at least 1 times."),
    ],
)
def test_arguments_are_checked_before_anything_is_queued(
    job_types, group, arguments, message
) -> None:
    with pytest.raises(ValueError) as raised:
        enqueue(CountJob, target=group, arguments=arguments)
    assert str(raised.value) == message
    assert not Job.objects.exists()


def test_arguments_are_stored_as_given_and_read_with_their_defaults(job_types, group) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 2, "say": None})
    assert job.arguments == {"times": 2}
    assert CountJob().argument_values(job) == {"times": 2, "loud": False, "say": None}


def test_targets_are_checked_against_the_types_model(job_types, group, db) -> None:
    with pytest.raises(ValueError, match=r"^A Count job needs a group\.$"):
        enqueue(CountJob, arguments={"times": 1})
    user = User.objects.create(username="u")
    with pytest.raises(ValueError, match=r"^A Count job runs on a group, not on a user\.$"):
        enqueue(CountJob, target=user, arguments={"times": 1})
    with pytest.raises(ValueError, match="needs a group that is saved"):
        enqueue(CountJob, target=Group(name="new"), arguments={"times": 1})
    with pytest.raises(ValueError, match="about nothing in particular: no target"):
        enqueue(SyncJob, target=group)
    assert not Job.objects.exists()


def test_a_job_without_a_target_runs(job_types, db) -> None:
    job = enqueue("test_sync")
    assert (job.target, job.target_type, job.target_name, str(job)) == (
        None,
        None,
        "",
        "Sync everything (pending)",
    )
    job = _run(job)
    assert (job.status, job.output) == (JobStatus.COMPLETED, "synced 3 things")
    assert "Syncing." in [entry["message"] for entry in job.log]


def test_a_job_whose_target_was_deleted_fails_saying_so(job_types, group) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 1})
    group.delete()
    job = _run(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "The job's group was deleted before the job ran."
    assert (job.target_name, job.target_noun) == ("staff", "group")


# --- the runner -----------------------------------------------------------------------


def test_a_completed_job_keeps_its_output_result_and_the_services_log(job_types, group) -> None:
    job = _run(enqueue(CountJob, target=group, arguments={"times": 2, "loud": True}))
    assert job.status == JobStatus.COMPLETED, job.error
    assert (job.output, job.result, job.error) == ("staff: counted to 2\n1\n2", {"times": 2}, "")
    messages = [entry["message"] for entry in job.log]
    assert messages[0].startswith("Started on ")
    assert "counting staff" in messages
    assert messages[-1].startswith("Completed in ")
    assert job.worker_pid and job.started <= job.finished


def test_a_failed_job_has_the_sentence_and_a_raising_one_is_errored(job_types, group) -> None:
    failed = _run(enqueue(CountJob, target=group, arguments={"times": 1, "say": "no"}))
    assert (failed.status, failed.error, failed.output) == ("failed", "staff said no.", "partial")
    assert failed.log[-1] == {
        **failed.log[-1],
        "level": "warning",
        "message": "Failed: staff said no.",
    }
    errored = _run(enqueue(CountJob, target=group, arguments={"times": 1, "say": "bug"}))
    assert errored.status == JobStatus.ERRORED
    assert errored.error.startswith("Traceback (most recent call last)")
    assert errored.error.rstrip().endswith("KeyError: 'counter'")


# --- what the job's panel shows ---------------------------------------------------------


def test_the_default_display_of_each_state(job_types, group) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 2, "loud": True})
    assert job_display(job) == JobDisplay(False, None, "Waiting for a worker…")
    job.run_after = timezone.now() + timedelta(hours=1)
    assert job_display(job).summary.startswith("Scheduled for ")
    job = _run(job)
    assert job_display(job) == JobDisplay(True, True, "staff: counted to 2", "1\n2")
    job.status, job.error = JobStatus.FAILED, "staff said no.\nmore"
    assert job_display(job) == JobDisplay(True, False, "staff said no.", job.output)
    job.status, job.error = JobStatus.ERRORED, "Traceback ...\nKeyError: 'x'"
    assert job_display(job).summary == "Unexpected error: KeyError: 'x'"
    assert job_display(job).traceback == job.error


def test_a_type_shows_its_own_display(job_types, db) -> None:
    job = _run(enqueue(SyncJob))
    assert job_display(job) == JobDisplay(True, True, "Synced", "the report")


# --- repeating and cancelling -----------------------------------------------------------


@pytest.mark.parametrize("every", [0, -5, True, 2.5, "60", 366 * 24 * 3600 + 1])
def test_a_repeat_is_a_whole_number_of_seconds(job_types, group, every) -> None:
    with pytest.raises(ValueError, match="repeat_every must be a whole number of seconds"):
        enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=every)


@pytest.mark.parametrize("say", ["", "no", "bug"])
def test_a_repeating_job_queues_its_next_run_whatever_its_status(
    job_types, group, say, admin_user
) -> None:
    arguments = {"times": 1, "say": say} if say else {"times": 1}
    first = enqueue(CountJob, group, admin_user, arguments, repeat_every=3600)
    first = _run(first)
    [second] = first.next_runs.all()
    assert (second.kind, second.target, second.user, second.arguments) == (
        "test_count",
        group,
        admin_user,
        first.arguments,
    )
    assert (second.status, second.repeat_every, second.repeat_of) == ("pending", 3600, first)
    assert second.run_after == first.started + timedelta(seconds=3600)
    assert f"the next run is job {second.pk}" in first.log[-1]["message"]


def test_a_cancelled_run_does_not_run_and_ends_the_repetition(job_types, group) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=60)
    assert cancel_job(job, by="alice") == f"Job {job.pk} cancelled: it will not run."
    job = _run(job)
    assert (job.status, job.error) == (JobStatus.FAILED, "Cancelled by alice before it ran.")
    assert job.started is None and not Job.objects.filter(repeat_of=job).exists()
    with pytest.raises(ValueError, match="is failed: there is nothing to cancel"):
        cancel_job(job)


def test_a_running_job_told_to_stop_repeating_finishes_and_is_not_repeated(
    job_types, group
) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=60)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert "is running: it will not be repeated" in cancel_job(job)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)
    job = _run(job)
    assert job.status == JobStatus.COMPLETED and job.repeat_every is None
    assert not Job.objects.filter(repeat_of=job).exists()


def test_a_job_whose_target_is_gone_is_not_repeated(job_types, group) -> None:
    job = enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=60)
    group.delete()
    job = _run(job)
    assert job.status == JobStatus.FAILED
    assert "Not repeated: A Count job needs a group." in [entry["message"] for entry in job.log]
    assert Job.objects.count() == 1


def test_the_commands_show_list_and_cancel_repeating_jobs(job_types, group) -> None:
    first = _run(enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=60))
    enqueue(SyncJob)
    [second] = first.next_runs.all()
    status, out, _ = run_command("jobs", "--repeating", "--status", "pending")
    assert status == 0
    _header, line = out.splitlines()
    assert line.startswith(str(second.pk)) and "[every 60 s]" in line
    _, out, _ = run_command("jobs", "--repeating")  # the latest run of each, not the past
    assert [line.split()[0] for line in out.splitlines()[1:]] == [str(second.pk)]
    _, out, _ = run_command("job", str(first.pk))
    assert f"Repeats:   every 60 s; next run {second.pk} (pending)" in out
    assert "Target:    staff (group)" in out
    status, out, _ = run_command("jobs", "--cancel", str(second.pk)[:8])
    assert (status, out.strip()) == (0, f"Job {second.pk} cancelled: it will not run.")
    status, _, err = run_command("jobs", "--cancel", str(second.pk))
    assert status == 1 and "there is nothing to cancel" in err
    _, out, _ = run_command("jobs", "--kind", "test_sync")
    assert len(out.splitlines()) == 1 + 1 and "-  " in out  # a header; no target


def test_any_run_of_a_repeating_job_stops_the_series(job_types, group) -> None:
    """The id a user was given is the first run's: cancelling it cancels the next run."""
    first = _run(enqueue(CountJob, target=group, arguments={"times": 1}, repeat_every=60))
    [second] = first.next_runs.all()
    status, out, _ = run_command("jobs", "--cancel", str(first.pk))
    assert status == 0
    assert out.strip() == f"Job {second.pk} (the run after {first.pk}) cancelled: it will not run."
    second = _run(second)
    assert second.status == JobStatus.FAILED and not second.next_runs.exists()


# --- --tasks ------------------------------------------------------------------------------


def test_enqueue_for_each_queues_skips_and_counts(job_types, db) -> None:
    groups = [Group.objects.create(name=name) for name in ("a", "empty-b", "c")]
    batch = enqueue_for_each(CountJob, groups, {"times": 1})
    jobs = {job.target_name: job for job in Job.objects.all()}
    assert set(jobs) == {"a", "c"}
    assert batch.lines() == [
        f"a: queued job {jobs['a'].pk}",
        "empty-b: skipped: it is empty",
        f"c: queued job {jobs['c'].pk}",
        "3 groups: 2 jobs queued, 1 skipped",
    ]
    assert batch.exit_code == 0
    assert batch.as_dict()["counts"] == {"queued": 2, "skipped": 1, "not queued": 0}
    with pytest.raises(ValueError, match="needs times"):
        enqueue_for_each(CountJob, groups)


# --- the framework depends on no app ------------------------------------------------------

FRAMEWORK = [
    "models.py", "job_types.py", "operation_jobs.py", "jobs.py", "job_runner.py",
    "job_commands.py", "job_log.py", "job_maintenance.py", "filtersets.py", "tables.py",
    "views/jobs.py", "management/commands/job.py", "management/commands/jobs.py",
    "templates/core/job.html", "templates/core/partials/job.html",
]  # fmt: skip


@pytest.mark.parametrize("path", FRAMEWORK)
def test_the_job_framework_names_no_app(path: str) -> None:
    text = (Path(__file__).parents[1] / path).read_text()
    assert not re.findall(r"\b(?:devices|peering|configs)\b|Router\b|InternetExchange", text)
