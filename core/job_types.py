"""Job types: what each kind of background job is about, takes, does and shows.

A job type is a `JobType` subclass registered with `@register`. Each app declares its
own in its `jobs` module; core's AppConfig.ready imports every installed app's `jobs`
module (django.utils.module_loading.autodiscover_modules), so a type is registered in
every process (web, commands, workers) before any job is enqueued or run.

A type says:
- `kind`: the value stored in Job.kind (at most 32 characters, never changed once used);
- `label`: what people read ("Poll BGP sessions");
- `target_model`: the model a job is about (a router, an Internet exchange), or None for
  a job about nothing in particular;
- `arguments`: the arguments it takes (`Argument`: name, type, required, default,
  minimum), checked before anything is queued;
- `run(job, log) -> JobOutcome`: the work, in a worker; `job.target` is loaded;
- `display(job) -> JobDisplay`: what the job's panel shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.utils import timezone

from core.choices import JobStatus

if TYPE_CHECKING:
    from core.job_log import JobLog
    from core.models import Job

_TYPE_WORDS = {bool: "true or false", int: "a whole number", str: "text"}


@dataclass
class JobOutcome:
    """What a job type's run reports: the job's final status, what the user reads
    (`output`), the machine-readable `result` (JSON) and, unless completed, `error`."""

    status: JobStatus
    output: str = ""
    result: Any = None
    error: str = ""

    @classmethod
    def completed(cls, output: str, result: Any = None) -> JobOutcome:
        return cls(JobStatus.COMPLETED, output, result)

    @classmethod
    def failed(cls, error: str, output: str = "", result: Any = None) -> JobOutcome:
        """The device or the input said no: a clear sentence, no traceback."""
        return cls(JobStatus.FAILED, output, result, error)

    @classmethod
    def errored(cls, error: str, output: str = "", result: Any = None) -> JobOutcome:
        """Our bug or an unexpected exception; the runner adds the traceback."""
        return cls(JobStatus.ERRORED, output, result, error)


@dataclass(frozen=True)
class JobDisplay:
    """What a job's panel shows: a one-line `summary` and a `body` (a report, a config,
    or a unified diff when `body_is_diff`). `ok` is None while the job is not finished.
    `actions_template` names a template the panel includes under the body: what may be
    done next with this job's result (it gets `job` and `display`)."""

    finished: bool
    ok: bool | None
    summary: str
    body: str = ""
    body_is_diff: bool = False
    traceback: str = ""
    actions_template: str = ""


@dataclass(frozen=True)
class Argument:
    """One argument of a job type: its `name`, its `type` (bool, int or str; a bool is
    not a whole number here), whether it is `required`, its `default` when not given,
    and for a whole number its `minimum` (`unit` names it in the message: "seconds")."""

    name: str
    type: type = str
    required: bool = False
    default: Any = None
    minimum: int | None = None
    unit: str = ""

    def check(self, value: Any) -> None:
        """ValueError (one sentence) unless `value` is of the type and above the minimum."""
        # bool is an int to Python, not to a user.
        if isinstance(value, bool) != (self.type is bool) or not isinstance(value, self.type):
            raise ValueError(f"{self.name} must be {_TYPE_WORDS.get(self.type, self.type)}.")
        if self.minimum is not None and value < self.minimum:
            unit = f" {self.unit}" if self.unit else ""
            raise ValueError(f"{self.name} must be at least {self.minimum}{unit}.")


def with_article(noun: str) -> str:
    """`a router`, `an Internet exchange`, `a user`."""
    lower = noun.lower()
    vowel = lower[:1] in ("a", "e", "i", "o") or (
        lower[:1] == "u" and not lower.startswith(("us", "uni", "uti"))
    )
    return f"{'an' if vowel else 'a'} {noun}"


def first_line(text: str) -> str:
    """The first line of `text` that is not blank, stripped ("" if none)."""
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


