"""Operations on many routers: one per-router result, one batch result, one runner.

Every operation (ping, render, diff, deploy, poll, discovery) has the same three phases,
so that no database work happens on a device thread and no transaction is open during
device I/O:

1. plan (calling thread): read what each router needs from the database; a router that
   is skipped, or whose input is bad, has its result already;
2. run (a bounded thread pool; NAPALM is blocking): the device I/O, no queries;
3. write (calling thread, in batches as routers finish): store what was read.

An `Operation` subclass says what each phase does; `run_operation` runs it and turns any
failure of one router into that router's result, so the others go on.
"""

from __future__ import annotations

import logging
import queue
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings

from core.log_format import ROUTER_DETAIL, encodable, exception_text, shortened

# Routers written in one batch at most.
MAX_PER_WRITE = 50


class Category(StrEnum):
    """Why a router's operation failed, in words a network engineer files it under."""

    UNREACHABLE = "unreachable"
    AUTHENTICATION = "authentication failed"
    TIMEOUT = "timed out"
    DRIVER_MISSING = "driver not installed"
    NOT_SUPPORTED = "not supported"
    DRIVER = "driver error"  # the driver broke NAPALM's contract or crashed
    COMMAND = "command failed"  # the router answered a command with an error
    REJECTED = "configuration rejected"
    NOT_CONFIRMED = "not confirmed"  # a confirmed commit the router reverts
    DIFF_CHANGED = "diff changed"  # not the diff a user confirmed: nothing committed
    BUSY = "busy"  # another deployment of the router is in progress: nothing done
    NOT_ALIVE = "not alive"
    INPUT = "input error"  # the inventory or a template: fix the data, not the router
    DATABASE = "database error"
    ERROR = "error"  # a device error of no finer kind
    UNEXPECTED = "unexpected error"  # a bug of ours: a job ends errored, not failed


class OperationError(Exception):
    """A router's failure with its category; the message is one sentence for a person.

    Services raise subclasses (the NAPALM layer's DeviceError and its kinds); the runner
    turns one into the router's failed result."""

    category: ClassVar[Category] = Category.ERROR
    # Whether the target is skipped rather than failed (the inventory says not to use it).
    skips: ClassVar[bool] = False


class InputError(ValueError):
    """What a person asked for cannot be what they meant (an unknown router, options that
    contradict each other); nothing was done. Every door shows the sentence: a command
    as its one error line (core.commands.RouterCommand), a page or the API as a 400."""


def unexpected(exc: BaseException, doing: str) -> str:
    """One sentence for an exception nobody expected: `unexpected KeyError while ...: 'x'`."""
    text = exception_text(exc).strip().splitlines()
    detail = f": {text[0]}" if text else ""
    return shortened(encodable(f"unexpected {type(exc).__name__} while {doing}{detail}"))


