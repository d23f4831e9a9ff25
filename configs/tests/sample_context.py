"""A template context as build_context() gives it for a router with routing policies at
several levels, every kind of community, passwords and IRR prefix lists (the shape of
docs/templates.md), written out by hand so that the shipped templates can be rendered and
checked without a database."""

from __future__ import annotations

import copy
from typing import Any

Data = dict[str, Any]


def community(slug: str, value: str, kind: str, type_: str = "") -> Data:
    return {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "value": value,
        "kind": kind,
        "type": type_,
        "description": "",
        "tags": [],
    }


COMMUNITIES = {
    c["slug"]: c
    for c in [
        community("from-ixp", "64500:100", "standard", "ingress"),
        community("from-transit", "64500:300", "standard", "ingress"),
        community("learned-ixp", "64500:1:100", "large", "ingress"),
        community("no-export-peers", "64500:666", "standard", "egress"),
        community("blackhole", "65535:666", "standard"),
        community("customer-rt", "rt:64500:100", "extended"),
        community("site-origin", "soo:192.0.2.1:7", "extended", "egress"),
        community("prefer", "64500:2:1", "large"),
    ]
}


def policy(slug: str, type_: str, **fields: Any) -> Data:
    data: Data = {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "type": type_,
        "address_family": 0,
        "weight": 0,
        "description": "",
        "match_communities": [],
        "set_communities": [],
        "local_preference": None,
        "as_path_prepend": 0,
        "config_context": {},
        "tags": [],
    }
    for key, value in fields.items():
        if key.endswith("_communities"):
            value = [COMMUNITIES[slug] for slug in value]
        data[key] = value
    return data


POLICIES = {
    p["slug"]: p
    for p in [
        policy("ixp-in", "import", local_preference=200, set_communities=["prefer"]),
        policy(
            "customer-in",
            "import",
            weight=10,
            local_preference=300,
            match_communities=["customer-rt", "prefer"],
        ),
        policy("transit-in", "import", local_preference=80),
        policy("peers-out", "export", as_path_prepend=2, set_communities=["no-export-peers"]),
        policy(
            "v6-out",
            "export",
            address_family=6,
            match_communities=["blackhole", "site-origin"],
            set_communities=["customer-rt"],
        ),
    ]
}


def _as(asn: int, name: str, v4: int | None, v6: int | None, as_set: str | None) -> Data:
    word = as_set or f"AS{asn}"
    return {
        "asn": asn,
        "name": name,
        "ipv4_max_prefixes": v4,
        "ipv6_max_prefixes": v6,
        "irr_as_set": as_set or "",
        "affiliated": False,
        "as_set": word,
        "as_set_id": word.replace(":", "_"),
        "prefix_lists": None,
        "as_list": None,
        "irr": {"fetched_at": None, "failed_at": None, "error": ""},
        "tags": [],
    }


def _with(policies: list[str], source: str) -> list[Data]:
    return [{**POLICIES[slug], "source": source} for slug in policies]


def _communities(pairs: list[tuple[str, str]]) -> list[Data]:
    return [{**COMMUNITIES[slug], "source": source} for slug, source in pairs]