class JobType:
    """The base of every job type (see the module's docstring). Instances are stateless:
    the registry holds one of each type."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    target_model: ClassVar[type[Model] | None] = None
    arguments: ClassVar[tuple[Argument, ...]] = ()

    def __str__(self) -> str:
        return self.label or self.kind

    # --- before the job is queued --------------------------------------------------

    def check_arguments(self, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        """The arguments to store: those given, None values left out. ValueError (one
        sentence) for an unknown one, a missing required one or a wrong value."""
        given = {name: value for name, value in (arguments or {}).items() if value is not None}
        accepted = {argument.name: argument for argument in self.arguments}
        unknown = sorted(set(given) - set(accepted))
        if unknown:
            raise ValueError(f"A {self.label} job does not take {', '.join(unknown)}.")
        for name, argument in accepted.items():
            if name in given:
                argument.check(given[name])
            elif argument.required:
                raise ValueError(f"A {self.label} job needs {name}.")
        return given

    def check_target(self, target: Model | None) -> None:
        """ValueError (one sentence) unless `target` is what this type runs on: a saved
        instance of `target_model`, or None when it has none."""
        model = self.target_model
        if model is None:
            if target is not None:
                raise ValueError(f"A {self.label} job is about nothing in particular: no target.")
            return
        noun = str(model._meta.verbose_name)
        if target is None:
            raise ValueError(f"A {self.label} job needs {with_article(noun)}.")
        if not isinstance(target, model):
            meta = getattr(target, "_meta", None)
            given = str(meta.verbose_name) if meta is not None else type(target).__name__
            raise ValueError(
                f"A {self.label} job runs on {with_article(noun)}, not on {with_article(given)}."
            )
        if target.pk is None:
            raise ValueError(f"A {self.label} job needs {with_article(noun)} that is saved.")

    def skip_reason(self, target: Model) -> str | None:
        """Why a job on `target` would not be worth queueing (`--tasks` skips it with this
        reason: "polling is disabled for this router"), or None."""
        return None

    # --- in the worker ---------------------------------------------------------------

    def target_queryset(self) -> QuerySet[Any]:
        """Where the runner loads the target from (add select_related here)."""
        assert self.target_model is not None
        return self.target_model._default_manager.all()

    def argument_values(self, job: Job) -> dict[str, Any]:
        """The job's arguments with the defaults of those not given."""
        values = {argument.name: argument.default for argument in self.arguments}
        values.update(job.arguments or {})
        return values

    def run(self, job: Job, log: JobLog) -> JobOutcome:
        """Do the work and say how it went. Raising is an errored job (with traceback)."""
        raise NotImplementedError

    def starting(self, job: Job) -> str:
        """The job's first log line after "Started on ...", or "" for none."""
        return ""

    def prefetch(self, jobs: list[Job]) -> None:
        """Read at once, for many jobs recorded together (core.job_records), what
        `result_outcome` would read of each one's target; by default nothing."""

    def result_outcome(self, job: Job, result: Any, log: JobLog) -> JobOutcome:
        """The outcome `run` records for what its service returned (`result`), for a
        command that called the service itself and records the job afterwards
        (core.job_records). NotImplementedError for a type that cannot say."""
        raise NotImplementedError(f"A {self.label} job cannot record a service's result.")

    # --- for people --------------------------------------------------------------------

    def display(self, job: Job) -> JobDisplay:
        """The job's panel: waiting or running with the last log line; an unexpected
        error with its traceback; else what `finished_display` says."""
        if not job.is_finished:
            last = job.log[-1]["message"] if job.log else ""
            waiting = "Waiting for a worker" if job.status == JobStatus.PENDING else "Running"
            if job.status == JobStatus.PENDING and job.run_after is not None:
                when = timezone.localtime(job.run_after)
                return JobDisplay(False, None, f"Scheduled for {when:%Y-%m-%d %H:%M:%S %Z}.")
            return JobDisplay(False, None, f"{waiting}… {last}".strip())
        if job.status == JobStatus.ERRORED:
            lines = [line.strip() for line in job.error.splitlines() if line.strip()]
            last = lines[-1] if lines else "no details recorded"
            return JobDisplay(True, False, f"Unexpected error: {last}", traceback=job.error)
        return self.finished_display(job)

    def finished_display(self, job: Job) -> JobDisplay:
        """A completed or failed job: by default the output's first line over the rest of
        it, or the error's first line over the output."""
        if job.status != JobStatus.COMPLETED:
            return JobDisplay(True, False, first_line(job.error) or "Failed", job.output)
        summary = first_line(job.output)
        body = job.output.strip("\n").partition("\n")[2] if summary else ""
        return JobDisplay(True, True, summary or "Done", body)


# --- the registry -------------------------------------------------------------------

_registry: dict[str, JobType] = {}


def register(cls: type[JobType]) -> type[JobType]:
    """Class decorator: make `cls` the job type of its `kind`. ImproperlyConfigured when
    the kind is missing, too long for Job.kind, or another type's."""
    kind = cls.kind
    if not kind or len(kind) > 32 or not cls.label:
        raise ImproperlyConfigured(
            f"{cls.__qualname__} needs a kind (32 characters at most) and a label."
        )
    existing = _registry.get(kind)
    if existing is not None and _path(type(existing)) != _path(cls):  # not a reload of it
        raise ImproperlyConfigured(
            f"Job kind {kind!r} is both {_path(type(existing))} and {_path(cls)}."
        )
    _registry[kind] = cls()
    return cls


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def unregister(kind: str) -> None:
    """Forget the type of `kind` (tests that register types of their own)."""
    _registry.pop(kind, None)


def get_job_type(job_type: JobType | type[JobType] | str) -> JobType:
    """The registered type for a kind, a JobType subclass or an instance. ValueError
    when it is not registered."""
    kind = job_type if isinstance(job_type, str) else job_type.kind
    found = _registry.get(kind)
    if found is None:
        raise ValueError(f"No job type is registered for the kind {kind!r}.")
    return found


def job_types() -> list[JobType]:
    """Every registered type, by label."""
    return sorted(_registry.values(), key=lambda job_type: job_type.label)


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered type, for forms and filters."""
    return [(job_type.kind, job_type.label) for job_type in job_types()]


def kind_label(kind: str) -> str:
    """The label of a kind; the kind itself when no type has it any more."""
    found = _registry.get(kind)
    return found.label if found is not None else kind


def captured_loggers() -> list[str]:
    """The loggers whose records during a job go into its log: those of every app (top
    package) that registers a job type."""
    return sorted({type(job_type).__module__.split(".")[0] for job_type in _registry.values()})


def job_display(job: Job) -> JobDisplay:
    """What the job's panel shows (its type's display; the base one for an unknown kind)."""
    found = _registry.get(job.kind)
    return (found or JobType()).display(job)
