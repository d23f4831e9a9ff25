"""Session state from FRR's JSON and BIRD's text, in one shape:
{"neighbour", "remote_as", "state", "prefixes_received"}."""

from __future__ import annotations

from typing import Any


def frr_sessions(neighbors: dict[str, Any]) -> list[dict[str, Any]]:
    """From `show bgp vrf all neighbors json` ({vrf: {address: {...}}})."""
    sessions = []
    for peers in neighbors.values():
        for address, info in peers.items():
            if not isinstance(info, dict) or "bgpState" not in info:
                continue  # vrfId, vrfName and the like
            families = info.get("addressFamilyInfo", {}).values()
            sessions.append(
                {
                    "neighbour": address,
                    "remote_as": info.get("remoteAs"),
                    "state": info["bgpState"],
                    "prefixes_received": sum(f.get("acceptedPrefixCounter", 0) for f in families),
                }
            )
    return sessions


def bird_sessions(protocols: str) -> list[dict[str, Any]]:
    """From `birdc show protocols all`: one entry per BGP protocol."""
    sessions = []
    current: dict[str, Any] | None = None
    for line in protocols.splitlines():
        if line and not line[0].isspace():
            fields = line.split()
            current = None
            if len(fields) >= 2 and fields[1] == "BGP":
                current = {"neighbour": None, "remote_as": None, "state": fields[-1],
                           "prefixes_received": 0}  # fmt: skip
                sessions.append(current)
            continue
        if current is None:
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if key == "BGP state":
            current["state"] = value
        elif key == "Neighbor address":
            current["neighbour"] = value
        elif key == "Neighbor AS":
            current["remote_as"] = int(value)
        elif key == "Routes":
            current["prefixes_received"] += int(value.split()[0])
    return sessions
