"""A lab address never routes out of the machine, whether its lab is up or not."""

from __future__ import annotations

import subprocess

from lab import Lab
from lab.guard import LAB_RANGES, UNREACHABLE_METRIC, leaves_machine, route_of


def ip_route_get(address: str) -> subprocess.CompletedProcess[str]:
    """The kernel's answer for `address`; `ip route get` sends nothing."""
    return subprocess.run(
        ["ip", "route", "get", address], capture_output=True, text=True, timeout=10, check=False
    )


def test_every_lab_range_has_an_unreachable_route_below_every_other(lab_host: None) -> None:
    shown = subprocess.run(
        "ip -4 route show type unreachable; ip -6 route show type unreachable",
        shell=True, capture_output=True, text=True, timeout=10, check=True,
    ).stdout  # fmt: skip
    routes = {line.split()[1]: line for line in shown.splitlines()}

    for network in LAB_RANGES:
        assert network in routes, f"no unreachable route for {network}:\n{shown}"
        assert f"metric {UNREACHABLE_METRIC}" in routes[network]


def test_with_its_lab_down_r1s_address_is_unreachable_from_this_machine(spare_lab: Lab) -> None:
    down = [spare_lab.router("r1").mgmt_address]
    if not Lab(0).is_up():  # the demo's instance, when no demo runs
        down.append("198.18.0.11")

    for address in down:
        assert address is not None
        answer = ip_route_get(address)
        assert answer.returncode != 0, answer.stdout
        assert answer.stderr.strip() == "RTNETLINK answers: No route to host"
        assert route_of(address) is None

    # Nowhere in the management range, up or down, does an r1 address leave the machine.
    for instance in range(10):
        assert not leaves_machine(f"198.18.{instance}.11")
    for address in ("198.18.200.1", "198.19.255.254"):
        assert ip_route_get(address).stderr.strip() == "RTNETLINK answers: No route to host"


def test_a_running_labs_management_link_wins_over_the_unreachable_route(lab: Lab) -> None:
    address = lab.router("r1").mgmt_address
    assert address is not None

    route = route_of(address)

    assert route is not None and route["dev"] == lab.topology.mgmt_host_link
    assert not leaves_machine(address)
