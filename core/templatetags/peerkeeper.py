"""Template helpers: navigation, badges, links and diff lines."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from core.choices import BGPState
from core.job_types import JobDisplay, job_display
from core.links import object_url as _object_url
from core.models import Job
from core.navigation import menu_for
from core.tables import badge

register = template.Library()


@register.inclusion_tag("core/navigation.html", takes_context=True)
def navigation(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {"sections": menu_for(request.user, request.path), "user": request.user}


@register.filter
def state_badge(state: str | None) -> str:
    return badge("state", state, BGPState(state).label if state in BGPState.values else None)


@register.filter
def status_badge(obj: Model) -> str:
    return badge("status", obj.status, obj.get_status_display())


@register.filter
def job_badge(job: Job) -> str:
    return badge("job", job.status, job.get_status_display())


@register.filter
def object_url(obj: Model | None, action: str = "") -> str | None:
    return _object_url(obj, action)


@register.filter
def diff_lines(text: str) -> list[tuple[str, str]]:
    """(css class, line) for each line of a unified diff."""
    lines = []
    for line in (text or "").splitlines():
        if line.startswith(("+++", "---")):
            kind = "diff-file"
        elif line.startswith("@@"):
            kind = "diff-hunk"
        elif line.startswith("+"):
            kind = "diff-add"
        elif line.startswith("-"):
            kind = "diff-del"
        else:
            kind = "diff-context"
        lines.append((kind, line))
    return lines


@register.filter
def describe(job: Job) -> JobDisplay:
    return job_display(job)
