"""The job type of every operation (core.operations): run a service on the job's target
and turn its result into the job's outcome, the same way for every operation.

A subclass says which service to call (`call`) and, when it wants, what the log says
first (`starting`) and what the user reads (`output`). The result is a RouterResult, or
a BatchResult of them for a target with many parts (an IXP's connections):

- skipped: failed, "<name> was skipped: <why>." (what was asked was not done), with
  the result's line as output;
- failed in the category UNEXPECTED (a bug of ours): errored;
- failed otherwise: failed, with the result's sentence;
- done: completed, with `output` (the result's line and its details) and `as_dict()`.

A batch fails when any of its results failed (errored when any failure is unexpected);
its skipped results are listed, not failures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.choices import JobStatus
from core.job_types import JobDisplay, JobOutcome, JobType
from core.operations import BatchResult, Category, RouterResult

if TYPE_CHECKING:
    from core.job_log import JobLog
    from core.models import Job


class OperationJob(JobType):
    """A job type that runs one operation on its target (see the module's docstring)."""

    def starting(self, job: Job) -> str:
        """The job's first log line after "Started on ..."."""
        about = f" on {job.target_name}" if job.target_name else ""
        return f"{self.label}{about}."

    def call(self, job: Job, log: JobLog) -> RouterResult | BatchResult[Any]:
        """Run the service on `job.target` with the job's arguments."""
        raise NotImplementedError

    def output(self, job: Job, result: RouterResult) -> str:
        """What a user reads of a done result: its line, then its details."""
        return "\n".join([result.summary, *result.detail_lines(verbose=True)])

    def failure_output(self, job: Job, result: RouterResult) -> str:
        """What a user reads under a failed result's sentence: its details (a diff)."""
        return "\n".join(result.detail_lines(verbose=True))

    def batch_output(self, job: Job, batch: BatchResult[Any]) -> str:
        """What a user reads of a batch: each result's line and details, then the counts."""
        return "\n".join(batch.lines(verbose=True))

    def result_data(self, result: RouterResult | BatchResult[Any]) -> Any:
        """What is stored as the job's result (JSON); nothing secret may be in it."""
        return result.as_dict()

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        log.info(self.starting(job))
        return self.result_outcome(job, self.call(job, log), log)

    def result_outcome(
        self, job: Job, result: RouterResult | BatchResult[Any], log: JobLog
    ) -> JobOutcome:
        """What `call` returned as the job's outcome (`outcome` or `batch_outcome`); a
        done result's line goes to the log."""
        if isinstance(result, BatchResult):
            return self.batch_outcome(job, result)
        if result.ok and result.skipped is None:
            log.info(result.summary)
        return self.outcome(job, result)

    def outcome(self, job: Job, result: RouterResult) -> JobOutcome:
        """One result as the job's outcome (see the module's docstring)."""
        data = self.result_data(result)
        if result.error is not None:
            make = (
                JobOutcome.errored if result.category == Category.UNEXPECTED else JobOutcome.failed
            )
            return make(result.error, self.failure_output(job, result), data)
        if result.skipped is not None:
            why = result.skipped.strip().rstrip(".")
            sentence = f"{result.label} was skipped: {why}."
            return JobOutcome.failed(sentence, result.summary, data)
        return JobOutcome.completed(self.output(job, result), data)

    def finished_display(self, job: Job) -> JobDisplay:
        """A failed router's panel names the failure's category over its sentence
        ("Ping failed: authentication failed"); otherwise as JobType shows it."""
        data = job.result if isinstance(job.result, dict) else {}
        category = data.get("category")
        if job.status == JobStatus.FAILED and category:
            body = "\n".join(text for text in (job.error, job.output) if text)
            return JobDisplay(True, False, f"{self.label} failed: {category}", body)
        return super().finished_display(job)

    def batch_outcome(self, job: Job, batch: BatchResult[Any]) -> JobOutcome:
        """A batch as the job's outcome: failed (or errored) when any result failed."""
        data, output = self.result_data(batch), self.batch_output(job, batch)
        failures = batch.failed
        if not failures:
            return JobOutcome.completed(output, data)
        unexpected = any(result.category == Category.UNEXPECTED for result in failures)
        make = JobOutcome.errored if unexpected else JobOutcome.failed
        error = "\n".join(f"{result.label}: {result.error}" for result in failures)
        return make(error, output, data)
