"""Write many rows, each with its own values, in one SQL statement.

Django's bulk_update builds a CASE expression per row and field, and bulk_create prepares
every object field by field; polling a thousand routers, both cost more CPU than reading
the routers does. These send the rows as one JSON parameter that the database unpacks
(PostgreSQL's json functions, SQLite's JSON1, which Django requires anyway), so the
statement stays short and within any parameter limit whatever the number of rows.
No signals are sent and no primary keys are returned; datetimes must be aware.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

# Django's own fields whose Python values (int, str, bool, None; aware datetimes through
# _adapter) go into JSON as they are: no per-value preparation, which is most of the CPU
# otherwise. Only these exact classes: a subclass may prepare values (EncryptedTextField
# encrypts, IPAddressField normalises), so it is prepared by Django.
_PLAIN_FIELDS = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.PositiveSmallIntegerField,
        models.BooleanField,
        models.CharField,
        models.TextField,
        models.DateTimeField,
    }
)
_UNSEEN = object()


def _is_plain(field: Field) -> bool:
    target = field.target_field if field.many_to_one else field
    return type(target) in _PLAIN_FIELDS and type(field) in {*_PLAIN_FIELDS, models.ForeignKey}


def _text(db: BaseDatabaseWrapper, value: Any) -> str:
    if isinstance(value, datetime.datetime):
        # As the backend stores it: a naive UTC string on SQLite, ISO 8601 on PostgreSQL.
        value = db.ops.adapt_datetimefield_value(value)
        return value if isinstance(value, str) else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} in bulk")


def _adapter(db: BaseDatabaseWrapper) -> Callable[[Any], str]:
    """JSON's fallback for the values it has no type for (datetimes, mostly)."""
    adapted: dict[Any, str] = {}  # the poll time repeats on every row

    def adapt(value: Any) -> str:
        text = adapted.get(value)
        if text is None:
            text = adapted[value] = _text(db, value)
        return text

    return adapt


def _prepared(
    db: BaseDatabaseWrapper, fields: list[Field], rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]] | list[list[Any]]:
    """The rows with Django's preparation applied to the values of fields that need it."""
    prepare = [(n, field) for n, field in enumerate(fields) if not _is_plain(field)]
    if not prepare:
        return rows
    seen: dict[tuple[int, Any], Any] = {}
    prepared_rows = []
    for row in rows:
        values = list(row)
        for n, field in prepare:
            backend_value = seen.get((n, values[n]), _UNSEEN)
            if backend_value is _UNSEEN:
                backend_value = seen[n, values[n]] = field.get_db_prep_save(values[n], db)
            values[n] = backend_value
        prepared_rows.append(values)
    return prepared_rows


def _derived_table(
    db: BaseDatabaseWrapper, fields: list[Field], rows: list[tuple[Any, ...]]
) -> tuple[str, list[str]]:
    """SQL of a derived table `v` holding `rows`, its columns named as the fields' columns."""
    rows_json = json.dumps(_prepared(db, fields, rows), default=_adapter(db))
    names = [db.ops.quote_name(field.column) for field in fields]
    if db.vendor == "postgresql":
        columns = ", ".join(
            f"(r ->> {n})::{field.db_type(db)} AS {name}"
            for n, (field, name) in enumerate(zip(fields, names, strict=True))
        )
        return f"(SELECT {columns} FROM json_array_elements(%s::json) AS r) AS v", [rows_json]
    columns = ", ".join(f"json_extract(value, '$[{n}]') AS {name}" for n, name in enumerate(names))
    return f"(SELECT {columns} FROM json_each(%s)) AS v", [rows_json]


def _update_from_supported(db: BaseDatabaseWrapper) -> bool:
    if db.vendor == "postgresql":
        return True
    return db.vendor == "sqlite" and db.Database.sqlite_version_info >= (3, 33)


def update_rows(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Give each row its own values: rows are (primary key, *values of `fields`).

    `UPDATE t SET f = v.f, ... FROM (the rows) AS v WHERE t.id = v.id`
    """
    if not rows:
        return
    db = transaction.get_connection()
    if not _update_from_supported(db):
        objects = [model(pk=pk, **dict(zip(fields, values, strict=True))) for pk, *values in rows]
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    table = db.ops.quote_name(meta.db_table)
    pk, *names = [db.ops.quote_name(field.column) for field in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in names)
    source, params = _derived_table(db, columns, rows)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{pk} = v.{pk}", params
        )


def insert_rows(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of values of `fields`."""
    if not rows:
        return
    db = transaction.get_connection()
    columns = [model._meta.get_field(name) for name in fields]
    names = ", ".join(db.ops.quote_name(field.column) for field in columns)
    source, params = _derived_table(db, columns, rows)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({names}) "
            f"SELECT {names} FROM {source}",
            params,
        )
