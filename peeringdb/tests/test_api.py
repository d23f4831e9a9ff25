"""The API's read-only copy of PeeringDB: lists, filters, permissions."""

from __future__ import annotations

import pytest

from core.tests.api import APIClient, assert_bad, ids, permission_user
from peeringdb.tests import factories

API = "/api/peeringdb"


@pytest.fixture
def mirror(db) -> dict:
    lan = factories.demo_ixlan()  # IX 1, IX LAN 1 with the demo's networks
    other_ix = factories.ix("Other IX", city="Elsewhere", country="NL")
    other_lan = factories.ixlan(other_ix, "198.51.100.0/24")
    net = factories.network(64501)
    elsewhere = factories.netixlan(other_lan, net, ipaddr4="198.51.100.11")
    return {"lan": lan, "other_ix": other_ix, "other_lan": other_lan, "net": net, "far": elsewhere}


def test_networks(api, mirror) -> None:
    response = api.get(f"{API}/networks/", {"asn": 64501})
    [network] = response.json()["results"]
    assert network["name"] == "Peer One" and network["asn"] == 64501
    assert network["url"].endswith(f"/api/peeringdb/networks/{network['id']}/")
    assert api.get(network["url"]).json() == network
    assert [n["asn"] for n in api.get(f"{API}/networks/", {"q": "Peer Two"}).json()["results"]] == [
        64502
    ]
    assert [n["asn"] for n in api.get(f"{API}/networks/", {"q": "AS64503"}).json()["results"]] == [
        64503
    ]
    assert_bad(api.get(f"{API}/networks/", {"asn": "1" * 30}), "asn")
    assert_bad(api.get(f"{API}/networks/", {"asn": "many"}), "asn")


def test_exchanges_lans_and_prefixes(api, mirror) -> None:
    other_ix, other_lan = mirror["other_ix"], mirror["other_lan"]
    assert ids(api.get(f"{API}/ixes/", {"q": "elsewhere"})) == [other_ix.pk]
    assert ids(api.get(f"{API}/ixes/", {"country": "nl"})) == [other_ix.pk]
    lans = api.get(f"{API}/ixlans/", {"ix": other_ix.pk}).json()["results"]
    assert [lan["id"] for lan in lans] == [other_lan.pk]
    assert lans[0]["ix_id"] == other_ix.pk
    prefixes = api.get(f"{API}/ixlan-prefixes/", {"ixlan": 1}).json()["results"]
    assert sorted(p["prefix"] for p in prefixes) == ["192.0.2.0/24", "2001:db8:1::/64"]
    assert [
        p["prefix"]
        for p in api.get(f"{API}/ixlan-prefixes/", {"ix": other_ix.pk}).json()["results"]
    ] == ["198.51.100.0/24"]
    v6 = api.get(f"{API}/ixlan-prefixes/", {"protocol": "IPv6"}).json()["results"]
    assert [p["prefix"] for p in v6] == ["2001:db8:1::/64"]


def test_networks_on_lans(api, mirror) -> None:
    url = f"{API}/netixlans/"
    on_demo = api.get(url, {"ixlan": 1, "limit": 100}).json()["results"]
    assert 64501 in {row["asn"] for row in on_demo} and len(on_demo) >= 9
    by_asn = api.get(url, {"asn": 64501}).json()["results"]
    assert {row["ixlan_id"] for row in by_asn} == {1, mirror["other_lan"].pk}
    assert ids(api.get(url, {"ix": mirror["other_ix"].pk})) == [mirror["far"].pk]
    assert ids(api.get(url, {"q": "198.51.100.11"})) == [mirror["far"].pk]
    row = api.get(url, {"ix": mirror["other_ix"].pk}).json()["results"][0]
    assert (row["net_id"], row["ipaddr4"], row["ipaddr6"]) == (
        mirror["net"].pk,
        "198.51.100.11",
        None,
    )


@pytest.mark.parametrize(
    "collection", ["networks", "ixes", "ixlans", "ixlan-prefixes", "netixlans"]
)
def test_read_only(api, mirror, collection) -> None:
    url = f"{API}/{collection}/"
    first = api.get(url).json()["results"][0]
    assert api.post(url, {}).status_code == 405
    assert api.put(first["url"], first).status_code == 405
    assert api.delete(first["url"]).status_code == 405


def test_permissions(mirror) -> None:
    assert APIClient(permission_user("nobody")).get(f"{API}/networks/").status_code == 403
    viewer = APIClient(permission_user("viewer", "peeringdb.view_network"))
    assert viewer.get(f"{API}/networks/").status_code == 200
    assert viewer.get(f"{API}/ixes/").status_code == 403
