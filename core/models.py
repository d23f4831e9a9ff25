import uuid

from django.conf import settings
from django.db import models

from core.choices import JobKind, JobStatus

FINISHED_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.ERRORED})


class Job(models.Model):
    """One unit of background work against (usually) one router, with a log a user can read."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=JobKind.choices)
    router = models.ForeignKey(
        "devices.Router", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Parameters the job was enqueued with (e.g. {"commit_check": true}).
    arguments = models.JSONField(default=dict, blank=True)
    # [{"at": iso timestamp, "level": "info", "message": "..."}, ...]
    log = models.JSONField(default=list, blank=True)
    # What a user reads: the diff of a deploy, the summary of a poll.
    output = models.TextField(blank=True)
    # Machine-readable result of the service call.
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The id the task backend knows this job by.
    task_id = models.CharField(max_length=64, blank=True)
    # Where the job runs, so a stale-job sweep can tell a running job from an abandoned one.
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["router", "-created"])]

    def __str__(self) -> str:
        target = f" on {self.router}" if self.router_id else ""
        return f"{self.get_kind_display()}{target} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def duration_s(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return round((self.finished - self.started).total_seconds(), 3)
