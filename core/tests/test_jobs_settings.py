"""The job settings and what they become in django-tasks' and django-rq's settings."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from peerkeeper.config import ConfigurationError, load_configuration, rq_queues, tasks_settings

MINIMAL = (
    f'SECRET_KEY = "{"s" * 40}"\n'
    f'CREDENTIALS_ENCRYPTION_KEYS = ["{Fernet.generate_key().decode()}"]\n'
)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "configuration.py"
    path.write_text(MINIMAL)
    return path


def test_the_embedded_database_queue_is_the_default(config_path: Path) -> None:
    values = load_configuration(config_path, environ={})
    assert (values["TASKS_BACKEND"], values["JOB_QUEUE"]) == ("database", "peerkeeper")
    assert (values["JOB_TIME_LIMIT"], values["JOB_RETENTION_DAYS"]) == (600, 90)
    assert tasks_settings(values) == {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["peerkeeper"]}
    }


def test_rq_uses_redis_url_and_lets_the_job_time_limit_fire_first(config_path: Path) -> None:
    environ = {
        "PEERKEEPER_TASKS_BACKEND": "rq",
        "PEERKEEPER_REDIS_URL": "redis://redis.example.net:6379/3",
        "PEERKEEPER_JOB_TIME_LIMIT": "300",
        "PEERKEEPER_JOB_QUEUE": "peering-prod",
    }
    values = load_configuration(config_path, environ=environ)
    assert tasks_settings(values)["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    queue = rq_queues(values)["peering-prod"]
    assert queue["URL"] == "redis://redis.example.net:6379/3"
    assert queue["DEFAULT_TIMEOUT"] > 300


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "PEERKEEPER_TASKS_BACKEND",
            "celery",
            "TASKS_BACKEND must be one of database, rq "
            "(from environment variable PEERKEEPER_TASKS_BACKEND).",
        ),
        (
            "PEERKEEPER_JOB_TIME_LIMIT",
            "0",
            "JOB_TIME_LIMIT must be a positive whole number "
            "(from environment variable PEERKEEPER_JOB_TIME_LIMIT).",
        ),
        (
            "PEERKEEPER_JOB_RETENTION_DAYS",
            "-1",
            "JOB_RETENTION_DAYS must be a whole number, 0 or more "
            "(from environment variable PEERKEEPER_JOB_RETENTION_DAYS).",
        ),
        (
            "PEERKEEPER_JOB_QUEUE",
            "my queue",
            "JOB_QUEUE must be 1 to 32 letters, digits, dots, dashes or underscores "
            "(from environment variable PEERKEEPER_JOB_QUEUE).",
        ),
    ],
)
def test_a_wrong_job_setting_is_one_sentence(config_path, variable, value, expected) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(config_path, environ={variable: value})
    assert str(raised.value) == expected
