"""Background jobs of the devices app (core.job_types), and the base of every job on one
router."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.job_log import JobLog
from core.job_types import register
from core.models import Job
from core.operation_jobs import OperationJob
from devices.connectivity import PingResult, ping
from devices.models import Router
from devices.napalm import unusable_reason


class RouterJob(OperationJob):
    """An operation on one router: the job's target (loaded with what services read)."""

    target_model = Router

    def target_queryset(self) -> QuerySet[Any]:
        return Router.objects.select_related(
            "platform", "config_template", "local_autonomous_system"
        )


@register
class PingJob(RouterJob):
    """Open a NAPALM connection to the router and ask it whether it is alive."""

    kind = "ping"
    label = "Ping"

    def skip_reason(self, target: Router) -> str | None:
        return unusable_reason(target)  # a ping skips it too (devices.connectivity)

    def starting(self, job: Job) -> str:
        router = job.target
        return f"Opening a NAPALM connection to {router.name} ({router.hostname})."

    def call(self, job: Job, log: JobLog) -> PingResult:
        return ping(job.target)
