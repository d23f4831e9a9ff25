"""Scratch databases for benchmarks: created empty, migrated, and removed afterwards.

A benchmark picks its database before Django starts: `scratch_database("postgresql",
"poll")` creates `peerkeeper_bench_poll` on the PostgreSQL server of DATABASE_URL (else
postgresql://postgres@127.0.0.1:5432/), `scratch_database("sqlite", "poll")` a file under
DATA_DIR/bench/; then it points PEERKEEPER_DATABASE_URL at it, starts Django and migrates.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import dj_database_url
import psycopg

from peerkeeper.config import load_configuration

DATABASES = ("sqlite", "postgresql")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/"
NAME_PREFIX = "peerkeeper_bench_"


class ScratchDatabaseError(RuntimeError):
    """The scratch database could not be created; the message says why and where."""


@dataclass(frozen=True)
class ScratchDatabase:
    kind: str  # "sqlite" or "postgresql"
    url: str  # what PEERKEEPER_DATABASE_URL is set to
    label: str  # where it is, without credentials, for printing


def postgresql_server() -> str:
    """The configured PostgreSQL server's URL (any database name), else the local default."""
    configured = load_configuration().get("DATABASE_URL") or ""
    return configured if configured.startswith(("postgres", "pgsql")) else DEFAULT_SERVER


def _postgresql_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return parts._replace(scheme="postgresql", path="/" + quote(name)).geturl()


def _maintenance_connection(server: str) -> psycopg.Connection:
    settings = dj_database_url.parse(_postgresql_url(server, "postgres"))
    try:
        return psycopg.connect(
            dbname="postgres",
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            autocommit=True,
            connect_timeout=10,
        )
    except psycopg.Error as exc:
        parts = urlsplit(server)
        where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        raise ScratchDatabaseError(f"cannot connect to PostgreSQL on {where}: {exc}") from None


def _drop_postgresql(server: str, name: str) -> None:
    with _maintenance_connection(server) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create_postgresql(server: str, name: str) -> None:
    with _maintenance_connection(server) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{name}"')


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _remove_sqlite(path: Path) -> None:
    for file in _sqlite_files(path):
        file.unlink(missing_ok=True)


def start_django(database_url: str | None = None, migrate: bool = True) -> None:
    """Start Django (on `database_url` when given), bringing its schema up to date."""
    if database_url:
        os.environ["PEERKEEPER_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerkeeper.settings")
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())


@contextlib.contextmanager
def scratch_database(kind: str, benchmark: str, keep: bool = False) -> Iterator[ScratchDatabase]:
    """Create the benchmark's own empty database, start Django on it, remove it afterwards."""
    name = NAME_PREFIX + benchmark
    if kind == "postgresql":
        server = postgresql_server()
        _create_postgresql(server, name)
        url = _postgresql_url(server, name)
        parts = urlsplit(url)
        label = f"PostgreSQL database {name} on {parts.hostname}:{parts.port or 5432}"

        def cleanup() -> None:
            _drop_postgresql(server, name)

    elif kind == "sqlite":
        path = load_configuration()["DATA_DIR"] / "bench" / f"{benchmark}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_sqlite(path)
        url, label = f"sqlite:///{path}", f"SQLite file {path}"

        def cleanup() -> None:
            _remove_sqlite(path)

    else:
        raise ScratchDatabaseError(f"unknown database {kind!r}: choose {' or '.join(DATABASES)}")
    try:
        start_django(url)
        yield ScratchDatabase(kind, url, label)
    finally:
        _close_connections()
        if not keep:
            cleanup()


def _close_connections() -> None:
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()
