"""Keeping the lab's addresses on this machine, whether the lab is up or not.

The lab's addresses come from ranges reserved for documentation and benchmarking. Once
the lab is down nothing on the machine claims them, so without help a connection to r1's
management address (198.18.N.11) would follow the default route and reach whatever
answers at that address outside. As root, the lab therefore installs an `unreachable`
route for each range in the root namespace and leaves it there when the lab goes down:
connecting to a lab address then fails at once ("No route to host") and nothing is sent.

The routes have a very high metric and cover whole ranges, so every other route wins
over them: the lab's own management link (198.18.N.0/24 on pkN-mgmt, more specific)
while an instance runs, and any route of the machine's own for such a range. They only
take the place of the default route.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

# The range of the lab's management addresses: the only lab addresses anything outside
# the lab's namespaces connects to (routers' hostnames). The peering ranges (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are only used inside the namespaces, and
# machines use them for their own network too (a LAN, a package mirror): blocking them
# in the root namespace would cut such a machine off.
LAB_RANGES = ("198.18.0.0/15",)
# Above any metric a route of the machine's own would have: those always win.
UNREACHABLE_METRIC = 4_000_000_000
# Root-namespace links into a lab instance's managed routers (pkN-mgmt to r1,
# pkN-mgmt-<router> to the others).
LAB_LINK = re.compile(r"pk\d-mgmt(-[a-z0-9]+)?")
# `ip route get` answers for which the kernel sends nothing.
REFUSED_TYPES = frozenset({"unreachable", "blackhole", "prohibit", "throw", "local"})


class GuardError(RuntimeError):
    pass


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=10)


def install_unreachable_routes() -> None:
    """Install (or refresh) the unreachable route of every lab range. Needs root;
    idempotent."""
    if os.geteuid() != 0:
        raise GuardError("installing the lab's unreachable routes needs root")
    if shutil.which("ip") is None:
        raise GuardError("installing the lab's unreachable routes needs `ip` (iproute2)")
    for network in LAB_RANGES:
        family = "-6" if ":" in network else "-4"
        metric = str(UNREACHABLE_METRIC)
        result = _ip(family, "route", "replace", "unreachable", network, "metric", metric)
        if result.returncode != 0:
            raise GuardError(
                f"could not install the unreachable route for {network}: {result.stderr.strip()}"
            )


def protect_lab_ranges() -> str | None:
    """Install the routes when this process can; otherwise say why not (one line)."""
    try:
        install_unreachable_routes()
    except GuardError as error:
        return str(error)
    return None


def route_of(address: str) -> dict[str, object] | None:
    """The root namespace's route to `address` (`ip route get`, which sends nothing);
    None when the kernel has none (unreachable, prohibited...)."""
    result = _ip("-j", "route", "get", address)
    if result.returncode != 0:
        return None
    routes = json.loads(result.stdout or "[]")
    return routes[0] if routes else None


def leaves_machine(address: str) -> bool:
    """Whether a connection to `address` would send packets out of this machine. Only a
    local address, a lab management link or a refusing route keep them in; without
    `ip` to ask, assume they would leave."""
    if shutil.which("ip") is None:
        return True
    route = route_of(address)
    if route is None:
        return False
    if route.get("type") in REFUSED_TYPES:
        return False
    device = str(route.get("dev", ""))
    return not (device == "lo" or LAB_LINK.fullmatch(device))