@dataclass
class RouterResult:
    """What happened to one router (or one target: a connection, an AS).

    Exactly one of three: done (`ok`, the operation's own fields say what was done),
    skipped (`skipped` says why; nothing failed, nothing was done) or failed (`category`
    and `error`, one sentence). Operations subclass it to add their fields.
    `duration_s` is wall-clock seconds spent on the router, planning excluded.
    """

    router: str
    skipped: str | None = None
    error: str | None = None
    category: Category | None = None
    duration_s: float = 0.0
    # The status of a result that neither failed nor was skipped ("reachable", "polled").
    done: ClassVar[str] = "done"
    # Every status this operation's results can have, in the order a summary counts them.
    statuses: ClassVar[tuple[str, ...]] = ("done", "failed", "skipped")

    @property
    def ok(self) -> bool:
        """Nothing failed: done, or skipped."""
        return self.error is None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        if self.skipped is not None:
            return "skipped"
        return self.done

    @property
    def label(self) -> str:
        """What the result's line starts with: the router's name."""
        return self.router

    def fail(self, category: Category | str, error: str) -> RouterResult:
        self.category, self.error = Category(category), error
        return self

    def skip(self, reason: str) -> RouterResult:
        self.skipped = reason
        return self

    def done_line(self) -> str:
        """What a done result's line says after the label; operations say more."""
        return self.done

    @property
    def summary(self) -> str:
        """One line for a person: what was done, why skipped, or why it failed."""
        if self.error is not None:
            return f"{self.label}: failed ({self.category}): {self.error}"
        if self.skipped is not None:
            return f"{self.label}: skipped: {self.skipped}"
        return f"{self.label}: {self.done_line()}"

    def detail_lines(self, verbose: bool = False) -> list[str]:
        """Lines shown under the result's line (a diff, a report); none by default."""
        return []

    @classmethod
    def batch_note(cls, results: list[Any]) -> str:
        """What a batch's summary line adds after its counts (`; 3 sessions created`)."""
        return ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: every field, plus `ok` and `status`."""
        data = asdict(self)
        data["category"] = str(self.category) if self.category else None
        return {**data, "ok": self.ok, "status": self.status}


R = TypeVar("R", bound=RouterResult)


@dataclass
class BatchResult(Generic[R]):
    """The results of one operation on many routers, in the order they were given.

    `counts` has every status of the operation (0 included); `exit_code` is 1 when any
    result failed (what a command exits with, and what cron mails about), else 0."""

    results: list[R]
    noun: str = "routers"
    statuses: tuple[str, ...] = field(default=("done", "failed", "skipped"))
    # The summary of an empty batch, when "0 routers: ..." says less ("IX has no connections.").
    empty: str = ""

    def __iter__(self) -> Iterator[R]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> R:
        return self.results[index]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def failed(self) -> list[R]:
        return [result for result in self.results if not result.ok]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.statuses, 0)
        for result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    @property
    def failure_sentence(self) -> str:
        """What a command's error line says when some failed: `1 of 3 routers failed.`"""
        return f"{len(self.failed)} of {self.count_of(self.noun)} failed."

    @property
    def summary(self) -> str:
        """`3 routers: 2 polled, 1 failed, 0 skipped` (`1 router: ...`)."""
        counts = ", ".join(f"{count} {status}" for status, count in self.counts.items())
        note = type(self.results[0]).batch_note(self.results) if self.results else ""
        if not self.results and self.empty:
            return self.empty
        return f"{self.count_of(self.noun)}: {counts}{note}"

    def count_of(self, noun: str) -> str:
        """`1 router`, `3 routers` (`noun` is plural)."""
        count = len(self.results)
        return f"{count} {noun.removesuffix('s') if count == 1 else noun}"

    def lines(self, verbose: bool = False) -> list[str]:
        """What a person reads: each result's line and details, then the summary."""
        lines: list[str] = []
        for result in self.results:
            lines.append(result.summary)
            lines.extend(result.detail_lines(verbose))
        lines.append(self.summary)
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: `{"ok": bool, "counts": {...}, "results": [...]}`."""
        return {
            "ok": self.ok,
            "counts": self.counts,
            "results": [result.as_dict() for result in self.results],
        }


def batch(
    results: Iterable[R], noun: str = "routers", result_type: type[R] | None = None
) -> BatchResult[R]:
    """A BatchResult whose statuses are those of `result_type` (by default the first
    result's type): an empty batch counts the same statuses as a full one."""
    results = list(results)
    if result_type is None:
        result_type = type(results[0]) if results else RouterResult  # type: ignore[assignment]
    return BatchResult(results, noun, result_type.statuses)


Target = TypeVar("Target")
Plan = TypeVar("Plan")


class Operation(Generic[Target, Plan, R]):
    """One operation on many routers, in three phases (see the module's docstring).

    Subclasses set `name` (for the log: "ping r1: unexpected error") and `result_type`,
    and implement `plan` and `run`; `write` and `planned` are optional."""

    name: ClassVar[str] = "operation"
    result_type: type[R]
    # What `run`'s failures are logged as doing ("pinging"); plan failures say "preparing".
    doing: ClassVar[str] = "working on it"

    def target_name(self, target: Target) -> str:
        return str(getattr(target, "name", target))

    def plan(self, target: Target) -> Plan | R:
        """Calling thread: what `run` needs, or the target's result already (skipped, or
        failed on bad input)."""
        raise NotImplementedError

    def planned(self) -> None:
        """Calling thread, once every plan is on the pool: read what the runs need only
        later (a poll's stored sessions), while the first routers answer."""

    def plan_name(self, plan: Plan) -> str:
        return str(getattr(plan, "router", plan))

    def run(self, plan: Plan) -> R:
        """Worker thread: the device I/O; no database. Raise an OperationError (or a
        DeviceError) for the router's failure."""
        raise NotImplementedError

    def write(self, finished: list[tuple[Plan, R]]) -> None:
        """Calling thread: store what a batch of routers said (results may be updated)."""

    def abandon(self, error: BaseException) -> None:
        """Calling thread: `planned()` failed, or the run was interrupted while planning;
        release whatever the runs would wait for (they fail with `error`)."""

    def mask(self, plan: Plan, text: str) -> str:
        """What may be shown of a text about this plan's router (passwords masked)."""
        return text

    def new_result(self, name: str) -> R:
        return self.result_type(router=name)


def run_operation(
    operation: Operation[Target, Plan, R],
    targets: Iterable[Target],
    max_workers: int | None = None,
) -> list[R]:
    """Run `operation` on every target: plan each in this thread and hand it to the pool at
    once (reading the next targets overlaps the I/O of the first), write results in
    batches as they finish. One result per target, in the order given; a failure of any
    kind on one target (in any phase, `write` included) is its result and never stops the
    others. An interrupt (Ctrl-C, a job's time limit) stops the whole run.

    `max_workers` defaults to settings.NAPALM_MAX_WORKERS; with 1, everything runs in this
    thread (a job's time limit, a signal, interrupts the I/O itself), router by router."""
    targets = list(targets)
    if not targets:
        return []
    results: list[R | None] = [None] * len(targets)
    pending: list[tuple[int, Plan]] = []
    workers = min(max_workers or settings.NAPALM_MAX_WORKERS, len(targets))
    if workers == 1:
        for index, target in enumerate(targets):
            planned = _plan(operation, target)
            if isinstance(planned, RouterResult):
                results[index] = planned
            else:
                pending.append((index, planned))
        _planned(operation)
        for index, plan in pending:
            _write(operation, [(index, plan, _run(operation, plan))], results)
        return results  # type: ignore[return-value]
    finished: queue.SimpleQueue[tuple[int, Plan, Future[R]]] = queue.SimpleQueue()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="device-io") as pool:
        try:
            for index, target in enumerate(targets):
                planned = _plan(operation, target)
                if isinstance(planned, RouterResult):
                    results[index] = planned
                    continue
                pending.append((index, planned))
                future = pool.submit(_run, operation, planned)
                future.add_done_callback(
                    lambda done, index=index, plan=planned: finished.put((index, plan, done))
                )
            _planned(operation)
        except BaseException as exc:  # an interrupt: no run may wait for what never comes
            pool.shutdown(wait=False, cancel_futures=True)
            operation.abandon(exc)
            raise
        for group in _in_batches(operation, finished, len(pending)):
            _write(operation, group, results)
    return results  # type: ignore[return-value]


