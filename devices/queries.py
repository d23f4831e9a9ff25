"""The devices app's queries, for its pages, jobs, commands and API alike."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from core.models import Job
from devices.models import Router
from peering.queries import SESSION_KINDS

RECENT_JOBS = 10


def routers() -> QuerySet[Router]:
    """Routers with their platform, local AS and configuration template: what a router's
    page shows of them (the platform also tells whether the router is polled)."""
    return Router.objects.select_related("platform", "local_autonomous_system", "config_template")


def routers_with_counts() -> QuerySet[Router]:
    """routers(), by name, with `session_count`: the router's sessions of every kind
    (peering.queries.SESSION_KINDS), counted in the same query; and their tags."""
    counts = [Count(kind.from_router, distinct=True) for kind in SESSION_KINDS]
    return (
        routers()
        .prefetch_related("tags")
        .annotate(session_count=sum(counts[1:], counts[0]))
        .order_by("name")
    )


def routers_by_name() -> QuerySet[Router]:
    """Routers by name with their platform, which deciding whether their polled state is
    current reads (peering.staleness.router_stale_reason)."""
    return Router.objects.select_related("platform").order_by("name")


def recent_jobs(router: Router | None = None, limit: int = RECENT_JOBS) -> QuerySet[Job]:
    """The `limit` newest jobs with the user who started them: all jobs, with their target
    (prefetched: one query per kind of target), or those about `router` (their target)."""
    if router is not None:
        return router.jobs.select_related("user")[:limit]
    return Job.objects.select_related("user", "target_type").prefetch_related("target")[:limit]
