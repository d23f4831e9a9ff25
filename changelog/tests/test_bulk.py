"""Writes that send no signal are recorded all the same, in one INSERT however many
objects they write: sessions discovered on the routers, sessions created from PeeringDB's
available peers, ASes following PeeringDB, links PeeringDB's deletions clear."""

from __future__ import annotations

import getpass
from pathlib import Path

from auditlog.models import LogEntry
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from changelog.tests.recorded import entries, logged_in, who
from core.tests.builders import our_as
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peeringdb.sync import synchronise
from peeringdb.tests.factories import demo_exchange, demo_ixlan
from peerkeeper.testing import mock_router, run_command, summary_peer

CREATED, CHANGED = LogEntry.Action.CREATE, LogEntry.Action.UPDATE
DEMO_PEERINGDB = Path(__file__).resolve().parents[2] / "peeringdb" / "fixtures" / "demo"


def _entry_inserts(captured: CaptureQueriesContext) -> int:
    table = LogEntry._meta.db_table
    return sum(1 for query in captured if query["sql"].startswith(f'INSERT INTO "{table}"'))


def test_discovered_sessions_and_their_new_ases_are_recorded_in_one_insert(db, tmp_path) -> None:
    demo_ixlan()
    peers = {f"192.0.2.{n}": summary_peer(remote_as=64490 + n) for n in range(15, 20)}
    neighbors = {"global": {"router_id": "192.0.2.1", "peers": peers}}
    router = mock_router(tmp_path, {"get_bgp_neighbors": neighbors}, "r1", None)
    exchange = InternetExchange.objects.create(
        name="Demo IX", slug="demo-ix", local_autonomous_system=router.local_autonomous_system
    )
    Connection.objects.create(
        internet_exchange=exchange, router=router, ipv4_address="192.0.2.1/24"
    )

    with CaptureQueriesContext(db_connection) as captured:
        status, out, err = run_command("discover_ixp_sessions", "demo-ix")
    assert status == 0, out + err

    sessions = entries(InternetExchangePeeringSession)
    assert [(e.action, e.object_repr) for e in sessions] == [
        (CREATED, f"AS{64490 + n} 192.0.2.{n} on Demo IX on r1") for n in range(15, 20)
    ]
    # Related objects by name: the AS made from its PeeringDB record.
    assert sessions[0].changes["autonomous_system"] == [None, "AS64505 Peer Five"]
    assert sessions[0].changes["ixp_connection"] == [None, "Demo IX on r1"]
    new_ases = [e for e in entries(AutonomousSystem) if e.object_repr != "AS64500 Us"]
    assert [e.object_repr for e in new_ases] == [
        "AS64505 Peer Five",
        "AS64506 Peer Six",
        "AS64507 Peer Seven",
        "AS64508 Peer Eight",
        "AS64509 Peer Nine",
    ]
    assert {who(e) for e in [*sessions, *new_ases]} == {(None, "command", getpass.getuser())}
    assert _entry_inserts(captured) == 1


def test_sessions_created_from_available_peers_are_the_users(db, make_user) -> None:
    demo_ixlan()
    exchange = demo_exchange()
    pk = exchange.connections.get().pk
    client = logged_in(
        make_user,
        "peering.add_internetexchangepeeringsession",
        "peering.add_autonomoussystem",
        username="carol",
    )
    before = LogEntry.objects.count()
    with CaptureQueriesContext(db_connection) as captured:
        response = client.post(
            f"/peeringdb/ixps/{exchange.pk}/create-sessions/",
            {"peer": [f"{pk}:64505", f"{pk}:64510"]},
        )
    assert response.status_code == 302

    new = LogEntry.objects.order_by("pk")[before:]
    assert sorted(e.object_repr for e in new) == [
        "AS64505 192.0.2.15 on Demo IX on r1",
        "AS64505 2001:db8:1::15 on Demo IX on r1",
        "AS64505 Peer Five",
        "AS64510 192.0.2.253 on Demo IX on r1",
        "AS64510 192.0.2.254 on Demo IX on r1",
        "AS64510 2001:db8:1::253 on Demo IX on r1",
        "AS64510 2001:db8:1::254 on Demo IX on r1",
        "AS64510 Demo IX Route Servers",
    ]
    assert {who(e) for e in new} == {("carol", "page", "carol")}
    assert {e.action for e in new} == {CREATED}
    route_server = next(e for e in new if e.object_repr.startswith("AS64510 192.0.2.253"))
    assert route_server.changes["is_route_server"] == [None, True]
    assert _entry_inserts(captured) == 1


def test_ases_following_peeringdb_are_recorded_in_one_insert(db) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Old One", ipv4_max_prefixes=10)
    AutonomousSystem.objects.create(asn=64502, name="Old Two")
    AutonomousSystem.objects.create(asn=64503, name="Kept Three", local_fields=["name"])
    with CaptureQueriesContext(db_connection) as captured:
        status, out, err = run_command("peeringdb_sync", "--from-directory", str(DEMO_PEERINGDB))
    assert status == 0, out + err

    changed = {e.object_repr: e for e in entries(AutonomousSystem, action=CHANGED)}
    assert changed["AS64501 Peer One"].changes["name"] == ["Old One", "Peer One"]
    assert changed["AS64501 Peer One"].changes["ipv4_max_prefixes"] == [10, 100]
    assert changed["AS64502 Peer Two"].changes["name"] == ["Old Two", "Peer Two"]
    # The name it keeps local does not change; what PeeringDB gives for the rest does.
    assert "name" not in changed["AS64503 Kept Three"].changes
    assert {who(e) for e in changed.values()} == {(None, "command", getpass.getuser())}
    assert _entry_inserts(captured) == 1


def test_a_dry_run_records_nothing(db) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Old One")
    before = LogEntry.objects.count()
    status, out, err = run_command(
        "peeringdb_sync", "--from-directory", str(DEMO_PEERINGDB), "--dry-run"
    )
    assert status == 0, out + err
    assert AutonomousSystem.objects.get(asn=64501).name == "Old One"
    assert LogEntry.objects.count() == before


def test_a_link_cleared_by_a_peeringdb_deletion_is_recorded(db, local_peeringdb) -> None:
    assert synchronise().ok
    exchange = InternetExchange.objects.create(
        name="Two", slug="two", local_autonomous_system=our_as(), peeringdb_ix_id=2
    )
    local_peeringdb.delete("ix", 2)

    assert synchronise().ok

    exchange.refresh_from_db()
    assert exchange.peeringdb_ix_id is None
    [created, cleared] = entries(InternetExchange, object_id=exchange.pk)
    assert created.changes["peeringdb_ix"] == [None, "Documentation IX Two"]
    assert cleared.action == CHANGED
    assert cleared.changes == {"peeringdb_ix": ["Documentation IX Two", None]}
