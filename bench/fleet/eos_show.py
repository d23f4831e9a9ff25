"""Arista EOS `show` command output for one emulated router, built from the model.

Shapes follow what EOS 4.2x/4.3x returns over eAPI (see NAPALM's eos test
fixtures): the JSON encoding for most commands and the CLI text of
`show ip bgp neighbors` / `show ipv6 bgp peers` in multi-agent routing mode,
which NAPALM parses with its TextFSM template.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.fleet.model import (
    EOS_VERSION,
    ESTABLISHED,
    RouterInfo,
    SessionInfo,
    SessionState,
    epoch_time,
)

HOLD_TIME = 180
KEEPALIVE = 60

Peer = tuple[SessionInfo, SessionState]


def show_version(router: RouterInfo, boot_time: float) -> dict[str, object]:
    return {
        "mfgName": "Arista",
        "modelName": router.model,
        "hardwareRevision": "",
        "serialNumber": router.serial_number,
        "systemMacAddress": router.system_mac,
        "hwMacAddress": "00:00:00:00:00:00",
        "configMacAddress": "00:00:00:00:00:00",
        "version": EOS_VERSION,
        "architecture": "x86_64",
        "internalVersion": router.os_version,
        "internalBuildId": "00000000-0000-0000-0000-000000000000",
        "imageFormatVersion": "1.0",
        "imageOptimization": "None",
        "kernelVersion": "5.10.0",
        "bootupTimestamp": boot_time,
        "uptime": 0.0,
        "memTotal": 8_000_000,
        "memFree": 4_000_000,
        "isIntlVersion": False,
    }


def show_version_text(router: RouterInfo) -> str:
    return (
        f"Arista {router.model}\n"
        "Hardware version: \n"
        f"Serial number: {router.serial_number}\n"
        f"System MAC address: {router.system_mac}\n\n"
        f"Software image version: {EOS_VERSION}\n"
        "Architecture: x86_64\n"
        f"Internal build version: {router.os_version}\n"
    )


def show_hostname_text(router: RouterInfo) -> str:
    return f"Hostname: {router.hostname}\nFQDN:     {router.fqdn}\n"


def show_hostname(router: RouterInfo) -> dict[str, object]:
    return {"hostname": router.hostname, "fqdn": router.fqdn}


def show_interfaces(router: RouterInfo, boot_time: float) -> dict[str, object]:
    interfaces = {}
    for number, name in enumerate(router.interfaces, start=1):
        kind = "loopback" if name.startswith("Loopback") else "ethernet"
        interfaces[name] = {
            "name": name,
            "hardware": kind,
            "forwardingModel": "routed",
            "lineProtocolStatus": "up",
            "interfaceStatus": "connected",
            "description": "",
            "mtu": 65535 if kind == "loopback" else 1500,
            "bandwidth": 0 if kind == "loopback" else 10_000_000_000,
            "physicalAddress": f"{router.system_mac[:-2]}{number:02x}",
            "burnedInAddress": f"{router.system_mac[:-2]}{number:02x}",
            "lastStatusChangeTimestamp": boot_time + 30.0,
            "interfaceAddress": [],
            "interfaceCounters": {
                "inOctets": 0,
                "outOctets": 0,
                "inUcastPkts": 0,
                "outUcastPkts": 0,
                "inMulticastPkts": 0,
                "outMulticastPkts": 0,
                "inBroadcastPkts": 0,
                "outBroadcastPkts": 0,
                "inDiscards": 0,
                "outDiscards": 0,
                "totalInErrors": 0,
                "totalOutErrors": 0,
            },
        }
    return {"interfaces": interfaces}


def bgp_summary(
    router: RouterInfo, vrfs: Sequence[str], peers: Sequence[Peer], epoch: int
) -> dict[str, object]:
    """`show ip bgp summary vrf all` (peers of one address family)."""
    now = epoch_time(epoch)
    out: dict[str, dict[str, object]] = {vrf: _vrf_header(router, vrf) for vrf in vrfs}
    for info, state in peers:
        out[info.vrf]["peers"][info.neighbor_ip] = {  # type: ignore[index]
            "version": 4,
            "msgReceived": state.messages_received,
            "msgSent": state.messages_sent,
            "inMsgQueue": 0,
            "outMsgQueue": 0,
            "asn": str(info.remote_as),
            "prefixAccepted": state.accepted_prefixes,
            "prefixReceived": state.received_prefixes,
            "upDownTime": now - max(state.established_seconds, 0),
            "underMaintenance": False,
            "peerState": state.state,
        }
    return {"vrfs": out}


def _vrf_header(router: RouterInfo, vrf: str) -> dict[str, object]:
    return {"vrf": vrf, "routerId": router.router_id, "asn": str(router.local_as), "peers": {}}


def bgp_neighbors(
    router: RouterInfo, vrfs: Sequence[str], peers: Sequence[Peer]
) -> dict[str, object]:
    """`show ip bgp neighbors vrf all` / `show ipv6 bgp peers vrf all` in JSON."""
    out: dict[str, dict[str, list[object]]] = {vrf: {"peerList": []} for vrf in vrfs}
    for info, state in peers:
        out[info.vrf]["peerList"].append(_neighbor(router, info, state))
    return {"vrfs": out}


def _neighbor(router: RouterInfo, info: SessionInfo, state: SessionState) -> dict[str, object]:
    up = state.is_up
    v4 = info.address_family == 4
    peer: dict[str, object] = {
        "peerAddress": info.neighbor_ip,
        "asn": str(info.remote_as),
        "linkType": "external",
        "routerId": info.remote_id if up else "0.0.0.0",
        "vrf": info.vrf,
        "description": info.description,
        "version": 4,
        "negotiatedVersion": 4 if up else 0,
        "holdTime": HOLD_TIME if up else 0,
        "keepaliveTime": KEEPALIVE if up else 0,
        "configHoldTime": HOLD_TIME,
        "configKeepaliveTime": KEEPALIVE,
        "state": state.state,
        "establishedTransitions": state.established_transitions,
        "lastState": state.last_state,
        "lastEvent": state.last_event,
        "sentMessages": state.messages_sent,
        "receivedMessages": state.messages_received,
        "prefixesSent": state.sent_prefixes if v4 else 0,
        "prefixesReceived": state.received_prefixes if v4 else 0,
        "v4BestPaths": state.accepted_prefixes if v4 else 0,
        "v6PrefixesSent": 0 if v4 else state.sent_prefixes,
        "v6PrefixesReceived": 0 if v4 else state.received_prefixes,
        "v6BestPaths": 0 if v4 else state.accepted_prefixes,
        "maxTotalRoutes": 0,
        "localAsn": str(router.local_as),
        "localRouterId": router.router_id,
        "ttl": 1,
        "updateSource": info.local_ip,
        "localPort": state.local_port,
        "remotePort": state.remote_port,
        "inboundRouteMap": info.import_policy,
        "outboundRouteMap": info.export_policy,
    }
    if up:
        peer["establishedTime"] = state.established_seconds
    if state.state == "Idle":
        peer["idleReason"] = state.idle_reason
    return peer


def bgp_neighbors_text(router: RouterInfo, peers: Sequence[Peer]) -> str:
    """CLI text of `show ip bgp neighbors vrf all` / `show ipv6 bgp peers vrf all`."""
    return "".join(_neighbor_text(router, info, state) for info, state in peers)


def _neighbor_text(router: RouterInfo, info: SessionInfo, state: SessionState) -> str:
    up = state.is_up
    v4 = info.address_family == 4
    v4_counts = (state.sent_prefixes, state.received_prefixes) if v4 else (0, 0)
    v6_counts = (0, 0) if v4 else (state.sent_prefixes, state.received_prefixes)
    if up:
        state_line = (
            f"BGP state is {ESTABLISHED}, up for {_eos_duration(state.established_seconds)}"
        )
    elif not state.is_enabled:
        state_line = f"BGP state is Idle, {state.idle_reason}"
    else:
        state_line = f"BGP state is {state.state}"
    hold, keepalive = (HOLD_TIME, KEEPALIVE) if up else (0, 0)
    lines = [
        f"BGP neighbor is {info.neighbor_ip}, remote AS {info.remote_as}, external link",
        f"  Description: {info.description}",
        f"  BGP version 4, remote router ID {info.remote_id if up else '0.0.0.0'}, VRF {info.vrf}",
        "  Negotiated BGP version 4" if up else "  Last read never, last write never",
        f"  Hold time is {hold}, keepalive interval is {keepalive} seconds",
        f"  Configured hold time is {HOLD_TIME}, keepalive interval is {KEEPALIVE} seconds",
        "  Connect timer is inactive" if up else "  Connect timer is active, time left: 00:00:12",
        "  Idle-restart timer is inactive",
        f"  {state_line}",
        f"  Number of transitions to established: {state.established_transitions}",
        f"  Last state was {state.last_state}",
        f"  Last event was {state.last_event}",
        "  Message Statistics:",
        "                         Sent      Rcvd",
        f"    Updates:        {state.updates_sent:>9} {state.updates_received:>9}",
        f"    Total messages: {state.messages_sent:>9} {state.messages_received:>9}",
        "  Prefix Statistics:",
        "                                   Sent      Rcvd",
        f"    IPv4 Unicast:              {v4_counts[0]:>9} {v4_counts[1]:>9}",
        f"    IPv6 Unicast:              {v6_counts[0]:>9} {v6_counts[1]:>9}",
        "  Inbound updates dropped by reason:",
        "    AS path loop detection: 0",
        "    Nexthop matches local IP address: 0",
        f"  Inbound route map is {info.import_policy}",
        f"  Outbound route map is {info.export_policy}",
        f"Local AS is {router.local_as}, local router ID {router.router_id}",
        "TTL is 1",
    ]
    if up:
        lines += [
            f"Local TCP address is {info.local_ip}, local port is {state.local_port}",
            f"Remote TCP address is {info.neighbor_ip}, remote port is {state.remote_port}",
            "TCP Socket Information:",
            "  TCP state is ESTABLISHED",
            "  Recv-Q: 0/32768",
            "  Send-Q: 0/32768",
        ]
    else:
        lines += [
            f"Local TCP address is {info.local_ip}",
            f"Remote TCP address is {info.neighbor_ip}, remote port is {state.remote_port}",
        ]
    return "\n".join(lines) + "\n\n"


def _eos_duration(seconds: int) -> str:
    """EOS style: 00:06:10 below a day, 65d00h above."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}d{hours:02d}h"
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
