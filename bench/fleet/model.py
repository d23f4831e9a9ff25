"""What every emulated router holds, as pure functions of (seed, router, session, epoch).

Code that benchmarks or tests the fleet imports this module to know, without
asking the fleet, what each router reports: its identity, its BGP sessions and,
for a given epoch, each session's state and prefix counts.

Addresses come from ranges reserved for documentation and benchmarking
(198.18.0.0/15, 2001:db8::/32) and AS numbers from the private ranges
(64512-65534, 4200000000 and above).
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import random
from dataclasses import dataclass
from functools import cached_property

DEFAULT_BASE_PORT = 20000
DEFAULT_HOST = "127.0.0.1"

EOS_VERSION = "4.32.2F"
EOS_INTERNAL_VERSION = "4.32.2F-38195967.4322F"
EOS_MODEL = "cEOSLab"
DOMAIN = "fleet.example.net"
INTERFACES = ("Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4", "Loopback0", "Management1")

# Sessions are spread over these VRFs in this order; "default" is the global table.
VRFS = ("default", "PEERING", "TRANSIT", "CUSTOMERS")

# Virtual clock of the model: epoch e is EPOCH_ZERO_TIME + e * EPOCH_SECONDS.
EPOCH_ZERO_TIME = 1_735_689_600.0  # 2025-01-01T00:00:00Z
EPOCH_SECONDS = 300

ESTABLISHED = "Established"
ADMIN_SHUTDOWN_REASON = "Administratively shut down"

_LOCAL_AS_BASE = 4_200_000_000
_REMOTE_AS4_BASE = 4_201_000_000
_V4_NEIGHBORS = ipaddress.IPv4Network("198.18.0.0/16")
_V4_ROUTER_IDS = ipaddress.IPv4Network("198.19.0.0/16")
_V6_PREFIX = int(ipaddress.IPv6Address("2001:db8::"))

# Per-epoch state: (upper bound out of 1000, EOS state, last state, last event).
_STATE_TABLE = (
    (850, ESTABLISHED, "OpenConfirm", "RecvKeepAlive"),
    (920, "Active", "Connect", "TransportError"),
    (950, "Connect", "Active", "ConnectRetryTimerExpires"),
    (970, "Idle", "Established", "HoldTimerExpires"),
    (990, "OpenSent", "Connect", "TransportConnected"),
    (1000, "OpenConfirm", "OpenSent", "RecvOpen"),
)


class FaultKind(enum.StrEnum):
    """How a faulty router misbehaves towards eAPI clients."""

    TIMEOUT = "timeout"  # accepts the TCP connection, never answers
    HTTP_500 = "http500"  # answers HTTP 500 with a non-JSON body
    JSONRPC_ERROR = "jsonrpc"  # answers a JSON-RPC error to every request
    REFUSED = "refused"  # its port is not opened: connection refused


@dataclass(frozen=True)
class RouterInfo:
    index: int
    hostname: str
    fqdn: str
    host: str
    port: int
    local_as: int
    router_id: str
    serial_number: str
    system_mac: str
    model: str
    os_version: str
    interfaces: tuple[str, ...]


@dataclass(frozen=True)
class SessionInfo:
    """Configuration of one BGP session; does not change between epochs."""

    router_index: int
    index: int
    vrf: str
    address_family: int  # 4 or 6
    neighbor_ip: str
    local_ip: str
    remote_as: int
    remote_id: str  # the neighbour's router ID, reported while established
    description: str
    import_policy: str
    export_policy: str
    admin_shutdown: bool


@dataclass(frozen=True)
class SessionState:
    """Live state of one BGP session in one epoch."""

    state: str  # EOS spelling: Established, Active, Connect, Idle, OpenSent, OpenConfirm
    last_state: str
    last_event: str
    idle_reason: str  # only meaningful when state is Idle
    received_prefixes: int
    accepted_prefixes: int
    sent_prefixes: int
    established_seconds: int  # -1 unless established
    established_transitions: int
    messages_sent: int
    messages_received: int
    updates_sent: int
    updates_received: int
    local_port: int  # 0 unless established
    remote_port: int

    @property
    def is_up(self) -> bool:
        return self.state == ESTABLISHED

    @property
    def is_enabled(self) -> bool:
        return self.idle_reason != ADMIN_SHUTDOWN_REASON


def _digest(*parts: object) -> bytes:
    key = ":".join(str(part) for part in parts).encode()
    return hashlib.blake2b(key, digest_size=16).digest()


def _numbers(*parts: object) -> list[int]:
    """Eight deterministic 16-bit numbers for the given key."""
    raw = _digest(*parts)
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, 16, 2)]


def epoch_time(epoch: int) -> float:
    """Wall-clock time the model assigns to an epoch (used for EOS timestamps)."""
    return EPOCH_ZERO_TIME + epoch * EPOCH_SECONDS


def _router_id(router_index: int) -> str:
    return str(_V4_ROUTER_IDS[1 + router_index % (_V4_ROUTER_IDS.num_addresses - 2)])


def router_info(index: int, *, base_port: int = DEFAULT_BASE_PORT) -> RouterInfo:
    hostname = f"rtr{index:04d}"
    mac = index.to_bytes(4, "big")
    return RouterInfo(
        index=index,
        hostname=hostname,
        fqdn=f"{hostname}.{DOMAIN}",
        host=DEFAULT_HOST,
        port=base_port + index,
        local_as=_LOCAL_AS_BASE + index,
        router_id=_router_id(index),
        serial_number=f"FLT{index:08d}",
        system_mac="02:1c:" + ":".join(f"{byte:02x}" for byte in mac),
        model=EOS_MODEL,
        os_version=EOS_INTERNAL_VERSION,
        interfaces=INTERFACES,
    )


def session_info(seed: int, router_index: int, session_index: int, sessions: int) -> SessionInfo:
    """Session `session_index` of a router that has `sessions` sessions in total."""
    numbers = _numbers(seed, "session", router_index, session_index)
    family = 4 if session_index % 2 == 0 else 6
    vrf = VRFS[(session_index // 2) % len(VRFS)]
    if family == 4:
        # One address per IPv4 session, unique in the fleet while it has < 65535 of them.
        ordinal = router_index * ((sessions + 1) // 2) + session_index // 2
        neighbor_ip = str(_V4_NEIGHBORS[1 + ordinal % (_V4_NEIGHBORS.num_addresses - 2)])
        local_ip = _router_id(router_index)  # sessions are sourced from the loopback
    else:
        router_net = _V6_PREFIX | (router_index % 0x10000) << 80
        neighbor_ip = str(ipaddress.IPv6Address(router_net | 1 << 64 | session_index + 1))
        local_ip = str(ipaddress.IPv6Address(router_net | 1))
    if numbers[0] % 3 == 2:
        remote_as = _REMOTE_AS4_BASE + numbers[1] * 16 + numbers[2] % 16
    else:
        remote_as = 64512 + numbers[1] % 1023
    remote_id = str(_V4_ROUTER_IDS[1 + (numbers[3] << 16 | numbers[4]) % 65534])
    return SessionInfo(
        router_index=router_index,
        index=session_index,
        vrf=vrf,
        address_family=family,
        neighbor_ip=neighbor_ip,
        local_ip=local_ip,
        remote_as=remote_as,
        remote_id=remote_id,
        description=f"AS{remote_as} session {session_index}",
        import_policy=f"{vrf}-AS{remote_as}-IN",
        export_policy=f"{vrf}-AS{remote_as}-OUT",
        admin_shutdown=numbers[5] % 100 < 3,
    )


def session_state(seed: int, info: SessionInfo, epoch: int) -> SessionState:
    numbers = _numbers(seed, "state", info.router_index, info.index, epoch)
    if info.admin_shutdown:
        state, last_state, last_event = "Idle", "Idle", "Stop"
        idle_reason = ADMIN_SHUTDOWN_REASON
    else:
        roll = numbers[0] % 1000
        _, state, last_state, last_event = next(row for row in _STATE_TABLE if roll < row[0])
        idle_reason = "Unknown" if state == "Idle" else ""
    transitions = numbers[1] % 20
    opens = transitions + 1
    if state != ESTABLISHED:
        return SessionState(
            state=state,
            last_state=last_state,
            last_event=last_event,
            idle_reason=idle_reason,
            received_prefixes=0,
            accepted_prefixes=0,
            sent_prefixes=0,
            established_seconds=-1,
            established_transitions=transitions,
            messages_sent=opens,
            messages_received=transitions,
            updates_sent=0,
            updates_received=0,
            local_port=0,
            remote_port=179,
        )
    received = numbers[2] % 5000
    updates_sent = 1 + numbers[5] % 50
    updates_received = 1 + numbers[6] % 500
    keepalives = numbers[7] % 20000
    return SessionState(
        state=state,
        last_state=last_state,
        last_event=last_event,
        idle_reason="",
        received_prefixes=received,
        accepted_prefixes=received - numbers[3] % (received // 10 + 1),
        sent_prefixes=numbers[4] % 200,
        established_seconds=60 + (numbers[7] << 8 | numbers[6] % 256) % 10_000_000,
        established_transitions=transitions + 1,
        messages_sent=opens + updates_sent + keepalives,
        messages_received=opens + updates_received + keepalives,
        updates_sent=updates_sent,
        updates_received=updates_received,
        local_port=1024 + numbers[1] * 3 % 64000,
        remote_port=179,
    )


@dataclass(frozen=True)
class FleetSpec:
    """Everything that decides what the fleet serves: shape, seed, ports and faults."""

    routers: int
    sessions: int
    seed: int = 1
    base_port: int = DEFAULT_BASE_PORT
    control_port: int | None = None  # default: the port just below base_port
    latency_ms: float = 0.0
    faulty: float = 0.0  # fraction of routers that misbehave
    fault_kinds: tuple[FaultKind, ...] = tuple(FaultKind)  # assigned to faulty routers in turn

    def __post_init__(self) -> None:
        if self.routers < 1 or self.sessions < 0:
            raise ValueError("a fleet needs at least one router and a non-negative session count")
        if not 0.0 <= self.faulty <= 1.0:
            raise ValueError("faulty is a fraction between 0 and 1")
        if not self.fault_kinds:
            raise ValueError("fault_kinds must name at least one kind of fault")
        if self.base_port < 1025 or self.base_port + self.routers > 65536:
            raise ValueError("router ports must fit between 1025 and 65535")

    @property
    def control(self) -> int:
        return self.control_port if self.control_port is not None else self.base_port - 1

    @property
    def ports(self) -> range:
        return range(self.base_port, self.base_port + self.routers)

    def router(self, index: int) -> RouterInfo:
        self._check_router(index)
        return router_info(index, base_port=self.base_port)

    def session(self, router_index: int, session_index: int) -> SessionInfo:
        self._check_router(router_index)
        if not 0 <= session_index < self.sessions:
            raise IndexError(f"session {session_index} out of range 0..{self.sessions - 1}")
        return session_info(self.seed, router_index, session_index, self.sessions)

    def sessions_of(self, router_index: int) -> list[SessionInfo]:
        self._check_router(router_index)
        return [
            session_info(self.seed, router_index, s, self.sessions) for s in range(self.sessions)
        ]

    def state(self, session: SessionInfo, epoch: int) -> SessionState:
        return session_state(self.seed, session, epoch)

    def vrfs_of(self, router_index: int) -> list[str]:
        """VRFs with BGP configured on the router, default first."""
        used = min(len(VRFS), (self.sessions + 1) // 2)
        return list(VRFS[: max(used, 1)])

    @cached_property
    def faults(self) -> dict[int, FaultKind]:
        """Router index -> fault, for the round(faulty * routers) misbehaving routers."""
        count = round(self.faulty * self.routers)
        chosen = sorted(random.Random(f"{self.seed}:faults").sample(range(self.routers), count))
        kinds = self.fault_kinds
        return {index: kinds[n % len(kinds)] for n, index in enumerate(chosen)}

    def fault(self, router_index: int) -> FaultKind | None:
        return self.faults.get(router_index)

    def healthy_routers(self) -> list[int]:
        return [index for index in range(self.routers) if index not in self.faults]

    def napalm_optional_args(self, router_index: int) -> dict[str, object]:
        """optional_args for napalm's eos driver to reach this router."""
        return {"transport": "http", "port": self.router(router_index).port}

    def _check_router(self, index: int) -> None:
        if not 0 <= index < self.routers:
            raise IndexError(f"router {index} out of range 0..{self.routers - 1}")
