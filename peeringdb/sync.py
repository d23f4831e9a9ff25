"""Synchronise the local copy of PeeringDB, then the autonomous systems that follow it.

1. Read (no transaction open): for each object type, every live object on the first run
   (or with `full`), else only those updated since the newest `updated` already held,
   which the API gives with the deleted ones.
2. Write, in one transaction: objects created, changed or deleted upstream, in bulk (one
   upsert statement per type where the database allows it, a delete per ten thousand
   ids); objects whose values did not change are not written. Then each AS of the
   inventory takes its PeeringDB values for the fields it does not keep local
   (peeringdb.follow), each change recorded.

Anything PeeringDB says that cannot be stored (an error, a non-JSON answer, a value of
the wrong kind) stops the synchronisation before the write: the local data stays as it
was. The number of queries does not grow with the number of objects (on SQLite, whose
statements take fewer parameters, it grows by one per few hundred rows written).
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from changelog.entries import record_changed
from peering.models import Connection, InternetExchange
from peeringdb.client import OBJECT_TYPES, Answer, PeeringDBClient, PeeringDBError, Source
from peeringdb.follow import FieldChange, follow_peeringdb
from peeringdb.models import SyncSource
from peeringdb.shapes import NOUNS, SHAPES, Shape

logger = logging.getLogger(__name__)

# Ids per DELETE; an upsert takes as many rows as the database allows in one statement.
DELETE_BATCH = 10_000
DELETED = "deleted"
# `since` asks for objects updated strictly after it (PeeringDB rest.py, django-handleref
# `since`), by PeeringDB's clock in whole seconds: asking from a little before the newest
# object held also brings what PeeringDB saved in that second, or committed a little
# late, after our last read. Objects read again unchanged are not written.
SINCE_MARGIN_S = 300
# A complete answer that would delete more than half of a type's objects (of at least this
# many) from the same source is refused: a truncated answer, not PeeringDB. An empty one
# is refused whatever the numbers.
SHRINK_GUARD = 10


@dataclass
class Counts:
    """What one synchronisation did to one object type's rows."""

    received: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class SyncResult:
    """The outcome of one synchronisation: per object type (`counts`), whether it was read
    whole or since a time (`since`: unix seconds per type, None when whole), the AS
    changes made, and `error` (one sentence) when nothing could be written."""

    source: str
    counts: dict[str, Counts] = field(default_factory=dict)
    since: dict[str, int | None] = field(default_factory=dict)
    changes: list[FieldChange] = field(default_factory=list)
    cleared_links: list[str] = field(default_factory=list)
    error: str = ""
    duration_s: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def written(self) -> int:
        """Rows created, updated or deleted (to be, in a dry run), AS changes included."""
        return sum(counts.written for counts in self.counts.values()) + len(self.changes)

    @property
    def kind(self) -> str:
        return "full" if all(since is None for since in self.since.values()) else "incremental"

    def lines(self) -> list[str]:
        """The summary people read: a table of object types, then the AS changes."""
        if self.error:
            return [f"PeeringDB synchronisation failed: {self.error} Nothing was changed."]
        done = "read (dry run)" if self.dry_run else "synchronised"
        lines = [f"PeeringDB {done} from {self.source} ({self.kind}, {self.duration_s:.1f} s)."]
        if not self.written:
            lines.append("Nothing changed: nothing was written.")
            return lines
        if self.dry_run:
            lines.append("Dry run: what a synchronisation would change; nothing was written.")
        lines.append(f"  {'':<18}{'received':>10}{'created':>10}{'updated':>10}{'deleted':>10}")
        for object_type, counts in self.counts.items():
            lines.append(
                f"  {NOUNS[object_type]:<18}{counts.received:>10,}{counts.created:>10,}"
                f"{counts.updated:>10,}{counts.deleted:>10,}"
            )
        systems = len({change.asn for change in self.changes})
        lines.append(
            f"  autonomous systems: {systems} updated"
            + ("" if systems else " (none follows a changed PeeringDB value)")
        )
        lines.extend(f"    {change}" for change in self.changes)
        if self.cleared_links:
            lines.append("  links cleared (PeeringDB deleted what they named):")
            lines.extend(f"    {link}" for link in self.cleared_links)
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "error": self.error,
            "dry_run": self.dry_run,
            "kind": self.kind,
            "written": self.written,
            "cleared_links": self.cleared_links,
            "duration_s": round(self.duration_s, 3),
            "since": self.since,
            "counts": {
                object_type: {
                    "received": c.received,
                    "created": c.created,
                    "updated": c.updated,
                    "deleted": c.deleted,
                }
                for object_type, c in self.counts.items()
            },
            "autonomous_systems": [change.as_dict() for change in self.changes],
        }


