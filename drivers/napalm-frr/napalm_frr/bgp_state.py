"""BGP session state from FRR's JSON into NAPALM's shapes.

Input: `show bgp vrf all summary json` (per VRF and address family: router-id,
prefix counts) and `show bgp vrf all neighbors json` (per VRF and neighbour:
state, timers, counters, policies).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from napalm.base import models

# FRR's address-family keys and the names NAPALM uses for them.
FAMILIES = {"ipv4Unicast": "ipv4", "ipv6Unicast": "ipv6"}
DEFAULT_VRF = "default"
NAPALM_DEFAULT_VRF = "global"

JSONDict = dict[str, Any]


def vrf_key(vrf: str) -> str:
    return NAPALM_DEFAULT_VRF if vrf == DEFAULT_VRF else vrf


def peer_key(address: str) -> str:
    """A neighbour address in compressed form; interface names (unnumbered) stay as they are."""
    try:
        return str(ipaddress.ip_address(address.lstrip("*")))
    except ValueError:
        return address


def _peers_of(vrf_neighbors: JSONDict) -> dict[str, JSONDict]:
    """Neighbour entries of one VRF (the VRF's own vrfId / vrfName keys are skipped)."""
    return {addr: data for addr, data in vrf_neighbors.items() if isinstance(data, dict)}


def _families(vrf_summary: JSONDict) -> dict[str, JSONDict]:
    return {fam: data for fam, data in vrf_summary.items() if isinstance(data, dict)}


def _summary_peer(vrf_summary: JSONDict, family: str, address: str) -> JSONDict:
    peers = vrf_summary.get(family, {}).get("peers", {})
    for key, data in peers.items():
        if peer_key(key) == address:
            return data
    return {}


def is_enabled(detail: JSONDict, summary_peer: JSONDict) -> bool:
    """False when the session is administratively shut down (itself, its group or BGP)."""
    return not (detail.get("adminShutDown") or summary_peer.get("peerState") == "Admin")


def uptime_seconds(detail: JSONDict) -> int:
    """Seconds since the session came up; -1 when it is not Established.

    FRR only reports how long a down session has been down, not how long it had
    been up, so NAPALM's "uptime of the last session" cannot be given.
    """
    if detail.get("bgpState") != "Established":
        return -1
    return int(detail.get("bgpTimerUpMsec", 0)) // 1000


def _family_counts(detail: JSONDict, summary_peer: JSONDict, family: str) -> JSONDict:
    info = detail.get("addressFamilyInfo", {}).get(family, {})
    received = summary_peer.get("pfxRcd", info.get("acceptedPrefixCounter", 0))
    return {
        "received_prefixes": _count(received),
        "accepted_prefixes": _count(info.get("acceptedPrefixCounter", received)),
        "sent_prefixes": _count(summary_peer.get("pfxSnt", info.get("sentPrefixCounter", 0))),
    }


def _count(value: Any) -> int:
    """A prefix counter; FRR prints words such as "NoNeg" when a family was not negotiated."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _router_id(vrf_summary: JSONDict, vrf_neighbors: JSONDict) -> str:
    for data in _families(vrf_summary).values():
        if data.get("routerId"):
            return str(data["routerId"])
    for data in _peers_of(vrf_neighbors).values():
        if data.get("localRouterId"):
            return str(data["localRouterId"])
    return ""


def _configured_families(address: str, detail: JSONDict, vrf_summary: JSONDict) -> list[str]:
    families = [fam for fam in FAMILIES if _summary_peer(vrf_summary, fam, address)]
    families += [
        fam
        for fam in detail.get("addressFamilyInfo", {})
        if fam in FAMILIES and fam not in families
    ]
    return families


def bgp_neighbors(
    summary: JSONDict, neighbors: JSONDict
) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
    """`get_bgp_neighbors`: every VRF, peers keyed by address, counts per address family."""
    result: dict[str, models.BGPStateNeighborsPerVRFDict] = {}
    for vrf in dict.fromkeys([*summary, *neighbors]):
        vrf_summary = summary.get(vrf) or {}
        vrf_neighbors = neighbors.get(vrf) or {}
        peers: dict[str, models.BGPStateNeighborDict] = {}
        for raw_address, detail in _peers_of(vrf_neighbors).items():
            address = peer_key(raw_address)
            families = _configured_families(address, detail, vrf_summary)
            first = _summary_peer(vrf_summary, families[0], address) if families else {}
            peers[address] = {
                "local_as": int(first.get("localAs", detail.get("localAs", 0))),
                "remote_as": int(detail.get("remoteAs", first.get("remoteAs", 0))),
                "remote_id": str(detail.get("remoteRouterId", "")),
                "is_up": detail.get("bgpState") == "Established",
                "is_enabled": is_enabled(detail, first),
                "description": str(detail.get("nbrDesc", first.get("desc", ""))),
                "uptime": uptime_seconds(detail),
                "address_family": {
                    FAMILIES[fam]: _family_counts(
                        detail, _summary_peer(vrf_summary, fam, address), fam
                    )
                    for fam in families
                },
            }
        result[vrf_key(vrf)] = {"router_id": _router_id(vrf_summary, vrf_neighbors), "peers": peers}
    return result


def _seconds(msecs: Any) -> int:
    return int(msecs or 0) // 1000


def _address_or_empty(value: Any) -> str:
    """FRR writes "Unknown" where a down session has no local address."""
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return ""


def _port(value: Any) -> int:
    port = int(value or 0)
    return port if port > 0 else 0


def _policy(detail: JSONDict, key: str) -> str:
    families = detail.get("addressFamilyInfo", {})
    for fam in ("ipv4Unicast", "ipv6Unicast", *families):
        value = families.get(fam, {}).get(key)
        if value:
            return str(value)
    return ""


def _sum_families(detail: JSONDict, vrf_summary: JSONDict, address: str, field: str) -> int:
    total = 0
    for fam in _configured_families(address, detail, vrf_summary):
        counts = _family_counts(detail, _summary_peer(vrf_summary, fam, address), fam)
        total += counts[field]
    return total


def _local_as_prepended(detail: JSONDict, vrf_summary: JSONDict) -> bool:
    """A `local-as` override prepends itself unless configured with `no-prepend`."""
    instance_as = next((f.get("as") for f in _families(vrf_summary).values() if "as" in f), None)
    overridden = instance_as is not None and detail.get("localAs") != instance_as
    return overridden and not detail.get("localAsNoPrepend", False)


def peer_details(
    vrf: str, address: str, detail: JSONDict, vrf_summary: JSONDict
) -> models.PeerDetailsDict:
    stats = detail.get("messageStats", {})
    families = detail.get("addressFamilyInfo", {}).values()
    return {
        "up": detail.get("bgpState") == "Established",
        "local_as": int(detail.get("localAs", 0)),
        "remote_as": int(detail.get("remoteAs", 0)),
        "router_id": str(detail.get("remoteRouterId", "")),
        "local_address": _address_or_empty(detail.get("hostLocal")),
        "routing_table": vrf,
        "local_address_configured": bool(detail.get("updateSource")),
        "local_port": _port(detail.get("portLocal")),
        "remote_address": address,
        "remote_port": _port(detail.get("portForeign")),
        "multihop": int(detail.get("externalBgpNbrMaxHopsAway", 1)) > 1,
        "multipath": False,
        "remove_private_as": any(
            key.startswith("privateAsNums") and value
            for fam in families
            for key, value in fam.items()
        ),
        "import_policy": _policy(detail, "routeMapForIncomingAdvertisements"),
        "export_policy": _policy(detail, "routeMapForOutgoingAdvertisements"),
        "input_messages": int(stats.get("totalRecv", 0)),
        "output_messages": int(stats.get("totalSent", 0)),
        "input_updates": int(stats.get("updatesRecv", 0)),
        "output_updates": int(stats.get("updatesSent", 0)),
        "messages_queued_out": int(stats.get("depthOutq", 0)),
        "connection_state": str(detail.get("bgpState", "")),
        "previous_connection_state": "",
        "last_event": str(detail.get("lastResetDueTo", "")),
        "suppress_4byte_as": False,
        "local_as_prepend": _local_as_prepended(detail, vrf_summary),
        "holdtime": _seconds(detail.get("bgpTimerHoldTimeMsecs")),
        "configured_holdtime": _seconds(detail.get("bgpTimerConfiguredHoldTimeMsecs")),
        "keepalive": _seconds(detail.get("bgpTimerKeepAliveIntervalMsecs")),
        "configured_keepalive": _seconds(detail.get("bgpTimerConfiguredKeepAliveIntervalMsecs")),
        "active_prefix_count": 0,
        "received_prefix_count": _sum_families(detail, vrf_summary, address, "received_prefixes"),
        "accepted_prefix_count": _sum_families(detail, vrf_summary, address, "accepted_prefixes"),
        "suppressed_prefix_count": 0,
        "advertised_prefix_count": _sum_families(detail, vrf_summary, address, "sent_prefixes"),
        "flap_count": int(detail.get("connectionsDropped", 0)),
    }


def bgp_neighbors_detail(
    summary: JSONDict, neighbors: JSONDict, neighbor_address: str = ""
) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
    """`get_bgp_neighbors_detail`: per VRF, lists of neighbour details keyed by remote AS."""
    wanted = peer_key(neighbor_address) if neighbor_address else ""
    result: dict[str, dict[int, list[models.PeerDetailsDict]]] = {}
    for vrf, vrf_neighbors in neighbors.items():
        for raw_address, detail in _peers_of(vrf_neighbors or {}).items():
            address = peer_key(raw_address)
            if wanted and address != wanted:
                continue
            details = peer_details(vrf, address, detail, summary.get(vrf) or {})
            by_as = result.setdefault(vrf_key(vrf), {})
            by_as.setdefault(details["remote_as"], []).append(details)
    return result
