import sqlite3
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _use_sqlites_real_parameter_limit(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django assumes SQLite's old limit of 999 query parameters; the SQLite that Python
    ships allows far more. With the real limit, a bulk update of a router's sessions is
    one query instead of one per few dozen sessions."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        connection_created.connect(_use_sqlites_real_parameter_limit)
