"""BGP sessions from `birdc show protocols all` and `birdc show status` (BIRD 2.0).

BIRD prints one block per protocol: a header line (name, protocol, table, state, since,
info), then indented `key: value` lines, then one section per channel ("  Channel ipv4")
with its state and route counts ("Routes: 58 imported, 3 filtered, 10 exported, 58
preferred"; `filtered` only with `import keep filtered`). See BIRD's user's guide,
"Remote control" (show protocols all, show status).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_SINCE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})?(?:[ T]?(?P<time>\d{2}:\d{2}:\d{2})(?:\.\d+)?)?(?=\s|$)"
)
_ROUTES = re.compile(r"(\d+) (imported|filtered|exported|preferred)")
_SERVER_TIME = re.compile(r"Current server time is (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_ROUTER_ID = re.compile(r"Router ID is (\S+)")
_VERSION = re.compile(r"^BIRD (\d\S*)", re.MULTILINE)
_HOSTNAME = re.compile(r"Hostname is (\S+)")
_LAST_REBOOT = re.compile(r"Last reboot on (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")


@dataclass
class Channel:
    """One address family of a session: "ipv4" or "ipv6" (BIRD's channel names)."""

    family: str
    state: str = ""
    imported: int = 0
    filtered: int = 0
    exported: int = 0
    import_filter: str = ""
    export_filter: str = ""
    import_limit: int = -1


@dataclass
class BGPProtocol:
    """One `protocol bgp` as `show protocols all` shows it."""

    name: str
    state: str  # protocol state: up, start, down...
    since: str  # as printed: "00:13:12.936", "2026-11-30" or "2026-11-30 12:00:00"
    info: str
    bgp_state: str = ""
    neighbor: str = ""
    remote_as: int = 0
    local_as: int = 0
    remote_id: str = ""
    description: str = ""
    source_address: str = ""
    hold_time: int = 0
    keepalive: int = 0
    last_error: str = ""
    channels: list[Channel] = field(default_factory=list)

    @property
    def is_up(self) -> bool:
        return self.bgp_state == "Established"

    @property
    def is_enabled(self) -> bool:
        """False for a protocol that BIRD keeps down: `disabled` in the configuration,
        `birdc disable`, or shut down by a limit (state "down"; a session that BIRD is
        trying to bring up is "start")."""
        return self.state != "down"


def strip_banner(output: str) -> str:
    """birdc's output without its "BIRD x.y ready." first line."""
    lines = output.splitlines()
    if lines and lines[0].startswith("BIRD ") and lines[0].rstrip().endswith("ready."):
        lines = lines[1:]
    return "\n".join(lines)


def bgp_protocols(show_protocols_all: str) -> list[BGPProtocol]:
    """Every BGP protocol with a neighbour address, in BIRD's order."""
    protocols: list[BGPProtocol] = []
    current: BGPProtocol | None = None
    channel: Channel | None = None
    for line in strip_banner(show_protocols_all).splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            current, channel = _header(line), None
            if current is not None:
                protocols.append(current)
            continue
        if current is None:
            continue
        stripped = line.strip()
        if line.startswith("  Channel ") and not line.startswith("   "):
            channel = Channel(stripped.split()[1])
            current.channels.append(channel)
            continue
        key, _, value = stripped.partition(":")
        value = value.strip()
        if channel is not None:
            _channel_line(channel, key, value)
        else:
            _protocol_line(current, key, value)
    return [p for p in protocols if p.neighbor]


def _header(line: str) -> BGPProtocol | None:
    fields = line.split()
    if len(fields) < 4 or fields[1] != "BGP":
        return None
    rest = line.split(None, 4)[4] if len(fields) > 4 else ""
    match = _SINCE.match(rest)
    since = match.group(0) if match else ""
    return BGPProtocol(fields[0], fields[3], since, rest[len(since) :].strip())


def _protocol_line(protocol: BGPProtocol, key: str, value: str) -> None:
    if key == "BGP state":
        protocol.bgp_state = value
    elif key == "Neighbor address":
        protocol.neighbor = value
    elif key == "Neighbor AS":
        protocol.remote_as = _int(value)
    elif key == "Local AS":
        protocol.local_as = _int(value)
    elif key == "Neighbor ID":
        protocol.remote_id = value
    elif key == "Description":
        protocol.description = value
    elif key == "Source address":
        protocol.source_address = value
    elif key == "Hold timer":
        protocol.hold_time = _int(value.rpartition("/")[2])
    elif key == "Keepalive timer":
        protocol.keepalive = _int(value.rpartition("/")[2])
    elif key == "Last error":
        protocol.last_error = value


def _channel_line(channel: Channel, key: str, value: str) -> None:
    if key == "State":
        channel.state = value
    elif key == "Routes":
        counts = {kind: int(number) for number, kind in _ROUTES.findall(value)}
        channel.imported = counts.get("imported", 0)
        channel.filtered = counts.get("filtered", 0)
        channel.exported = counts.get("exported", 0)
    elif key == "Input filter":
        channel.import_filter = value
    elif key == "Output filter":
        channel.export_filter = value
    elif key == "Receive limit" or key == "Import limit":
        channel.import_limit = _int(value.split()[0]) if value else -1


def _int(value: str) -> int:
    try:
        return int(value.split()[0])
    except (ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class Status:
    """What `show status` says: version, router ID, hostname, server time, last reboot."""

    version: str
    router_id: str
    hostname: str
    server_time: datetime | None
    last_reboot: datetime | None


def status(show_status: str) -> Status:
    """Parse `birdc show status`."""
    version = _VERSION.search(strip_banner(show_status))
    router_id = _ROUTER_ID.search(show_status)
    hostname = _HOSTNAME.search(show_status)
    return Status(
        version=version.group(1) if version else "",
        router_id=router_id.group(1) if router_id else "",
        hostname=hostname.group(1) if hostname else "",
        server_time=_datetime(_SERVER_TIME.search(show_status)),
        last_reboot=_datetime(_LAST_REBOOT.search(show_status)),
    )


def _datetime(match: re.Match[str] | None) -> datetime | None:
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S") if match else None


def uptime_seconds(protocol: BGPProtocol, now: datetime | None) -> int:
    """Seconds since the session came up; -1 when it is not Established or BIRD's time
    is unknown. BIRD's default time format prints the time of day for the last 20 hours
    and only the date before that (then counted from that day's midnight)."""
    if not protocol.is_up or now is None:
        return -1
    match = _SINCE.match(protocol.since)
    if not match or not protocol.since:
        return -1
    day = match.group("date") or now.strftime("%Y-%m-%d")
    clock = match.group("time") or "00:00:00"
    since = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S")
    if since > now and not match.group("date"):
        since -= timedelta(days=1)  # a time of day later than now: yesterday's
    return max(int((now - since).total_seconds()), 0)
