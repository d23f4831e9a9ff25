"""The PeeringDB synchronisation benchmark: N networks on M IXes from a local PeeringDB.

Runs, each measured (time, queries): a first (full) sync; a second with nothing new; an
incremental one after some networks raise their max-prefixes, leave an IX and join one;
the full sync again at a tenth of the size (its query count must be the same: bulk
writes); and the naive reference (one update_or_create per object) on the same data.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.db import transaction

from bench.database import ScratchDatabase
from bench.measure import Cost, measuring
from bench.report import Record, heading, number, table
from peering.models import AutonomousSystem
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan
from peeringdb.shapes import SHAPES
from peeringdb.sync import synchronise
from peeringdb.testserver import LocalPeeringDB, generate

HEADERS = ["run", "objects", "seconds", "queries", "written", "AS changes"]
MODELS = (IX, IXLan, IXLanPrefix, Network, NetworkIXLan)


def _empty() -> None:
    for model in (*MODELS, AutonomousSystem):
        model.objects.all().delete()


def _inventory(data: dict[str, list[dict]]) -> None:
    """The inventory knows a tenth of the networks: they follow PeeringDB."""
    networks = data["net"]
    AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=net["asn"], name=f"AS{net['asn']}")
        for net in networks[: max(1, len(networks) // 10)]
    )


def _sync(server: LocalPeeringDB, full: bool = False) -> tuple[Cost, Any]:
    with measuring() as cost:
        result = synchronise(full=full)
    if not result.ok:
        raise SystemExit(f"peeringdb: the sync failed: {result.error}")
    return cost, result


def _naive(data: dict[str, list[dict]]) -> Cost:
    """One update_or_create per object: what a per-object synchronisation costs."""
    with measuring() as cost, transaction.atomic():
        for object_type, shape in SHAPES.items():
            for obj in data[object_type]:
                pk, values = shape.row(obj)
                shape.model.objects.update_or_create(
                    pk=pk, defaults=dict(zip(shape.field_names, values, strict=True))
                )
    return cost


def _received(result: Any) -> int:
    return sum(counts.received for counts in result.counts.values())


def _objects(data: dict[str, list[dict]]) -> int:
    return sum(len(data[object_type]) for object_type in SHAPES)


def _row(label: str, objects: int, cost: Cost, result: Any = None) -> list[str]:
    written = "-" if result is None else number(result.written - len(result.changes))
    changes = "-" if result is None else number(len(result.changes))
    return [label, number(objects), number(cost.seconds, 2), number(cost.queries), written, changes]


def run(args: argparse.Namespace, database: ScratchDatabase) -> int:
    from django.conf import settings

    record = Record("peeringdb", database.kind)
    print(heading(f"peeringdb: {args.networks} networks x {args.ixes} IXes, {database.kind}"))
    print(f"database: {database.label}")
    data, small = generate(args.networks, args.ixes), generate(args.networks // 10, args.ixes)
    rows, costs = [], {}
    with LocalPeeringDB(data=data) as server:
        settings.PEERINGDB_URL = server.url
        _inventory(data)
        costs["full"], result = _sync(server)
        rows.append(_row("first sync (full)", _objects(data), costs["full"], result))
        costs["same"], result = _sync(server)
        rows.append(
            _row("second sync, nothing new", result.counts["net"].received, costs["same"], result)
        )
        for net in data["net"][: args.changes]:
            server.set_max_prefixes(net["asn"], ipv4=(net["info_prefixes4"] or 0) + 1)
        for net in data["net"][args.changes : 2 * args.changes]:
            server.leave_ix(net["asn"], 1)
        costs["changed"], result = _sync(server)
        received = _received(result)
        rows.append(
            _row(
                f"incremental ({args.changes} raise, {args.changes} leave)",
                received,
                costs["changed"],
                result,
            )
        )
    _empty()
    with LocalPeeringDB(data=small) as server:
        settings.PEERINGDB_URL = server.url
        _inventory(small)
        costs["small"], result = _sync(server)
        rows.append(_row("first sync, a tenth", _objects(small), costs["small"], result))
    _empty()
    costs["naive"] = _naive(data)
    rows.append(_row("naive: update_or_create each", _objects(data), costs["naive"]))
    print()
    print(table(HEADERS, rows))
    print()
    same = costs["full"].queries == costs["small"].queries
    verdict = "the same" if same else "NOT the same"
    ratio = costs["naive"].seconds / costs["full"].seconds
    print(
        f"first sync: {costs['full'].queries} queries for {_objects(data):,} objects, "
        f"{costs['small'].queries} for {_objects(small):,} ({verdict}); "
        f"nothing new: {costs['same'].queries} queries, {costs['same'].seconds:.2f} s; "
        f"naive: {costs['naive'].queries:,} queries, {ratio:.1f}x our time."
    )
    for name, cost in costs.items():
        record.add(name, cost.as_dict())
    record.add("same_queries", same)
    record.write(args.json)
    return 0 if same else 1
