"""Writing change-log entries: who and through which door, the changed fields masked and
related objects named; one at a time (django-auditlog's signals) or in bulk.

django-auditlog records a model's saves and deletes through Django's signals, one entry
each, computing the changed fields itself. Every entry, before it is written, passes
through `prepare()`:

- who: the Django user of the current `recording()` (changelog.context), else the name
  it gives (a command's OS user); the origin ("page", "admin", "api", "command", "job")
  and the job, in `additional_data` = {"origin": ..., "actor_name": ..., "job": ...};
- secrets: whatever auditlog computed for a secret field is replaced by the marks of
  changelog.masking, and credentials in JSON values masked; `changes_text` and
  `serialized_data` (which auditlog fills only when asked to) are kept empty;
- related objects: a foreign key's old and new values are recorded by name (what the
  object was called then), not by primary key; objects added to or removed from a
  many-to-many field (policies, communities, tags) are recorded by name too, one entry
  per field and operation (django-auditlog's {"type": "m2m", ...} changes).

Writes that send no signals (bulk_create, bulk_update, QuerySet.update(), raw SQL) are
recorded by their callers with `record_created()` / `record_changed()`: the same entries,
inserted together in one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from changelog.context import current_recording
from changelog.masking import is_secret_name, masked_pair, masked_values_pair, secret_fields
from changelog.registry import is_tracked


def who(state: Any) -> dict[str, str]:
    """The `additional_data` of an entry made in `state` (a changelog.context.Recording)."""
    if state is None:
        return {}
    data = {"origin": state.origin}
    name = state.who
    if name:
        data["actor_name"] = name
    if state.job:
        data["job"] = state.job
    return data


# Values that say nothing in a creation's "new" or a deletion's "old": left out there.
_BLANK = (None, "", {}, [])


def _masked_changes(
    model: type[models.Model] | None, action: int, changes: Any
) -> dict[str, list[Any]]:
    """`changes` ({field: [old, new]}) as they may be stored: secrets as marks, credentials
    in JSON values masked; blank fields of a creation or a deletion, and anything not of
    auditlog's shape, left out."""
    secrets = secret_fields(model) if model is not None else frozenset()
    masked: dict[str, list[Any]] = {}
    for name, pair in (changes or {}).items():
        if is_m2m_change(pair):
            masked[name] = m2m_change(pair)
            continue
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        old, new = pair
        if (action == LogEntry.Action.CREATE and new in _BLANK) or (
            action == LogEntry.Action.DELETE and old in _BLANK
        ):
            continue
        if name in secrets or (model is None and is_secret_name(name)):
            masked[name] = masked_pair(old, new)
        else:
            masked[name] = masked_values_pair(old, new)
    return masked


def is_m2m_change(value: Any) -> bool:
    """Whether `value` is what django-auditlog records for objects added to or removed from
    a many-to-many field: {"type": "m2m", "operation": "add" or "delete", "objects": [...]}."""
    return isinstance(value, dict) and value.get("type") == "m2m"


def m2m_change(value: dict[str, Any]) -> dict[str, Any]:
    """A many-to-many change as stored: its operation and the names of the objects."""
    objects = value.get("objects")
    names = [str(item) for item in objects] if isinstance(objects, list) else []
    operation = "add" if value.get("operation") == "add" else "delete"
    return {"type": "m2m", "operation": operation, "objects": names}


def _relations(model: type[models.Model]) -> dict[str, models.Field]:
    return {
        field.name: field
        for field in model._meta.concrete_fields
        if field.is_relation and (field.many_to_one or field.one_to_one)
    }


def _key(model: type[models.Model], value: Any) -> Any | None:
    """`value` as a primary key of `model`, or None when it is none (a name already)."""
    if value is None:
        return None
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        return None


def _name_related(entries: Sequence[LogEntry]) -> None:
    """Replace the primary keys of related objects in the entries' changes by the objects'
    names: one query per related model, whatever the number of entries."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    found: list[tuple[list[Any], int, type[models.Model]]] = []
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        relations = _relations(model)
        for name, pair in entry.changes.items():
            field = relations.get(name)
            if field is None:
                continue
            for position, value in enumerate(pair):
                key = _key(field.related_model, value)
                if key is not None:
                    pair[position] = key
                    wanted[field.related_model].add(key)
                    found.append((pair, position, field.related_model))
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, keys in wanted.items():
        # select_related(): the names of connections and sessions are those of their
        # exchange, router and AS.
        rows = related._base_manager.select_related().filter(pk__in=keys)
        names.update({(related, row.pk): str(row) for row in rows})
    for pair, position, related in found:
        key = pair[position]
        pair[position] = names.get((related, key), f"#{key} (deleted)")


def prepare(entries: Sequence[LogEntry]) -> None:
    """Fill in who made the changes and mask and name their values (see the module's
    text), on entries not saved yet."""
    state = current_recording()
    data = who(state) or None
    user = state.user if state is not None else None
    for entry in entries:
        model = entry.content_type.model_class()
        entry.changes = _masked_changes(model, entry.action, entry.changes)
        entry.changes_text = ""
        entry.serialized_data = None
        entry.actor_email = None
        entry.additional_data = dict(data) if data else None
        if user is not None:
            entry.actor = user
    _name_related(entries)


def _before_entry_saved(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    # A new entry only: loading a dump (raw) or saving an entry again leaves it as it is.
    if instance._state.adding and not kwargs.get("raw"):
        prepare([instance])


def connect() -> None:
    """Pass every entry django-auditlog writes through prepare(). Called by ready()."""
    pre_save.connect(_before_entry_saved, sender=LogEntry, dispatch_uid="changelog-prepare")


def _entry(action: int, old: models.Model | None, new: models.Model | None) -> LogEntry | None:
    instance = new if new is not None else old
    changes = model_instance_diff(old, new, use_json_for_changes=True)
    if not changes:
        return None
    pk = instance.pk
    return LogEntry(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_pk=smart_str(pk),
        object_id=pk if isinstance(pk, int) else None,
        object_repr=smart_str(instance),
        action=action,
        changes=changes,
    )


def _write(entries: list[LogEntry]) -> int:
    if not entries:
        return 0
    prepare(entries)
    LogEntry.objects.bulk_create(entries)
    return len(entries)


def record_created(created: Mapping[type[models.Model], Iterable[Any]]) -> int:
    """Record the creation of objects written by something that sends no signal
    (bulk_create): `created` maps each model to the primary keys of its new objects.
    One INSERT for them all, whatever their number; returns how many entries were written.

    The objects are read again, one query per model, so that each entry says what the
    database holds and names the object as its page does."""
    if auditlog_disabled.get():
        return 0
    entries = []
    for model, keys in created.items():
        if not is_tracked(model):
            continue
        rows = model._base_manager.select_related().filter(pk__in=list(keys)).order_by("pk")
        entries += [entry for row in rows if (entry := _entry(LogEntry.Action.CREATE, None, row))]
    return _write(entries)


def record_changed(pairs: Iterable[tuple[models.Model, models.Model]]) -> int:
    """Record changes written without signals (bulk_update, QuerySet.update()): each pair
    is the object before and after (a copy.copy() taken before changing it, and the
    object); pairs that differ in no followed field are skipped. One INSERT; returns how
    many entries were written. The objects' names (str()) must not need a query."""
    if auditlog_disabled.get():
        return 0
    entries = [
        entry
        for before, after in pairs
        if is_tracked(type(after)) and (entry := _entry(LogEntry.Action.UPDATE, before, after))
    ]
    return _write(entries)
