"""Configuration text for the lab's FRR, BIRD and sshd instances.

Timers are short so every session comes up within a few seconds: keepalive 3 s, hold 9 s,
connect retry 1-2 s.
"""

from __future__ import annotations

from pathlib import Path

from lab.topology import RouterSpec

# A peer that announces prefixes of its own exports only those, as BIRD's peers do
# (`export where source = RTS_STATIC`): never the routes it learned from r1, which r1
# would receive back and drop (its own AS in the path) before any policy of its own.
OWN_ROUTES = [
    "bgp as-path access-list OWN-ROUTES seq 5 permit ^$",
    "!",
    "route-map OWN-ROUTES permit 10",
    " match as-path OWN-ROUTES",
    "exit",
    "!",
]


def frr_config(spec: RouterSpec) -> str:
    """FRR's integrated configuration (frr.conf) for a router."""
    lines = [
        "frr defaults traditional",
        f"hostname {spec.name}",
        "service integrated-vtysh-config",
        "!",
        *(OWN_ROUTES if spec.announced else []),
        f"router bgp {spec.asn}",
        f" bgp router-id {spec.router_id}",
        " no bgp ebgp-requires-policy",
        " no bgp default ipv4-unicast",
        " no bgp network import-check",
        " timers bgp 3 9",
    ]
    for session in spec.sessions:
        lines += [
            f" neighbor {session.peer_address} remote-as {session.peer_asn}",
            f" neighbor {session.peer_address} description {session.name}",
            f" neighbor {session.peer_address} timers connect 1",
        ]
    for family in ("ipv4", "ipv6"):
        sessions = [s for s in spec.sessions if s.family == family]
        announced = spec.announced_in(family)
        if not sessions and not announced:
            continue
        lines.append(" !")
        lines.append(f" address-family {family} unicast")
        lines += [f"  network {prefix}" for prefix in announced]
        for session in sessions:
            lines.append(f"  neighbor {session.peer_address} activate")
            if spec.announced:
                lines.append(f"  neighbor {session.peer_address} route-map OWN-ROUTES out")
        lines.append(" exit-address-family")
    lines += ["exit", "!", ""]
    return "\n".join(lines)


VTYSH_CONF = "service integrated-vtysh-config\n"


def bird_config(spec: RouterSpec, include: Path | None = None) -> str:
    """BIRD 2 configuration: static routes for what the router announces, one BGP
    protocol per session exporting only those routes; `include` (a managed router's
    file for napalm-bird's merge mode) is included at the end."""
    lines = [
        "log stderr all;",
        f"router id {spec.router_id};",
        "",
        "protocol device {",
        "}",
    ]
    for family in ("ipv4", "ipv6"):
        announced = spec.announced_in(family)
        if not announced:
            continue
        lines += ["", f"protocol static announced_{family} {{", f"  {family};"]
        lines += [f"  route {prefix} blackhole;" for prefix in announced]
        lines.append("}")
    for session in spec.sessions:
        lines += [
            "",
            f"protocol bgp {session.name} {{",
            f"  local {session.local_address} as {spec.asn};",
            f"  neighbor {session.peer_address} as {session.peer_asn};",
            "  hold time 9;",
            "  keepalive time 3;",
            "  connect delay time 1;",
            "  connect retry time 2;",
            "  error wait time 1, 5;",
            f"  {session.family} {{",
            "    import all;",
            "    export where source = RTS_STATIC;",
            "  };",
            "}",
        ]
    if include is not None:
        lines += ["", f'include "{include}";']
    lines.append("")
    return "\n".join(lines)


def sshd_config(
    listen_address: str, host_key: Path, authorized_keys: Path, log_level: str = "INFO"
) -> str:
    """sshd for the management address only: root by key, nothing else."""
    return "\n".join(
        [
            f"ListenAddress {listen_address}",
            "Port 22",
            f"HostKey {host_key}",
            f"AuthorizedKeysFile {authorized_keys}",
            # The authorized key lives in the checkout's data directory, which may sit
            # under a world-writable parent such as /tmp; sshd's path check would refuse it.
            "StrictModes no",
            "PidFile none",
            "UsePAM no",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitEmptyPasswords no",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "MaxStartups 50:30:100",
            "MaxSessions 50",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            f"LogLevel {log_level}",
            "",
        ]
    )
