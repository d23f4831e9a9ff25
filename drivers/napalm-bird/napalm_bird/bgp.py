"""NAPALM's BGP getters from parsed BIRD protocols (see protocols.py).

Peers are keyed by neighbour address in VRF "global". Per address family (BIRD's ipv4
and ipv6 channels): accepted_prefixes = routes imported (after the import filter),
received_prefixes = imported + filtered (BIRD counts routes its import filter rejected
only with `import keep filtered on`; without it, received equals accepted),
sent_prefixes = routes exported. A channel that is not up counts 0.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from napalm.base import models

from napalm_bird.protocols import BGPProtocol, Channel, uptime_seconds

VRF = "global"
FAMILIES = ("ipv4", "ipv6")


def _family(channel: Channel) -> str | None:
    name = channel.family.lower()
    return name if name in FAMILIES else None


def _counts(channel: Channel) -> dict[str, int]:
    up = channel.state.upper() == "UP"
    return {
        "received_prefixes": channel.imported + channel.filtered if up else 0,
        "accepted_prefixes": channel.imported if up else 0,
        "sent_prefixes": channel.exported if up else 0,
    }


def bgp_neighbors(
    protocols: list[BGPProtocol], router_id: str, now: datetime | None
) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
    """get_bgp_neighbors(): {"global": {"router_id", "peers": {address: {...}}}}. Two
    protocols with the same neighbour (one per family) are one peer."""
    peers: dict[str, Any] = {}
    for protocol in protocols:
        peer = peers.setdefault(
            protocol.neighbor,
            {
                "local_as": protocol.local_as,
                "remote_as": protocol.remote_as,
                "remote_id": protocol.remote_id or "0.0.0.0",
                "is_up": False,
                "is_enabled": False,
                "description": protocol.description,
                "uptime": -1,
                "address_family": {},
            },
        )
        peer["is_up"] = peer["is_up"] or protocol.is_up
        peer["is_enabled"] = peer["is_enabled"] or protocol.is_enabled
        peer["uptime"] = max(peer["uptime"], uptime_seconds(protocol, now))
        if protocol.remote_id:
            peer["remote_id"] = protocol.remote_id
        peer["description"] = peer["description"] or protocol.description
        for channel in protocol.channels:
            family = _family(channel)
            if family:
                peer["address_family"][family] = _counts(channel)
    return {VRF: {"router_id": router_id, "peers": peers}}


def bgp_neighbors_detail(
    protocols: list[BGPProtocol], router_id: str, neighbor_address: str = ""
) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
    """get_bgp_neighbors_detail(): {"global": {remote_as: [details, ...]}}."""
    result: dict[int, list[Any]] = {}
    for protocol in protocols:
        if neighbor_address and protocol.neighbor != neighbor_address:
            continue
        families = [c for c in protocol.channels if _family(c)]
        totals = {"received": 0, "accepted": 0, "sent": 0}
        for channel in families:
            counts = _counts(channel)
            totals["received"] += counts["received_prefixes"]
            totals["accepted"] += counts["accepted_prefixes"]
            totals["sent"] += counts["sent_prefixes"]
        source = protocol.source_address
        result.setdefault(protocol.remote_as, []).append(
            {
                "up": protocol.is_up,
                "local_as": protocol.local_as,
                "remote_as": protocol.remote_as,
                "router_id": router_id,
                "local_address": source,
                "routing_table": ",".join(c.family for c in families),
                "local_address_configured": bool(source),
                "local_port": 179 if protocol.is_up else -1,
                "remote_address": protocol.neighbor,
                "remote_port": 179 if protocol.is_up else -1,
                "multihop": False,
                "multipath": False,
                "remove_private_as": False,
                "import_policy": ",".join(c.import_filter for c in families),
                "export_policy": ",".join(c.export_filter for c in families),
                "input_messages": -1,
                "output_messages": -1,
                "input_updates": -1,
                "output_updates": -1,
                "messages_queued_out": -1,
                "connection_state": protocol.bgp_state,
                "previous_connection_state": "",
                "last_event": protocol.last_error,
                "suppress_4byte_as": False,
                "local_as_prepend": False,
                "holdtime": protocol.hold_time,
                "configured_holdtime": protocol.hold_time,
                "keepalive": protocol.keepalive,
                "configured_keepalive": protocol.keepalive,
                "active_prefix_count": totals["accepted"],
                "received_prefix_count": totals["received"],
                "accepted_prefix_count": totals["accepted"],
                "suppressed_prefix_count": totals["received"] - totals["accepted"],
                "advertised_prefix_count": totals["sent"],
                "flap_count": 0,
            }
        )
    return {VRF: result}
