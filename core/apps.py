import logging
import sqlite3
import sys
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.module_loading import autodiscover_modules


def _use_sqlites_real_parameter_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django assumes SQLite's old limit of 999 query parameters; the SQLite that Python
    ships allows far more. With the real limit, a bulk update of a router's sessions is
    one query instead of one per few dozen sessions."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


logger = logging.getLogger(__name__)


def _log_unraisable(unraisable: Any) -> None:
    """What Python cannot raise (an exception in a driver's __del__, say) goes to the log
    file by its type only: Python would print it whole on the terminal, where it may
    quote a password or carry escape sequences."""
    logger.debug(
        "an exception was ignored: %s in %s",
        type(unraisable.exc_value).__name__,
        type(unraisable.object).__name__,
    )


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        connection_created.connect(_use_sqlites_real_parameter_limit)
        sys.unraisablehook = _log_unraisable
        # Job types (core.job_types): every installed app's `jobs` module registers its
        # own, so that each process knows them all before a job is enqueued or run.
        autodiscover_modules("jobs")