def synchronise(
    source: Source | None = None,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
    dry_run: bool = False,
) -> SyncResult:
    """Bring the local copy up to date with `source` (default: the API at PEERINGDB_URL)
    and the ASes up to date with it; with `dry_run`, say what that would change and write
    nothing. Never raises for what PeeringDB says or for a database error: the result's
    `error` says it, and nothing was written."""
    say = progress or (lambda message: None)
    started = time.monotonic()
    if source is None:
        source = PeeringDBClient(on_wait=say)
    result = SyncResult(source.description, dry_run=dry_run)
    try:
        held = SyncSource.objects.filter(pk=1).values_list("source", flat=True).first()
        changed_source = held is not None and held != source.description
        if changed_source and source.incremental and not full:
            say(f"The local copy came from {held}: reading everything from {source.description}.")
        whole = full or not source.incremental or changed_source
        answers = _read(source, whole, result, say)
        say("Comparing with the local copy.")
        with transaction.atomic():
            for answer in answers:
                counts = _apply(SHAPES[answer.object_type], answer, changed_source, result)
                result.counts[answer.object_type] = counts
            result.changes = follow_peeringdb(timezone.now())
            if held != source.description:
                SyncSource.objects.update_or_create(pk=1, defaults={"source": source.description})
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except PeeringDBError as exc:
        result.error = str(exc)
    except DatabaseError as exc:
        logger.exception("PeeringDB synchronisation: database error")
        result.error = f"database error: {str(exc).strip().splitlines()[0][:200]}."
    result.duration_s = time.monotonic() - started
    return result


class _DryRun(Exception):
    """Rolls a dry run's transaction back."""


def _read(
    source: Source, whole: bool, result: SyncResult, say: Callable[[str], None]
) -> list[Answer]:
    answers = []
    for object_type in OBJECT_TYPES:
        since = None if whole else _newest(SHAPES[object_type])
        result.since[object_type] = since
        when = "all" if since is None else f"updated since {_moment(since)}"
        say(f"Reading {NOUNS[object_type]} ({when}) from {source.description}.")
        answer = source.fetch(object_type, since)
        say(f"  {len(answer.objects):,} received.")
        answers.append(answer)
    return answers


def _newest(shape: Shape) -> int | None:
    """Unix seconds from which to ask for the type's changes (SINCE_MARGIN_S before the
    newest `updated` held); None when none is held: ask for everything."""
    newest = shape.model.objects.aggregate(newest=Max("updated"))["newest"]
    if newest is None:
        return None
    return int(min(newest, timezone.now()).timestamp()) - SINCE_MARGIN_S


def _moment(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _apply(shape: Shape, answer: Answer, changed_source: bool, result: SyncResult) -> Counts:
    """Write one type's answer: create and update what differs, delete what PeeringDB
    deleted (or, for a complete answer, no longer lists). Bulk statements only.
    PeeringDBError for a value of the wrong kind, or for a complete answer that would
    delete more than half of a type's objects from the same source (a truncated answer)."""
    model, names = shape.model, shape.field_names
    counts = Counts(received=len(answer.objects))
    held = {row[0]: row[1:] for row in model.objects.values_list("pk", *names)}
    upserts, deleted, listed = [], set(), set()
    for obj in answer.objects:
        pk, values = shape.row(obj)
        status = values[names.index("status")]
        if status == DELETED:
            if pk in held:
                deleted.add(pk)
            continue
        listed.add(pk)
        if held.get(pk) == values:
            continue
        if pk in held:
            counts.updated += 1
        else:
            counts.created += 1
        upserts.append(model(pk=pk, **dict(zip(names, values, strict=True))))
    if answer.complete:
        kept = len(set(held) & listed)
        if held and not answer.objects:
            raise PeeringDBError(
                f"PeeringDB's complete list of {NOUNS[shape.object_type]} is empty where "
                f"{len(held):,} are held here: an empty answer is not trusted."
            )
        if len(held) >= SHRINK_GUARD and kept < len(held) / 2 and not changed_source:
            raise PeeringDBError(
                f"PeeringDB's complete list of {NOUNS[shape.object_type]} keeps {kept:,} of "
                f"the {len(held):,} held here: an answer that would delete more than half "
                "of them is not trusted."
            )
        deleted |= set(held) - listed
    deleted -= listed  # listed alive and deleted in one answer: the live one wins
    ids = sorted(deleted)
    result.cleared_links += cleared_links(shape.object_type, ids)
    for start in range(0, len(ids), DELETE_BATCH):
        model.objects.filter(pk__in=ids[start : start + DELETE_BATCH]).delete()
    counts.deleted = len(ids)
    if upserts:
        model.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=names,
        )
    return counts


def cleared_links(object_type: str, ids: list[int]) -> list[str]:
    """The inventory's links to the IXes or IX LANs of `ids`, which deleting them clears
    (the links are set to blank: matched again, by subnet, from then on), recorded as
    such in the change log (the deletion clears them with an UPDATE that sends no
    signal). Two queries."""
    if not ids or object_type not in ("ix", "ixlan"):
        return []
    if object_type == "ix":
        linked = list(InternetExchange.objects.filter(peeringdb_ix_id__in=ids))
        _record_cleared(linked, "peeringdb_ix")
        return [f"{ixp}: PeeringDB IX {ixp.peeringdb_ix_id} was deleted" for ixp in linked]
    linked = list(
        Connection.objects.filter(peeringdb_ixlan_id__in=ids).select_related(
            "internet_exchange", "router"
        )
    )
    _record_cleared(linked, "peeringdb_ixlan")
    return [f"{c}: PeeringDB IX LAN {c.peeringdb_ixlan_id} was deleted" for c in linked]


def _record_cleared(linked: list[InternetExchange] | list[Connection], field_name: str) -> None:
    pairs = []
    for obj in linked:
        after = copy.copy(obj)
        setattr(after, field_name, None)
        pairs.append((obj, after))
    record_changed(pairs)