def _planned(operation: Operation[Any, Any, Any]) -> None:
    """`operation.planned()`; when it fails, the runs fail with it (abandon), not the
    whole call."""
    try:
        operation.planned()
    except Exception as exc:
        _logger(operation).exception("%s: reading what the routers need failed", operation.name)
        operation.abandon(exc)


def _write(
    operation: Operation[Any, Plan, R],
    group: list[tuple[int, Plan, R]],
    results: list[R | None],
) -> None:
    """`operation.write()` for a batch; when it fails, the batch's results that were done
    fail with it (nothing says they were saved), and the next batches go on."""
    try:
        operation.write([(plan, result) for _, plan, result in group])
    except Exception as exc:
        _logger(operation).exception("%s: saving a batch failed", operation.name)
        for _, _, result in group:
            if result.ok and result.skipped is None:
                result.fail(Category.UNEXPECTED, unexpected(exc, "saving what the router said"))
    for index, _, result in group:
        results[index] = result


def _in_batches(
    operation: Operation[Any, Plan, R],
    finished: queue.SimpleQueue[tuple[int, Plan, Future[R]]],
    count: int,
) -> Iterator[list[tuple[int, Plan, R]]]:
    """Each batch is every run finished by then (at most MAX_PER_WRITE): while this thread
    writes one batch the next one gathers."""
    remaining = count
    while remaining:
        group = [finished.get()]
        while len(group) < MAX_PER_WRITE:
            try:
                group.append(finished.get_nowait())
            except queue.Empty:
                break
        remaining -= len(group)
        yield [(index, plan, _outcome(operation, plan, future)) for index, plan, future in group]


