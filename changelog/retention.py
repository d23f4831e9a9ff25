"""How long the change log keeps its entries (CHANGELOG_RETENTION_DAYS).

The workers prune it with the old jobs (core.job_maintenance), `manage.py jobs --prune`
and `manage.py changelog --prune` by hand.
"""

from __future__ import annotations

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone


def prune_changelog(days: int | None = None) -> int:
    """Delete the change-log entries older than `days` (default CHANGELOG_RETENTION_DAYS;
    0 keeps everything); return how many were deleted. Raises ValueError for a negative
    number of days."""
    days = settings.CHANGELOG_RETENTION_DAYS if days is None else days
    if days < 0:
        raise ValueError("The number of days is 0 (keep everything) or more.")
    if days == 0:
        return 0
    try:
        cutoff = timezone.now() - timedelta(days=days)
    except OverflowError:
        return 0  # before the calendar's first day: nothing is that old
    deleted, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return deleted
