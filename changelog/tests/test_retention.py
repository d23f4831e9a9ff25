"""The change log keeps CHANGELOG_RETENTION_DAYS days: the workers' maintenance deletes
what is older, as do `manage.py jobs --prune` and `manage.py changelog --prune`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.utils import timezone

from core.job_maintenance import run_maintenance
from core.tests.builders import platform
from peerkeeper.config import ConfigurationError, load_configuration
from peerkeeper.testing import run_command

MINIMAL = (
    f'SECRET_KEY = "{"s" * 40}"\n'
    f'CREDENTIALS_ENCRYPTION_KEYS = ["{Fernet.generate_key().decode()}"]\n'
)


@pytest.fixture
def aged(db) -> dict[int, int]:
    """An entry made {age: days ago} for 10, 40 and 400 days: {age: its pk}."""
    made = {}
    for age in (10, 40, 400):
        platform(f"p{age}")
        entry = LogEntry.objects.latest("pk")
        LogEntry.objects.filter(pk=entry.pk).update(timestamp=timezone.now() - timedelta(days=age))
        made[age] = entry.pk
    return made


def _kept(aged: dict[int, int]) -> list[int]:
    kept = set(LogEntry.objects.values_list("pk", flat=True))
    return sorted(age for age, pk in aged.items() if pk in kept)


def test_the_workers_delete_entries_older_than_the_retention(aged, settings) -> None:
    settings.CHANGELOG_RETENTION_DAYS = 30
    report = run_maintenance()
    assert report.changes_pruned == 2
    assert _kept(aged) == [10]


def test_a_year_keeps_what_is_younger(aged, settings) -> None:
    settings.CHANGELOG_RETENTION_DAYS = 365
    run_maintenance()
    assert _kept(aged) == [10, 40]


def test_zero_keeps_everything(aged, settings) -> None:
    settings.CHANGELOG_RETENTION_DAYS = 0
    assert run_maintenance().changes_pruned == 0
    status, out, _ = run_command("changelog", "--prune")
    assert status == 0 and out.strip() == "0 entries deleted: 0 days keeps everything."
    assert _kept(aged) == [10, 40, 400]


def test_the_command_prunes_by_the_setting_or_by_days(aged, settings) -> None:
    settings.CHANGELOG_RETENTION_DAYS = 100
    status, out, _ = run_command("changelog", "--prune")
    assert status == 0 and out.strip() == "1 change-log entries older than 100 days deleted"
    assert _kept(aged) == [10, 40]
    status, out, _ = run_command("changelog", "--prune", "--days", "20")
    assert out.strip() == "1 change-log entries older than 20 days deleted"
    assert _kept(aged) == [10]
    status, _, err = run_command("changelog", "--prune", "--days", "-1")
    assert status == 1 and "--days takes a number of days from 0 to 36,500." in err
    status, _, err = run_command("changelog", "--prune", "--days", "99999999999")
    assert status == 1 and "--days takes a number of days from 0 to 36,500." in err


def test_jobs_prune_prunes_the_change_log_too(aged, settings) -> None:
    settings.CHANGELOG_RETENTION_DAYS = 30
    status, out, _ = run_command("jobs", "--prune")
    assert status == 0
    assert out.splitlines() == [
        "0 old job(s) deleted",
        "2 change-log entries deleted (older than 30 days)",
    ]
    assert _kept(aged) == [10]


def test_a_negative_retention_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "configuration.py"
    path.write_text(MINIMAL)
    assert load_configuration(path, environ={})["CHANGELOG_RETENTION_DAYS"] == 365
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(path, environ={"PEERKEEPER_CHANGELOG_RETENTION_DAYS": "-1"})
    assert str(raised.value) == (
        "CHANGELOG_RETENTION_DAYS must be a whole number, 0 or more "
        "(from environment variable PEERKEEPER_CHANGELOG_RETENTION_DAYS)."
    )
    path.write_text(MINIMAL + "CHANGELOG_RETENTION_DAYS = 30\n")
    assert load_configuration(path, environ={})["CHANGELOG_RETENTION_DAYS"] == 30
