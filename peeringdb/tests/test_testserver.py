"""The local PeeringDB answers as the PeeringDB API does (see peeringdb/testserver.py for
where each behaviour comes from), and the fixtures keep tests on it."""

from __future__ import annotations

import ipaddress
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan
from peeringdb.testing import CLOSED_PEERINGDB_URL
from peeringdb.testserver import (
    DEFAULTS,
    DEMO_DATA,
    NO_DATA,
    TYPES,
    LocalPeeringDB,
    generate,
    unix,
)

DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
MODELS = {"net": Network, "ix": IX, "ixlan": IXLan, "ixpfx": IXLanPrefix, "netixlan": NetworkIXLan}
# Never through a proxy of the environment: only 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple:
    """(status, response headers, body) of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get(server: LocalPeeringDB, query: str) -> tuple[int, Any]:
    """(status, JSON body) of GET <server>/<query>."""
    status, _, body = call(f"{server.url}/{query}")
    return status, json.loads(body)


def newest(server: LocalPeeringDB) -> int:
    return max(unix(o["updated"]) for t in TYPES for o in server.objects(t))


def test_demo_data_are_full_api_answers() -> None:
    for object_type in TYPES:
        answer = json.loads((DEMO_DATA / f"{object_type}.json").read_text())
        assert list(answer) == ["data", "meta"]
        assert answer["data"]
        for obj in answer["data"]:
            expected = list(DEFAULTS[object_type])
            if obj.get("ixf_ixp_member_list_url_visible") == "Private":
                expected.remove("ixf_ixp_member_list_url")
            assert list(obj) == expected, (object_type, obj["id"])
            assert obj["status"] == "ok"
            assert DATE.fullmatch(obj["created"]) and DATE.fullmatch(obj["updated"])
            model = MODELS.get(object_type)
            for field in model._meta.concrete_fields if model else []:
                assert field.attname in obj, (object_type, field.attname)
    data = {t: json.loads((DEMO_DATA / f"{t}.json").read_text())["data"] for t in TYPES}
    nets = {n["asn"]: n for n in data["net"]}
    assert (nets[64502]["irr_as_set"], nets[64502]["info_prefixes4"]) == ("AS-PEERTWO", 12000)
    assert nets[64502]["info_prefixes6"] == 0
    assert nets[64510]["info_type"] == "Route Server"
    on_demo_ix = {
        (n["asn"], n["ipaddr4"], n["ipaddr6"]) for n in data["netixlan"] if n["ixlan_id"] == 1
    }
    assert (64500, "192.0.2.1", "2001:db8:1::1") in on_demo_ix
    assert (64502, "192.0.2.12", "2001:db8:1::12") in on_demo_ix
    assert 64504 not in {asn for asn, _, _ in on_demo_ix}
    assert {p["prefix"]: p["protocol"] for p in data["ixpfx"]} == {
        "192.0.2.0/24": "IPv4",
        "2001:db8:1::/64": "IPv6",
        "198.51.100.64/27": "IPv4",
        "2001:db8:2::/64": "IPv6",
    }


def test_since_gives_what_changed_deleted_included(local_peeringdb: LocalPeeringDB) -> None:
    pdb = local_peeringdb
    status, answer = get(pdb, "net?depth=0")
    assert status == 200 and len(answer["data"]) == 12
    assert set(answer["meta"]) == {"generated"}  # a whole listing comes from the API cache
    before = newest(pdb)

    changed = pdb.set_max_prefixes(64501, ipv4=150)
    assert unix(changed["updated"]) > before
    pdb.leave_ix(64502, 1)

    status, answer = get(pdb, f"net?depth=0&since={before}")
    assert status == 200 and answer["meta"] == {}
    assert [(n["asn"], n["info_prefixes4"]) for n in answer["data"]] == [(64501, 150)]
    _, answer = get(pdb, f"netixlan?depth=0&since={before}")
    assert [(n["id"], n["status"]) for n in answer["data"]] == [(1003, "deleted")]
    # strictly later than `since`
    _, answer = get(pdb, f"net?depth=0&since={unix(changed['updated'])}")
    assert answer["data"] == []

    _, answer = get(pdb, "netixlan?depth=0")
    assert len(answer["data"]) == 14 and 1003 not in {n["id"] for n in answer["data"]}
    # PeeringDB recounts without moving `updated`: a since query does not bring it.
    assert pdb.network(64502)["ix_count"] == 0

    assert get(pdb, "net?since=yesterday") == (
        400,
        {"meta": {"error": "'since' needs to be a unix timestamp (epoch seconds)"}},
    )


def test_throttle_answers_as_peeringdb(local_peeringdb: LocalPeeringDB) -> None:
    local_peeringdb.throttle(times=2, retry_after=2.5)
    for _ in range(2):
        status, headers, body = call(f"{local_peeringdb.url}/net?depth=0")
        assert (status, headers["Retry-After"]) == (429, "3")
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {
            "message": "Request was throttled. Expected available in 3 seconds.",
            "meta": {"error": "Too Many Requests"},
        }
    assert call(f"{local_peeringdb.url}/net?depth=0")[0] == 200


def test_api_key_and_recorded_requests(local_peeringdb: LocalPeeringDB) -> None:
    pdb = local_peeringdb
    pdb.require_api_key("s3cret")
    refused = (401, {"meta": {"error": "Invalid API key"}})
    assert get(pdb, "net?depth=0") == refused
    status, _, body = call(f"{pdb.url}/net", {"Authorization": "Api-Key other"})
    assert (status, json.loads(body)) == refused
    status, _, _ = call(f"{pdb.url}/ix?depth=0&since=123", {"Authorization": "Api-Key s3cret"})
    assert status == 200
    assert len(pdb.requests) == 3
    last = pdb.requests[-1]
    assert (last.method, last.path, last.query) == (
        "GET",
        "/api/ix",
        {"depth": "0", "since": "123"},
    )
    assert last.headers["Authorization"] == "Api-Key s3cret"


def test_faults_errors_and_stalls(local_peeringdb: LocalPeeringDB) -> None:
    pdb = local_peeringdb
    pdb.fail()
    pdb.garbage()
    pdb.garbage(body=NO_DATA)
    status, headers, body = call(f"{pdb.url}/net")
    assert status == 500 and headers["Content-Type"].startswith("text/html")
    assert b"<h1>Server Error (500)</h1>" in body
    status, _, body = call(f"{pdb.url}/net")
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    status, _, body = call(f"{pdb.url}/net")
    assert (status, json.loads(body)) == (200, {"meta": {}})
    assert get(pdb, "net")[0] == 200

    assert call(f"{pdb.url}/nothing")[0] == 404
    status, answer = get(pdb, "fac?depth=0")  # a type this data set has none of
    assert (status, answer["data"], list(answer["meta"])) == (200, [], ["generated"])
    assert get(pdb, "net?depth=2")[0] == 400

    pdb.stall(2)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call(f"{pdb.url}/net", timeout=0.2)


def test_filters_and_paging(local_peeringdb: LocalPeeringDB) -> None:
    pdb = local_peeringdb

    def ids(query: str) -> list[int]:
        status, answer = get(pdb, query)
        assert status == 200, answer
        return [o["id"] for o in answer["data"]]

    assert ids("net?asn=64501") == [102]
    assert get(pdb, "net?asn=1") == (404, {"data": [], "meta": {"error": "Entity not found"}})
    assert ids("netixlan?ixlan_id=2") == [1013, 1014, 1015]
    assert ids("net?ix_id=2") == [102, 105, 107]
    assert ids("ixpfx?ix_id=1") == [31, 32]
    assert ids("org?asn=64501") == [202]
    assert ids("net?id__in=101,103&depth=0") == [101, 103]
    assert ids("net?limit=2&skip=1") == [102, 103]
    assert ids("netixlan?is_rs_peer=true&ixlan_id=1") == [1001, 1002, 1004, 1005, 1007, 1012]
    assert get(pdb, "net?asn=64501&fields=id,asn")[1]["data"] == [{"id": 102, "asn": 64501}]


def test_changes(local_peeringdb: LocalPeeringDB) -> None:
    pdb = local_peeringdb
    joined = pdb.join_ix(64504, 1, ipaddr4="192.0.2.14", speed=10000)
    assert (joined["asn"], joined["ix_id"], joined["name"], joined["ipaddr6"]) == (
        64504,
        1,
        "Demo IX",
        None,
    )
    assert pdb.network(64504)["ix_count"] == 2
    with pytest.raises(ValueError, match="in no prefix"):
        pdb.join_ix(64504, 1, ipaddr4="198.51.100.70")
    with pytest.raises(ValueError, match="already exists"):
        pdb.join_ix(64509, 1, ipaddr6="2001:db8:1::11")

    deleted = pdb.delete("net", pdb.network(64505)["id"])
    assert [(o["id"], o["status"]) for o in deleted] == [(106, "deleted"), (1005, "deleted")]

    added = pdb.add("net", {"org_id": 201, "name": "Newcomer", "asn": 64511})
    assert list(added) == list(DEFAULTS["net"]) and added["status"] == "ok"
    assert unix(added["updated"]) == newest(pdb)


def test_generate_sizes_and_addresses() -> None:
    data = generate(1000, 5)
    assert {t: len(data[t]) for t in TYPES} == {
        "org": 1005,
        "net": 1000,
        "ix": 5,
        "ixlan": 5,
        "ixpfx": 10,
        "netixlan": 5000,
    }
    assert len({n["asn"] for n in data["net"]}) == 1000
    assert all(n["asn"] >= 4200000000 and n["ix_count"] == 5 for n in data["net"])
    for ixlan in data["ixlan"]:
        prefixes = [
            ipaddress.ip_network(p["prefix"]) for p in data["ixpfx"] if p["ixlan_id"] == ixlan["id"]
        ]
        members = [n for n in data["netixlan"] if n["ixlan_id"] == ixlan["id"]]
        for key in ("ipaddr4", "ipaddr6"):
            addresses = [ipaddress.ip_address(n[key]) for n in members]
            assert len(set(addresses)) == 1000
            assert all(any(a in p for p in prefixes) for a in addresses)
    assert data == generate(1000, 5)
    with LocalPeeringDB(data=data) as pdb:
        assert len(get(pdb, "netixlan?depth=0")[1]["data"]) == 5000
        assert len(get(pdb, "netixlan?ixlan_id=3")[1]["data"]) == 1000


def test_local_peeringdb_is_the_configured_url(local_peeringdb: LocalPeeringDB, settings) -> None:
    assert local_peeringdb.url == settings.PEERINGDB_URL
    assert settings.PEERINGDB_API_KEY == ""


def test_without_it_peeringdb_is_a_closed_port() -> None:
    assert django_settings.PEERINGDB_URL == CLOSED_PEERINGDB_URL
    with pytest.raises(urllib.error.URLError):
        call(f"{CLOSED_PEERINGDB_URL}/net", timeout=2)


def test_command_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "peeringdb.testserver", "--port", "0"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/api", line)[0]
        assert call(f"{url}/ix?depth=0")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait()
