"""Choice sets shared by several models."""

from django.db import models


class Status(models.TextChoices):
    ENABLED = "enabled", "Enabled"
    MAINTENANCE = "maintenance", "Maintenance"
    DISABLED = "disabled", "Disabled"


class BGPState(models.TextChoices):
    IDLE = "idle", "Idle"
    CONNECT = "connect", "Connect"
    ACTIVE = "active", "Active"
    OPENSENT = "opensent", "OpenSent"
    OPENCONFIRM = "openconfirm", "OpenConfirm"
    ESTABLISHED = "established", "Established"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    ERRORED = "errored", "Errored"


class JobOrigin(models.TextChoices):
    """The door a job was started through. The values of the change log's origins
    (changelog.context.Origin) where the door is the same; `schedule` is a repeating job's
    later runs (core.jobs.enqueue_next_run)."""

    PAGE = "page", "Page"
    API = "api", "API"
    COMMAND = "command", "Command"
    SCHEDULE = "schedule", "Schedule"
