"""Network namespaces, veth links and addresses, through iproute2's `ip`."""

from __future__ import annotations

import subprocess
import time
from collections import defaultdict

from lab.topology import IXP_BRIDGE, IXP_SEGMENT, MGMT_SEGMENT, Topology

DISABLE_DAD = ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
# Routers forward; FRR would otherwise show `no ip forwarding` in r1's configuration.
FORWARDING = ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")


class NetnsError(RuntimeError):
    pass


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def list_namespaces(prefix: str) -> list[str]:
    output = ip("netns", "list").stdout
    names = (line.split()[0] for line in output.splitlines() if line.strip())
    return sorted(name for name in names if name.startswith(prefix))


def list_root_links(prefix: str) -> list[str]:
    output = ip("-o", "link", "show").stdout
    links = []
    for line in output.splitlines():
        # "7: pk1-mgmt@if6: <BROADCAST,...": the name ends at "@" or ":".
        name = line.split(":", 2)[1].strip().split("@")[0]
        if name.startswith(prefix):
            links.append(name)
    return links


def delete_instance_network(prefix: str) -> None:
    """Remove every namespace and root-namespace link named with this instance's prefix."""
    for link in list_root_links(prefix):
        ip("link", "delete", link, check=False)
    for namespace in list_namespaces(prefix):
        ip("netns", "delete", namespace, check=False)


def _prepare_namespace(namespace: str, router: bool = True) -> None:
    ip("netns", "add", namespace)
    # Without DISABLE_DAD, IPv6 addresses stay tentative for a second or two and the
    # first BGP connection attempt over IPv6 fails (BIRD then backs off for a minute).
    settings = (*DISABLE_DAD, *FORWARDING) if router else DISABLE_DAD
    subprocess.run(
        ["ip", "netns", "exec", namespace, "sysctl", "-q", "-w", *settings],
        check=True,
        capture_output=True,
    )
    ip("-n", namespace, "link", "set", "lo", "up")


def _add_addresses(namespace: str, interface: str, addresses: tuple[str, ...]) -> None:
    for address in addresses:
        extra = ["nodad"] if ":" in address else []
        ip("-n", namespace, "addr", "add", address, "dev", interface, *extra)
    ip("-n", namespace, "link", "set", interface, "up")


def create_network(topology: Topology) -> None:
    """Create the namespaces, the IXP bridge, the links and every address."""
    ixp = topology.ixp_namespace
    for spec in topology.routers:
        _prepare_namespace(topology.namespace(spec.name))
    _prepare_namespace(ixp, router=False)
    ip("-n", ixp, "link", "add", IXP_BRIDGE, "type", "bridge", "mcast_snooping", "0")
    ip("-n", ixp, "link", "set", IXP_BRIDGE, "up")

    point_to_point: dict[str, list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
    first_mgmt = True
    for spec in topology.routers:
        namespace = topology.namespace(spec.name)
        for interface in spec.interfaces:
            if interface.segment == IXP_SEGMENT:
                # Both ends are created directly inside their namespaces, so the names
                # never meet those of another instance in the root namespace.
                ip(
                    *f"link add {interface.name} netns {namespace} type veth"
                    f" peer name {spec.name} netns {ixp}".split()
                )
                ip("-n", ixp, "link", "set", spec.name, "master", IXP_BRIDGE, "up")
                _add_addresses(namespace, interface.name, interface.addresses)
            elif interface.segment == MGMT_SEGMENT and first_mgmt:
                first_mgmt = False
                host = topology.mgmt_host_link
                peer = f"peer name {interface.name} netns {namespace}"
                ip(*f"link add {host} type veth {peer}".split())
                ip("addr", "add", topology.mgmt_host_address, "dev", host)
                ip("link", "set", host, "up")
                _add_addresses(namespace, interface.name, interface.addresses)
            elif interface.segment == MGMT_SEGMENT:
                _add_extra_mgmt_link(topology, spec.name, interface.name, interface.addresses)
            else:
                point_to_point[interface.segment].append(
                    (namespace, interface.name, interface.addresses)
                )

    for segment, ends in point_to_point.items():
        if len(ends) != 2:
            raise NetnsError(f"link {segment} must join exactly two routers, not {len(ends)}")
        (ns_a, if_a, addr_a), (ns_b, if_b, addr_b) = ends
        ip(*f"link add {if_a} netns {ns_a} type veth peer name {if_b} netns {ns_b}".split())
        _add_addresses(ns_a, if_a, addr_a)
        _add_addresses(ns_b, if_b, addr_b)


def _add_extra_mgmt_link(
    topology: Topology, router: str, interface: str, addresses: tuple[str, ...]
) -> None:
    """A management link of its own for a second managed router: the root side has no
    address, only a /32 route to the router (from the management LAN's host address); the
    router reaches 198.18.N.1 on its /24 (the root namespace answers ARP for its own
    addresses on any link)."""
    host = topology.extra_mgmt_link(router)
    namespace = topology.namespace(router)
    ip(*f"link add {host} type veth peer name {interface} netns {namespace}".split())
    ip("link", "set", host, "up")
    _add_addresses(namespace, interface, addresses)
    source = topology.mgmt_host_address.split("/")[0]
    for address in addresses:
        ip("route", "replace", address.split("/")[0], "dev", host, "src", source)


def _has_link_local(namespace: str, interface: str) -> bool:
    output = ip("-n", namespace, "-6", "-o", "addr", "show", "dev", interface, "scope", "link")
    return "fe80:" in output.stdout and "tentative" not in output.stdout


def wait_for_link_local(topology: Topology, timeout: float) -> None:
    """Wait until every IPv6 interface has its link-local address.

    FRR uses the link-local address as a next hop on a shared LAN. A session that comes
    up before the address exists sends (or, on the receiving side, cannot place) a
    link-local next hop: the receiver withdraws those routes and the session stays up
    with no prefixes. Starting the daemons only once the addresses exist avoids that.
    """
    pending = {
        (topology.namespace(spec.name), interface.name)
        for spec in topology.routers
        for interface in spec.interfaces
        if any(":" in address for address in interface.addresses)
    }
    deadline = time.monotonic() + timeout
    while pending:
        pending = {entry for entry in pending if not _has_link_local(*entry)}
        if not pending:
            return
        if time.monotonic() > deadline:
            missing = ", ".join(f"{ns}/{interface}" for ns, interface in sorted(pending))
            raise NetnsError(f"no IPv6 link-local address after {timeout:.0f} s on {missing}")
        time.sleep(0.05)
