"""The RQ worker `manage.py worker` runs: RQ's own, plus Peerkeeper's job maintenance."""

from __future__ import annotations

from typing import Any

from django.db import connections
from rq import Worker

from core.job_maintenance import MAINTENANCE_INTERVAL, run_maintenance


class JobWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # Wake up while idle often enough to run maintenance on time.
        return min(super().dequeue_timeout, MAINTENANCE_INTERVAL)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        self._job_maintenance(prune=True)

    def handle_work_horse_killed(self, job: Any, retpid: Any, ret_val: Any, rusage: Any) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        # The process running a job died: mark the job now, not at the next maintenance.
        self._job_maintenance(prune=False)

    @staticmethod
    def _job_maintenance(prune: bool) -> None:
        try:
            run_maintenance(prune=prune)
        finally:
            # The next job runs in a forked process: it must not share this connection.
            connections.close_all()