def sample_context() -> Data:
    """Router r1 (AS64500): the IXP Demo IX with three sessions (IPv4 and IPv6, one with an
    MD5 password, one route server, one peer whose AS-set was never fetched) and the BGP
    group Transit with a multihop session with a password in a VRF-less table."""
    ours = _as(64500, "Peerkeeper Demo", None, None, None)
    ours["affiliated"] = True
    one = _as(64501, "Peer One", 100, 20, "AS-PEERONE")
    one["prefix_lists"] = {
        "ipv4": [
            {"prefix": "203.0.113.0/25", "exact": False, "greater_equal": 30, "less_equal": 30},
            {"prefix": "198.51.100.0/24", "exact": False, "greater_equal": 24, "less_equal": 32},
            {"prefix": "192.0.2.128/26", "exact": True},
        ],
        "ipv6": [],
    }
    one["as_list"] = [64501]
    one["irr"]["fetched_at"] = "2025-01-01T00:00:00+00:00"
    two = _as(64502, "Peer Zwei Zürich", 12000, None, "AS-TWO RIPE::AS-TWO-CUST")
    two["as_set_id"] = "AS-TWO_RIPE_AS-TWO-CUST"
    transit = _as(64504, "Transit Four", 1000, None, None)
    ixp = {"name": "Demo IX", "slug": "demo-ix"}
    connection = {
        "id": 1,
        "ipv4_address": "192.0.2.1/24",
        "ipv6_address": "2001:db8:1::1/64",
        "interface": "Ethernet1",
        "vrf": "",
        "status": "enabled",
        "enabled": True,
        "tags": ["ixp-port"],
    }

    def session(address: str, peer: Data, **fields: Any) -> Data:
        version = 6 if ":" in address else 4
        lists = peer["prefix_lists"]
        data = {
            "id": fields.pop("id"),
            "type": "ixp",
            "ip_address": address,
            "ip_version": version,
            "autonomous_system": peer,
            "status": "enabled",
            "enabled": True,
            "password": None,
            "multihop_ttl": None,
            "description": "",
            "bgp_state": None,
            "is_route_server": False,
            "internet_exchange": ixp,
            "bgp_group": None,
            "connection": connection,
            "vrf": "",
            "local_ip_address": "192.0.2.1" if version == 4 else "2001:db8:1::1",
            "local_as": ours,
            "prefix_list": lists[f"ipv{version}"] if lists is not None else None,
            "import_policies": [],
            "export_policies": [],
            "communities": [],
            "tags": [],
        }
        data.update(fields)
        return data

    ixp_sessions = [
        session(
            "192.0.2.11",
            one,
            id=1,
            password="ixp-Secret-1",
            import_policies=_with(["ixp-in"], "internet_exchange"),
            export_policies=_with(["peers-out"], "router"),
            communities=_communities(
                [("from-ixp", "internet_exchange"), ("no-export-peers", "router")]
            ),
            tags=["peer-one"],
        ),
        session(
            "2001:db8:1::11",
            one,
            id=2,
            import_policies=_with(["customer-in", "ixp-in"], "session"),
            export_policies=_with(["peers-out", "v6-out"], "autonomous_system"),
            communities=_communities(
                [
                    ("learned-ixp", "session"),
                    ("from-ixp", "internet_exchange"),
                    ("site-origin", "router"),
                ]
            ),
        ),
        session(
            "192.0.2.12",
            two,
            id=3,
            is_route_server=True,
            import_policies=_with(["ixp-in"], "internet_exchange"),
            export_policies=_with(["peers-out"], "router"),
            communities=_communities([("from-ixp", "internet_exchange")]),
        ),
        session("192.0.2.13", two, id=4, status="disabled", enabled=False),
    ]
    group = {"name": "Transit", "slug": "transit"}
    direct = session(
        "198.51.100.1",
        transit,
        id=5,
        type="direct",
        internet_exchange=None,
        connection=None,
        bgp_group=group,
        local_ip_address="198.51.100.0",
        password="tr'ans!it\\pw#",
        multihop_ttl=2,
        import_policies=_with(["transit-in"], "bgp_group"),
        export_policies=_with(["peers-out"], "router"),
        communities=_communities([("from-transit", "bgp_group")]),
        tags=["upstream"],
    )
    sessions = [*ixp_sessions, direct]
    used = {p["slug"]: p for s in sessions for p in s["import_policies"] + s["export_policies"]}
    routing_policies = sorted(
        ({k: v for k, v in p.items() if k != "source"} for p in used.values()),
        key=lambda p: (p["weight"], p["name"]),
    )
    communities = {c["slug"]: c for s in sessions for c in s["communities"]}
    for p in routing_policies:
        communities.update({c["slug"]: c for c in p["match_communities"] + p["set_communities"]})
    return copy.deepcopy(
        {
            "router": {
                "name": "r1",
                "hostname": "127.0.0.1",
                "status": "enabled",
                "platform": "Arista EOS",
                "napalm_driver": "eos",
                "description": "",
                "tags": ["edge"],
            },
            "local_as": ours,
            "internet_exchanges": [
                {
                    **ixp,
                    "status": "enabled",
                    "enabled": True,
                    "local_as": ours,
                    "connections": [{**connection, "sessions": ixp_sessions}],
                    "sessions": ixp_sessions,
                    "tags": [],
                }
            ],
            "bgp_groups": [
                {**group, "status": "enabled", "enabled": True, "sessions": [direct], "tags": []}
            ],
            "sessions": sessions,
            "ixp_sessions": ixp_sessions,
            "direct_sessions": [direct],
            "autonomous_systems": [one, two, transit],
            "routing_policies": routing_policies,
            "communities": sorted(
                ({k: v for k, v in c.items() if k != "source"} for c in communities.values()),
                key=lambda c: c["value"],
            ),
        }
    )
