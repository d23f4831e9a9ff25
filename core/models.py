from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.choices import JobOrigin, JobStatus
from core.job_types import JobType, get_job_type, kind_label

FINISHED_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.ERRORED})


class Job(models.Model):
    """One unit of background work, with a log a user can read.

    `kind` names its type (core.job_types); `target` is what it is about (a router, an
    IXP; none for some kinds), and `target_name` what the target was called when the job
    was enqueued, so that the job still says it once the target is deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_name = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The door the job was started through, and the name of who asked: the user's
    # username (a page, the API), the OS user (a command); kept when the user is deleted.
    # Blank on jobs recorded before jobs said so.
    origin = models.CharField(max_length=16, choices=JobOrigin.choices, blank=True, db_index=True)
    requested_by = models.CharField(max_length=150, blank=True)
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
    # Seconds between runs of a repeating job: when it finishes, the next run is queued
    # for `started + repeat_every`, as a new job (`repeat_of` this one).
    repeat_every = models.PositiveIntegerField(null=True, blank=True)
    run_after = models.DateTimeField(null=True, blank=True)
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_runs"
    )

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created"])]

    def __str__(self) -> str:
        target = f" on {self.target_name}" if self.target_name else ""
        return f"{self.kind_label}{target} ({self.status})"

    @property
    def kind_label(self) -> str:
        """What people call this kind of job ("Poll BGP sessions")."""
        return kind_label(self.kind)

    def get_kind_display(self) -> str:
        return self.kind_label

    @property
    def job_type(self) -> JobType | None:
        """The registered type of this job's kind, or None if none is registered."""
        try:
            return get_job_type(self.kind)
        except ValueError:
            return None

    @property
    def target_noun(self) -> str:
        """What kind of thing the target is ("router"), or "" for a job without one."""
        model = self.target_type.model_class() if self.target_type_id else None
        return str(model._meta.verbose_name) if model is not None else ""

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def started_by(self) -> str:
        """Who started the job and through which door: "alice · page", "root · command"."""
        door = self.origin or "unknown"
        return f"{self.requested_by} · {door}" if self.requested_by else door

    @property
    def duration_s(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return round((self.finished - self.started).total_seconds(), 3)


class JobRelation(GenericRelation):
    """`jobs = JobRelation()` on a model that jobs are about: its jobs, newest first.

    Unlike a plain GenericRelation, deleting the object keeps its jobs: they are its
    history, and they still name it (Job.target_name)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("content_type_field", "target_type")
        kwargs.setdefault("object_id_field", "target_id")
        super().__init__(Job, **kwargs)

    def bulk_related_objects(self, objs: object, using: str = "default") -> list[Job]:
        return []  # nothing to delete along with the target


class TokenQuerySet(models.QuerySet):
    def usable(self) -> TokenQuerySet:
        """Tokens that authenticate now: not expired, of an active user."""
        return self.filter(user__is_active=True).filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=timezone.now())
        )


class Token(models.Model):
    """A user's key to the REST API (core/api/authentication.py).

    The key itself ("pk_" and 43 URL-safe characters, 256 random bits) is shown once, when
    issued (`Token.issue`), and never stored: only its SHA-256 digest is, and the first
    characters (`prefix`) so that a user can tell their tokens apart. A fast hash suffices
    for a random 256-bit key (no dictionary to try), and keeps each request's look-up cheap.
    A read-only token (`write_enabled` off) may only read, whatever its user may do."""

    KEY_PREFIX = "pk_"
    PREFIX_LENGTH = 10  # characters of the key kept to show: "pk_" and 7 more

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    description = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    write_enabled = models.BooleanField(
        "write enabled", default=True, help_text="Untick for a read-only token."
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True, help_text="Blank: never expires.")
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.description})" if self.description else f"{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        """The hex SHA-256 digest a key is stored and looked up by."""
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: Any, **fields: Any) -> tuple[Token, str]:
        """Create a token for `user` (with `description`, `write_enabled`, `expires`);
        return it and its key, which is not kept anywhere else: show it once."""
        key = cls.KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, prefix=key[: cls.PREFIX_LENGTH], digest=cls.digest_of(key))
        for name, value in fields.items():
            setattr(token, name, value)
        token.full_clean(exclude=["user"])
        token.save()
        return token, key

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()