def _outcome(operation: Operation[Any, Plan, R], plan: Plan, future: Future[R]) -> R:
    """The run's result; a run that raised (only an interrupt gets past `_run`'s guard, or
    a bug in the guard itself) is raised again unless it is an ordinary exception."""
    error = future.exception()
    if error is None:
        return future.result()
    if not isinstance(error, Exception):
        raise error
    result = operation.new_result(_name(operation, plan))
    return result.fail(Category.UNEXPECTED, unexpected(error, operation.doing))


def _plan(operation: Operation[Target, Plan, R], target: Target) -> Plan | R:
    try:
        return operation.plan(target)
    except OperationError as exc:
        result = operation.new_result(operation.target_name(target))
        return result.skip(str(exc)) if exc.skips else result.fail(exc.category, str(exc))
    except Exception as exc:
        # Targets before this one may be done already: this one fails, the others go on.
        name = operation.target_name(target)
        _logger(operation).exception(
            "%s %s: unexpected error", operation.name, name, extra=ROUTER_DETAIL
        )
        message = unexpected(exc, "preparing")
        return operation.new_result(name).fail(Category.UNEXPECTED, message)


def _run(operation: Operation[Target, Plan, R], plan: Plan) -> R:
    started = time.monotonic()
    try:
        result = operation.run(plan)
    except OperationError as exc:
        result = operation.new_result(_name(operation, plan))
        result.fail(exc.category, _masked(operation, plan, str(exc)))
    except Exception as exc:  # one router's surprise: its result, the others go on
        name = _name(operation, plan)
        # The traceback may quote what the router was sent: it is logged masked.
        trace = _masked(operation, plan, "".join(_traceback(exc)))
        _logger(operation).error(
            "%s %s: unexpected error\n%s", operation.name, name, trace, extra=ROUTER_DETAIL
        )
        message = _masked(operation, plan, unexpected(exc, operation.doing))
        result = operation.new_result(name).fail(Category.UNEXPECTED, message)
    result.duration_s = round(time.monotonic() - started, 3)
    return result


def _name(operation: Operation[Any, Plan, Any], plan: Plan) -> str:
    try:
        return operation.plan_name(plan)
    except Exception:
        return "a router"


def _masked(operation: Operation[Any, Plan, Any], plan: Plan, text: str) -> str:
    """`operation.mask(plan, text)`; when masking itself fails, nothing of the text (it
    may hold a secret) but where to look."""
    try:
        return operation.mask(plan, text)
    except Exception:
        _logger(operation).exception("%s: masking a message failed", operation.name)
        return "the message could not be masked, so it is not shown (see the log file)"


def _logger(operation: Operation[Any, Any, Any]) -> logging.Logger:
    """The operation's own module's logger: its records go where that app's go (the log
    file, a job's log)."""
    return logging.getLogger(type(operation).__module__)


def _traceback(exc: BaseException) -> list[str]:
    return traceback.format_exception(exc)
