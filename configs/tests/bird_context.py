"""A hand-built template context in the shape configs/context.py gives, with routing
policies and communities, for rendering configs/platforms/bird.j2 without a database."""

from __future__ import annotations

import copy
from typing import Any


def community(slug: str, value: str, kind: str, type_: str = "") -> dict[str, Any]:
    return {
        "name": slug.title(),
        "slug": slug,
        "value": value,
        "kind": kind,
        "type": type_,
        "description": "",
        "tags": [],
    }


def policy(slug: str, type_: str, **fields: Any) -> dict[str, Any]:
    base = {
        "name": slug,
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
    return {**base, **fields}


AS_US = {
    "asn": 65100,
    "name": "Us",
    "ipv4_max_prefixes": None,
    "ipv6_max_prefixes": None,
    "irr_as_set": "",
    "affiliated": True,
    "as_set": "AS65100",
    "as_set_id": "AS65100",
    "prefix_lists": None,
    "as_list": None,
    "irr": {"fetched_at": None, "failed_at": None, "error": ""},
    "tags": [],
}


def peer(asn: int, name: str, as_set: str, lists: Any) -> dict[str, Any]:
    return {
        **AS_US,
        "asn": asn,
        "name": name,
        "affiliated": False,
        "as_set": as_set,
        "as_set_id": as_set,
        "prefix_lists": lists,
        "ipv4_max_prefixes": 100,
        "ipv6_max_prefixes": 10,
        "irr": {"fetched_at": "2026-01-01T00:00:00Z", "failed_at": None, "error": ""},
    }


def session(address: str, asn_peer: dict[str, Any], **fields: Any) -> dict[str, Any]:
    version = 6 if ":" in address else 4
    lists = asn_peer["prefix_lists"]
    base = {
        "id": 1,
        "type": "ixp",
        "ip_address": address,
        "ip_version": version,
        "local_ip_address": "2001:db8:1::100/64" if version == 6 else "192.0.2.100/24",
        "autonomous_system": asn_peer,
        "local_as": AS_US,
        "enabled": True,
        "status": "enabled",
        "password": None,
        "multihop_ttl": None,
        "description": "",
        "is_route_server": False,
        "vrf": "",
        "bgp_state": None,
        "internet_exchange": {"name": "Lab IX", "slug": "lab-ix"},
        "bgp_group": None,
        "connection": None,
        "prefix_list": None if lists is None else lists[f"ipv{version}"],
        "import_policies": [],
        "export_policies": [],
        "communities": [],
        "tags": [],
    }
    return {**base, **fields}


def context(router_tags: list[str] | None = None) -> dict[str, Any]:
    """Two IXP sessions (IPv4 and IPv6) with IRR lists, one direct session with a
    password and multihop, policies matching and setting every kind of community."""
    standard = community("blackhole", "64500:666", "standard", "ingress")
    large = community("from-ix", "65100:1:2", "large", "ingress")
    extended = community("rt-lab", "rt:65100:7", "extended", "egress")
    origin = community("soo-lab", "soo:192.0.2.100:9", "extended", "egress")
    informational = community("info", "65100:9999", "standard", "")
    prefer = policy(
        "prefer-ix",
        "import",
        local_preference=200,
        match_communities=[standard, large, extended],
        set_communities=[large, origin],
    )
    prepend = policy("prepend-2", "export", as_path_prepend=2, set_communities=[extended])
    v6_only = policy("v6-only", "import-export", address_family=6, local_preference=50)
    p1 = peer(
        64501,
        "Peer One",
        "AS-PEERONE",
        {
            "ipv4": [
                {"prefix": "203.0.113.0/30", "exact": True},
                {"prefix": "203.0.112.0/22", "exact": False, "greater_equal": 24, "less_equal": 24},
            ],
            "ipv6": [
                {
                    "prefix": "2001:db8:100::/40",
                    "exact": False,
                    "greater_equal": 48,
                    "less_equal": 48,
                }
            ],
        },
    )
    p2 = peer(64502, "Peer Two", "AS64502", {"ipv4": [], "ipv6": []})
    p4 = peer(64504, "Transit Four", "AS64504", None)
    with_sources = [
        {**prefer, "source": "router"},
        {**v6_only, "source": "session"},
    ]
    sessions = [
        session(
            "192.0.2.11",
            p1,
            import_policies=with_sources[:1],
            export_policies=[{**prepend, "source": "ixp"}],
            communities=[{**c, "source": "ixp"} for c in (standard, extended, informational)],
        ),
        session(
            "2001:db8:1::11",
            p1,
            import_policies=with_sources,
            communities=[{**large, "source": "session"}],
        ),
        session("192.0.2.12", p2),
        session(
            "198.51.100.1",
            p4,
            id=2,
            type="direct",
            local_ip_address="198.51.100.0",
            internet_exchange=None,
            bgp_group={"name": "Transit", "slug": "transit"},
            password="se cret\\",
            multihop_ttl=2,
            prefix_list=None,
        ),
    ]
    return copy.deepcopy(
        {
            "router": {
                "name": "rs1",
                "hostname": "198.18.7.12",
                "status": "enabled",
                "platform": "BIRD",
                "napalm_driver": "bird",
                "description": "",
                "tags": router_tags or [],
            },
            "local_as": AS_US,
            "internet_exchanges": [],
            "bgp_groups": [],
            "sessions": sessions,
            "ixp_sessions": sessions[:3],
            "direct_sessions": sessions[3:],
            "autonomous_systems": [p1, p2, p4],
            "routing_policies": [prefer, prepend, v6_only],
            "communities": sorted(
                [standard, large, extended, origin, informational], key=lambda c: c["value"]
            ),
        }
    )
