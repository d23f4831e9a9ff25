"""The runner (core.operations.run_operation) keeps its promise whatever a phase does:
one result per target, in order, and one target's failure never stops the others."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.test import override_settings

from core.operations import Category, Operation, OperationError, RouterResult, run_operation


@dataclass
class Echo(RouterResult):
    said: str = ""
    done: ClassVar[str] = "read"


class Refused(OperationError):
    category = Category.UNREACHABLE


class Reading(Operation[str, str, Echo]):
    """Targets are names: "bad-plan" fails planning, "down" is unreachable, "bug" raises."""

    name, doing, result_type = "reading", "reading it", Echo

    def __init__(self, fail_write: set[str] | None = None) -> None:
        self.fail_write = fail_write or set()
        self.written: list[str] = []

    def plan(self, target: str) -> str:
        if target == "bad-plan":
            raise KeyError(target)
        return target

    def run(self, plan: str) -> Echo:
        if plan == "down":
            raise Refused(f"Cannot reach {plan}.")
        if plan == "bug":
            raise ZeroDivisionError("our bug")
        return Echo(plan, said=f"hello from {plan}")

    def write(self, finished: list[tuple[str, Echo]]) -> None:
        if any(plan in self.fail_write for plan, _ in finished):
            raise RuntimeError("the database went away")
        self.written += [plan for plan, _ in finished]


TARGETS = ["a", "bad-plan", "down", "bug", "b"]


@pytest.mark.parametrize("workers", [1, 3])
def test_every_target_gets_its_result_in_order(workers) -> None:
    results = run_operation(Reading(), TARGETS, max_workers=workers)
    assert [(r.router, r.status, r.category) for r in results] == [
        ("a", "read", None),
        ("bad-plan", "failed", Category.UNEXPECTED),
        ("down", "failed", Category.UNREACHABLE),
        ("bug", "failed", Category.UNEXPECTED),
        ("b", "read", None),
    ]
    assert results[3].error == "unexpected ZeroDivisionError while reading it: our bug"
    assert results[1].error == "unexpected KeyError while preparing: 'bad-plan'"


@pytest.mark.parametrize("workers", [1, 3])
def test_a_write_that_fails_fails_its_routers_only(workers) -> None:
    operation = Reading(fail_write={"a"})
    with override_settings(NAPALM_MAX_WORKERS=workers):
        results = run_operation(operation, ["a", "b"], max_workers=1 if workers == 1 else None)
    by_name = {r.router: r for r in results}
    assert by_name["a"].status == "failed" and "while saving" in by_name["a"].error
    if workers == 1:  # written router by router: b's write is its own
        assert by_name["b"].status == "read" and operation.written == ["b"]


class Waiting(Reading):
    """Runs wait for what `planned` gives, as a poll's runs wait for the stored sessions."""

    def __init__(self, fail_planned: bool = False, interrupt_at: str = "") -> None:
        super().__init__()
        self.ready: Future[str] = Future()
        self.fail_planned, self.interrupt_at = fail_planned, interrupt_at

    def plan(self, target: str) -> str:
        if target == self.interrupt_at:
            raise KeyboardInterrupt
        return target

    def planned(self) -> None:
        if self.fail_planned:
            raise RuntimeError("cannot read the stored sessions")
        self.ready.set_result("ok")

    def abandon(self, error: BaseException) -> None:
        if not self.ready.done():
            self.ready.set_exception(error)

    def run(self, plan: str) -> Echo:
        return Echo(plan, said=self.ready.result())


@pytest.mark.parametrize("workers", [1, 2])
def test_a_planned_phase_that_fails_fails_each_run_not_the_call(workers) -> None:
    results = run_operation(Waiting(fail_planned=True), ["a", "b"], max_workers=workers)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("cannot read the stored sessions" in r.error for r in results)


def test_an_interrupt_while_planning_stops_the_run_without_leaving_runs_waiting() -> None:
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            run_operation(Waiting(interrupt_at="c"), ["a", "b", "c", "d"], max_workers=2)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the runs still wait for what planning never gave"
    assert [type(exc) for exc in outcome] == [KeyboardInterrupt]
