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
