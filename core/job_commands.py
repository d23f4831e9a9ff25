"""`--tasks` of the commands: one job per usable router, each job's id printed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.base import OutputWrapper

from core.choices import JobKind
from core.jobs import JobNotQueued, enqueue


def enqueue_per_router(
    out: OutputWrapper,
    routers: Iterable[Any],
    kind: JobKind,
    skip_reason: Callable[[Any], str | None],
    arguments: dict[str, Any] | None = None,
    as_json: bool = False,
) -> bool:
    """Queue a job for every router that is not skipped; print one line per router (or
    JSON) and a summary. Returns False when a job could not be queued."""
    rows: list[dict[str, Any]] = []
    for router in routers:
        row: dict[str, Any] = {"router": router.name, "job": None, "skipped": None, "error": None}
        rows.append(row)
        row["skipped"] = skip_reason(router)
        if row["skipped"]:
            continue
        try:
            row["job"] = str(enqueue(kind, router=router, arguments=arguments).pk)
        except JobNotQueued as exc:
            row["error"] = str(exc)
    if as_json:
        out.write(json.dumps(rows, indent=2))
    else:
        for row in rows:
            if row["job"]:
                out.write(f"{row['router']}: queued job {row['job']}")
            elif row["skipped"]:
                out.write(f"{row['router']}: skipped: {row['skipped']}")
            else:
                out.write(f"{row['router']}: not queued: {row['error']}")
        queued = sum(bool(row["job"]) for row in rows)
        skipped = sum(bool(row["skipped"]) for row in rows)
        failed = len(rows) - queued - skipped
        summary = f"{len(rows)} routers: {queued} jobs queued, {skipped} skipped"
        out.write(summary + (f", {failed} not queued" if failed else ""))
    return all(row["job"] or row["skipped"] for row in rows)
