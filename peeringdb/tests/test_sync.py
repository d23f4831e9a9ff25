"""PeeringDB synchronisation against the local PeeringDB server (peeringdb.testserver)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peering.models import AutonomousSystem, AutonomousSystemChange, PeeringPolicy
from peeringdb.client import DirectorySource, PeeringDBClient
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan
from peeringdb.sync import synchronise
from peeringdb.testserver import DEMO_DATA, load
from peerkeeper.testing import run_command

pytestmark = pytest.mark.django_db(transaction=False)

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


def _peer_one() -> AutonomousSystem:
    return AutonomousSystem.objects.create(
        asn=64501, name="Peer One", ipv4_max_prefixes=100, ipv6_max_prefixes=20
    )


def test_a_first_sync_copies_every_object_and_the_ases_follow(local_peeringdb) -> None:
    system = _peer_one()
    lines: list[str] = []
    result = synchronise(progress=lines.append)

    assert result.ok, result.error
    data = load(DEMO_DATA)
    assert Network.objects.count() == len(data["net"]) == result.counts["net"].created
    assert IX.objects.count() == len(data["ix"])
    assert IXLan.objects.count() == len(data["ixlan"])
    assert IXLanPrefix.objects.filter(prefix="192.0.2.0/24").exists()
    assert NetworkIXLan.objects.filter(asn=64501, ipaddr6="2001:db8:1::11").exists()
    assert all(since is None for since in result.since.values())
    assert any("Reading networks (all)" in line for line in lines)

    system.refresh_from_db()
    assert system.irr_as_set == "AS-PEERONE"
    assert system.peering_policy == PeeringPolicy.OPEN
    assert (system.ipv4_max_prefixes, system.ipv6_max_prefixes) == (100, 20)
    recorded = {(c.field, c.old_value, c.new_value) for c in system.changes.all()}
    assert recorded == {("irr_as_set", "", "AS-PEERONE"), ("peering_policy", "", "open")}


def test_zero_in_peeringdb_means_no_limit(local_peeringdb) -> None:
    AutonomousSystem.objects.create(asn=64502, name="Peer Two")
    assert synchronise().ok
    system = AutonomousSystem.objects.get(asn=64502)
    assert (system.ipv4_max_prefixes, system.ipv6_max_prefixes) == (12000, None)


def test_a_sync_with_nothing_new_writes_nothing_and_says_so(local_peeringdb) -> None:
    _peer_one()
    assert synchronise().ok
    local_peeringdb.requests.clear()
    with CaptureQueriesContext(connection) as queries:
        result = synchronise()
    assert result.ok
    assert _writes(queries) == []
    assert result.written == 0
    assert "Nothing changed: nothing was written." in result.lines()
    # Incremental: every type asked with `since`.
    sent = [request for request in local_peeringdb.requests if request.path.startswith("/api/")]
    assert len(sent) == 5 and all("since" in request.query for request in sent)


def test_a_raised_max_prefix_reaches_the_as_and_is_recorded(local_peeringdb) -> None:
    system = _peer_one()
    assert synchronise().ok
    local_peeringdb.set_max_prefixes(64501, ipv4=150)

    result = synchronise()

    assert result.ok, result.error
    assert result.counts["net"].updated == 1
    assert [str(change) for change in result.changes] == ["AS64501 IPv4 max prefixes: 100 → 150"]
    system.refresh_from_db()
    assert system.ipv4_max_prefixes == 150
    change = system.changes.get(field="ipv4_max_prefixes")
    assert (change.old_value, change.new_value) == ("100", "150")


def test_a_field_kept_local_wins(local_peeringdb) -> None:
    system = _peer_one()
    system.ipv4_max_prefixes, system.local_fields = 90, ["ipv4_max_prefixes"]
    system.save()
    local_peeringdb.set_max_prefixes(64501, ipv4=150)

    assert synchronise().ok

    system.refresh_from_db()
    assert system.ipv4_max_prefixes == 90
    assert system.irr_as_set == "AS-PEERONE"  # the others still follow
    assert not system.changes.filter(field="ipv4_max_prefixes").exists()


def test_leaving_and_joining_an_ix_reach_the_copy(local_peeringdb) -> None:
    assert synchronise().ok
    local_peeringdb.leave_ix(64503, 1)
    local_peeringdb.join_ix(64504, 1, ipaddr4="192.0.2.14", ipaddr6="2001:db8:1::14")

    result = synchronise()

    assert result.ok, result.error
    assert result.counts["netixlan"].deleted == 1
    assert result.counts["netixlan"].created == 1
    assert not NetworkIXLan.objects.filter(asn=64503, ixlan_id=1).exists()
    joined = NetworkIXLan.objects.get(asn=64504, ixlan_id=1)
    assert (joined.ipaddr4, joined.ipaddr6) == ("192.0.2.14", "2001:db8:1::14")


def test_a_rate_limit_is_waited_out(local_peeringdb) -> None:
    local_peeringdb.throttle(times=1, retry_after=1)
    lines: list[str] = []
    result = synchronise(progress=lines.append)
    assert result.ok, result.error
    assert "PeeringDB asks to wait 1 s (HTTP 429, rate limit); waiting." in lines
    first = [r for r in local_peeringdb.requests if r.path == "/api/ix"]
    assert len(first) == 2  # refused once, then answered


def test_a_rate_limit_longer_than_allowed_fails_without_waiting(local_peeringdb, settings) -> None:
    settings.PEERINGDB_MAX_WAIT = 5
    local_peeringdb.throttle(times=1, retry_after=3600)
    result = synchronise()
    assert not result.ok
    assert "asks to wait 3600 s" in result.error
    assert "more than PEERINGDB_MAX_WAIT (5 s) in all" in result.error
    assert Network.objects.count() == 0


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (lambda server: server.fail(status=500), "PeeringDB answered HTTP 500"),
        (lambda server: server.garbage(), "PeeringDB's answer is not JSON"),
        (lambda server: server.garbage(body=b'{"meta": {}}'), "has no list of objects"),
    ],
)
def test_a_bad_answer_fails_in_one_sentence_and_changes_nothing(local_peeringdb, fault, expected):
    system = _peer_one()
    assert synchronise().ok
    local_peeringdb.set_max_prefixes(64501, ipv4=150)
    before = list(Network.objects.values_list("pk", "info_prefixes4", "updated"))
    fault(local_peeringdb)

    result = synchronise()

    assert not result.ok
    assert expected in result.error
    assert result.lines() == [
        f"PeeringDB synchronisation failed: {result.error} Nothing was changed."
    ]
    assert "\n" not in result.error
    assert list(Network.objects.values_list("pk", "info_prefixes4", "updated")) == before
    system.refresh_from_db()
    assert system.ipv4_max_prefixes == 100


def test_a_bad_value_late_in_the_answer_rolls_back_everything(local_peeringdb) -> None:
    system = _peer_one()
    assert synchronise().ok
    local_peeringdb.set_max_prefixes(64501, ipv4=150)
    # The networks are written before the network IX LANs, whose answer holds a bad address.
    local_peeringdb.join_ix(64504, 1, ipaddr4="192.0.2.14")
    local_peeringdb.update(
        "netixlan",
        local_peeringdb.objects("netixlan", asn=64504, ixlan_id=1)[0]["id"],
        ipaddr4="not-an-address",
    )

    result = synchronise()

    assert not result.ok
    assert "netixlan" in result.error and "ipaddr4" in result.error
    assert Network.objects.get(asn=64501).info_prefixes4 == 100
    system.refresh_from_db()
    assert system.ipv4_max_prefixes == 100
    assert not AutonomousSystemChange.objects.filter(field="ipv4_max_prefixes").exists()


def test_the_api_key_is_sent_and_never_shown(local_peeringdb, settings) -> None:
    key = "canary-key-5f1d2c"
    settings.PEERINGDB_API_KEY = key
    local_peeringdb.require_api_key(key)
    assert synchronise().ok
    assert all(r.headers.get("Authorization") == f"Api-Key {key}" for r in local_peeringdb.requests)

    settings.PEERINGDB_API_KEY = "wrong-canary-7a9b"
    result = synchronise()
    assert not result.ok
    assert "HTTP 401" in result.error and "check PEERINGDB_API_KEY" in result.error
    assert "canary" not in result.error


def test_an_unreachable_peeringdb_is_one_sentence(db, settings) -> None:
    settings.PEERINGDB_URL = "http://127.0.0.1:1/api"
    result = synchronise()
    assert not result.ok
    assert result.error.startswith("PeeringDB could not be reached (http://127.0.0.1:1/api/ix)")


def test_saved_answers_load_without_a_server(db) -> None:
    result = synchronise(DirectorySource(DEMO_DATA))
    assert result.ok, result.error
    assert Network.objects.filter(asn=64501).exists()
    missing = synchronise(DirectorySource(DEMO_DATA / "nowhere"))
    assert not missing.ok and "does not exist" in missing.error


def test_the_command_prints_progress_and_a_summary(local_peeringdb) -> None:
    status, out, err = run_command("peeringdb_sync")
    assert status == 0, err
    assert "Reading networks (all) from http://127.0.0.1:" in out
    assert "created" in out and "networks" in out
    local_peeringdb.set_max_prefixes(64501, ipv4=150)
    _peer_one()
    status, out, _ = run_command("peeringdb_sync")
    assert status == 0
    assert "AS64501 IPv4 max prefixes: 100 → 150" in out
    status, out, _ = run_command("peeringdb_sync")
    assert "Nothing changed: nothing was written." in out

    local_peeringdb.fail(status=503)
    status, out, err = run_command("peeringdb_sync")
    assert status == 1
    assert err.strip().splitlines() == [
        "PeeringDB synchronisation failed: PeeringDB answered HTTP 503 "
        f"({local_peeringdb.url}/ix). Nothing was changed."
    ]


def test_the_rate_limits_waits_count_in_all_and_never_zero(local_peeringdb, settings) -> None:
    settings.PEERINGDB_MAX_WAIT = 5
    waits: list[float] = []
    local_peeringdb.throttle(times=2, retry_after=0)  # "now": still a second, not a loop
    assert synchronise(PeeringDBClient(sleep=waits.append)).ok
    assert waits == [1.0, 1.0]

    waits.clear()
    local_peeringdb.throttle(times=3, retry_after=2)
    result = synchronise(PeeringDBClient(sleep=waits.append))
    assert not result.ok
    assert waits == [2.0, 2.0]
    assert "after waiting 4 s, more than PEERINGDB_MAX_WAIT (5 s) in all" in result.error


def test_peeringdb_saying_nothing_never_erases_a_limit(local_peeringdb) -> None:
    system = AutonomousSystem.objects.create(
        asn=64502, name="Peer Two", ipv4_max_prefixes=100, ipv6_max_prefixes=50, irr_as_set="AS-X"
    )
    local_peeringdb.update("net", local_peeringdb.network(64502)["id"], irr_as_set="")
    assert synchronise().ok
    system.refresh_from_db()
    # PeeringDB: IPv4 12000, IPv6 0 (not set), no AS-SET: the IPv6 limit and AS-SET stay.
    assert (system.ipv4_max_prefixes, system.ipv6_max_prefixes) == (12000, 50)
    assert system.irr_as_set == "AS-X"


def test_a_dry_run_says_what_would_change_and_writes_nothing(local_peeringdb) -> None:
    system = _peer_one()
    assert synchronise().ok
    local_peeringdb.set_max_prefixes(64501, ipv4=150)
    with CaptureQueriesContext(connection) as queries:
        result = synchronise(dry_run=True)
    assert result.ok
    assert "AS64501 IPv4 max prefixes: 100 → 150" in [str(c) for c in result.changes]
    assert "Dry run: what a synchronisation would change; nothing was written." in result.lines()
    system.refresh_from_db()
    assert system.ipv4_max_prefixes == 100
    assert Network.objects.get(asn=64501).info_prefixes4 == 100
    # Written, then rolled back: the savepoint's release never happened.
    assert any("ROLLBACK" in q["sql"].upper() for q in queries.captured_queries)


def test_another_source_is_read_whole_not_mixed_in(local_peeringdb) -> None:
    assert synchronise(DirectorySource(DEMO_DATA)).ok
    lines: list[str] = []
    result = synchronise(progress=lines.append)
    assert result.ok
    assert result.kind == "full"
    assert any(line.startswith("The local copy came from ") for line in lines)
    assert synchronise().kind == "incremental"  # the same source again


def test_a_complete_answer_that_would_delete_most_of_the_copy_is_refused(local_peeringdb):
    assert synchronise().ok
    held = NetworkIXLan.objects.count()
    truncated = {"meta": {}, "data": local_peeringdb.objects("netixlan")[:3]}
    local_peeringdb.stall(0.001, times=4)  # the first four answers as they are
    local_peeringdb.garbage(body=json.dumps(truncated).encode())

    result = synchronise(full=True)

    assert not result.ok
    assert f"keeps 3 of the {held} held here" in result.error
    assert NetworkIXLan.objects.count() == held


def test_links_peeringdb_deletes_are_cleared_and_said(local_peeringdb) -> None:
    from peering.models import Connection, InternetExchange
    from peeringdb.models import IXLan as MirrorIXLan

    assert synchronise().ok
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    ixp = InternetExchange.objects.create(name="Two", slug="two", local_autonomous_system=ours)
    ixp.peeringdb_ix_id = 2
    ixp.save()
    local_peeringdb.delete("ix", 2)

    result = synchronise()

    assert result.ok, result.error
    assert "Two: PeeringDB IX 2 was deleted" in result.cleared_links
    assert any("links cleared" in line for line in result.lines())
    ixp.refresh_from_db()
    assert ixp.peeringdb_ix_id is None
    assert not MirrorIXLan.objects.filter(ix_id=2).exists()
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("object_type", "field", "value", "expected"),
    [
        ("net", "updated", "2025-13-45T12:00:00Z", "is not a date and time"),
        ("net", "asn", 2**64, "is not an AS number"),
        ("net", "asn", 0, "is not an AS number"),
        ("netixlan", "ipaddr4", "2001:db8:1::99", "is not an IPv4 address"),
        ("netixlan", "ipaddr6", "192.0.2.99", "is not an IPv6 address"),
        ("netixlan", "speed", -1, "is not a whole number"),
        ("net", "updated", "2099-01-01T00:00:00Z", "is in the future"),
        ("netixlan", "ipaddr6", "2001:db8:1::99%eth0", "is an address with a scope"),
        ("ixpfx", "protocol", "IPv6", "does not match the prefix"),
        ("net", "info_prefixes4", 3_000_000_000, "is more than 2,147,483,647 prefixes"),
    ],
)
def test_a_value_of_the_wrong_kind_is_one_sentence(
    db, tmp_path, object_type, field, value, expected
) -> None:
    data = load(DEMO_DATA)
    data[object_type][0][field] = value
    for name, objects in data.items():
        (tmp_path / f"{name}.json").write_text(json.dumps({"meta": {}, "data": objects}))
    result = synchronise(DirectorySource(tmp_path))
    assert not result.ok
    assert f"PeeringDB's {object_type} {data[object_type][0]['id']}: {field}" in result.error
    assert expected in result.error
    assert "\n" not in result.error
    assert Network.objects.count() == 0


def test_only_web_addresses_are_kept_as_links(local_peeringdb) -> None:
    local_peeringdb.update(
        "net", local_peeringdb.network(64501)["id"], website="javascript:alert(1)"
    )
    assert synchronise().ok
    assert Network.objects.get(asn=64501).website == ""
    assert Network.objects.get(asn=64502).website.startswith("https://")


def test_a_saved_answers_directory_is_read_whole_and_said_so(db) -> None:
    lines: list[str] = []
    result = synchronise(DirectorySource(DEMO_DATA), progress=lines.append)
    assert result.kind == "full"
    assert not any("updated since" in line for line in lines)
    status, _, err = run_command("peeringdb_sync", "--from-directory", "")
    assert (status, err.strip()) == (1, "--from-directory needs a directory.")


def test_a_key_pasted_with_a_newline_is_used_and_a_bad_one_never_shown(local_peeringdb) -> None:
    from peerkeeper.config import ConfigurationError, load_configuration

    environ = {"PEERKEEPER_SECRET_KEY": "x" * 50, "PEERKEEPER_PEERINGDB_API_KEY": "canary-1\n"}
    assert load_configuration(environ=environ)["PEERINGDB_API_KEY"] == "canary-1"
    environ["PEERKEEPER_PEERINGDB_API_KEY"] = "canary-2 €"
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(environ=environ)
    assert "PEERINGDB_API_KEY must be printable ASCII" in str(raised.value)
    assert "canary" not in str(raised.value)

    # Set past the configuration (a test, a plugin): the request fails, the key unshown.
    result = synchronise(PeeringDBClient(api_key="canary-3\x7f\n€"))
    assert not result.ok
    assert "canary" not in result.error


def test_names_cannot_start_lines_and_as_sets_must_read_as_such(local_peeringdb) -> None:
    one, two = local_peeringdb.network(64501)["id"], local_peeringdb.network(64502)["id"]
    local_peeringdb.update("net", one, name="Peer\nneighbor 1.2.3.4 remote-as 666")
    local_peeringdb.update("net", two, irr_as_set="AS-X\nrouter bgp 666")
    assert synchronise().ok
    assert Network.objects.get(asn=64501).name == "Peer neighbor 1.2.3.4 remote-as 666"
    assert Network.objects.get(asn=64502).irr_as_set == ""
    local_peeringdb.update("net", two, irr_as_set="RIPE::AS-PEERTWO AS64502:AS-CUSTOMERS")
    assert synchronise().ok
    assert Network.objects.get(asn=64502).irr_as_set == "RIPE::AS-PEERTWO AS64502:AS-CUSTOMERS"


def test_an_empty_complete_answer_is_refused_however_small_the_copy(local_peeringdb) -> None:
    assert synchronise().ok
    held = IX.objects.count()
    assert 0 < held < 10
    local_peeringdb.garbage(body=b'{"data": [], "meta": {}}')  # the first: IXes
    result = synchronise(full=True)
    assert not result.ok
    assert f"complete list of IXes is empty where {held} are held here" in result.error
    assert IX.objects.count() == held


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:99999/api", "is not a URL"),
        ("http://[bad/api", "is not a URL"),
        ("ftp://127.0.0.1/api", "must be an http:// or https:// URL"),
        ("http://127.0.0.1/api?x=1", "must not have a query"),
    ],
)
def test_a_malformed_peeringdb_url_stops_start_up_in_one_sentence(url, expected) -> None:
    from peerkeeper.config import ConfigurationError, load_configuration

    environ = {"PEERKEEPER_SECRET_KEY": "x" * 50, "PEERKEEPER_PEERINGDB_URL": url}
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(environ=environ)
    assert str(raised.value).startswith(f"PEERINGDB_URL {expected}")


def test_tasks_queue_one_job_and_say_its_options_in_their_words(db) -> None:
    status, out, _ = run_command("peeringdb_sync", "--tasks", "--repeat-every", "3600")
    assert status == 0
    assert re.fullmatch(
        r"Queued job \S+ \(PeeringDB synchronisation, repeating every 3600 s\)\.\n", out
    )
    status, _, err = run_command("peeringdb_sync", "--tasks", "--repeat-every", "0")
    assert status == 1
    assert err.startswith("--repeat-every must be")
