"""Render routers' configurations for people to read (pages, jobs, commands): the
operation runner's way (core.operations), so many routers render in parallel and each
router's failure is its own result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from configs.context import secret_slots
from configs.masking import literal_masker
from configs.rendering import RenderInput, render, render_input
from core.operations import BatchResult, Operation, RouterResult, batch, run_operation
from devices.models import Router


@dataclass
class RenderResult(RouterResult):
    """A rendered configuration: `masked` for people (no form of a session password),
    `text` as the router would get it (never in `as_dict`), `lines` its line count.
    Skipped when the router has no template; failed (input error) on a template error."""

    masked: str = ""
    lines: int = 0
    text: str = field(default="", repr=False)
    done: ClassVar[str] = "rendered"
    statuses: ClassVar[tuple[str, ...]] = ("rendered", "failed", "skipped")

    def done_line(self) -> str:
        return f"rendered ({self.lines} lines)"

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        del data["text"]
        return data


class Render(Operation[Router, tuple[str, RenderInput], RenderResult]):
    """Plan: the router's template and context (the database). Run: render it in a render
    process and learn the masked text. Nothing to write."""

    name = "render"
    doing = "rendering"
    result_type = RenderResult

    def plan(self, router: Router) -> tuple[str, RenderInput]:
        return router.name, render_input(router)

    def plan_name(self, plan: tuple[str, RenderInput]) -> str:
        return plan[0]

    def mask(self, plan: tuple[str, RenderInput], text: str) -> str:
        """The session passwords, current and previous, masked (in an unexpected error)."""
        request = plan[1]
        passwords = [value for _, value in secret_slots(request.request.context) if value]
        return literal_masker([*passwords, *request.previous_secrets]).mask(text)

    def run(self, plan: tuple[str, RenderInput]) -> RenderResult:
        rendered = render(plan[1])
        text = rendered.text
        return RenderResult(
            plan[0], masked=rendered.masked, lines=len(text.splitlines()), text=text
        )


def render_routers(
    routers: Iterable[Router], max_workers: int | None = None
) -> BatchResult[RenderResult]:
    """Each router's configuration, in order; a router without a template is skipped, a
    template error is that router's failure (the sentence names the template and line)."""
    return batch(run_operation(Render(), routers, max_workers), result_type=RenderResult)


def render_one(router: Router) -> RenderResult:
    """One router's configuration, rendered in this thread (see render_routers)."""
    return render_routers([router], max_workers=1)[0]
