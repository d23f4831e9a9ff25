"""A lab address is never connected to when the connection would leave the machine,
whatever the state of the lab and of its unreachable routes (a machine just rebooted has
neither the lab's link nor the routes).

The machine is played by a network namespace with only a default route, through a veth
pair, to a second namespace that counts what reaches it and forwards nothing: the
"outside". Both are this test's own and are deleted after it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.lab_networks import outside_lab

REPO = Path(__file__).resolve().parents[2]
HOSTS = Path("/etc/netns")
# Connects to argv[1] with napalm-frr; prints [error class, message] (or "connected").
CONNECT = """
import json, sys
import django
django.setup()
from devices.napalm import DeviceError, DriverSettings, connect
settings = DriverSettings(router="r1", driver="frr", hostname=sys.argv[1], username="peerkeeper",
                          password="", timeout=2, optional_args={})
try:
    with connect(settings):
        print(json.dumps(["connected", ""]))
except DeviceError as error:
    print(json.dumps([type(error).__name__, str(error)]))
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


@dataclass
class Machine:
    """The namespace standing in for this machine, and the counter of its outside."""

    name: str
    outside: str
    outside_link: str
    link: str

    def renumber(self, machine: str, gateway: str) -> None:
        """Give the machine's uplink another address (and default route), and the
        outside the gateway's."""
        for namespace, link, address in (
            (self.name, self.link, machine),
            (self.outside, self.outside_link, gateway),
        ):
            _ip("-n", namespace, "address", "flush", "dev", link)
            _ip("-n", namespace, "address", "add", f"{address}/24", "dev", link)
        _ip("-n", self.name, "route", "replace", "default", "via", gateway)

    def packets_out(self) -> int:
        """Packets the outside has received from the machine."""
        path = f"/sys/class/net/{self.outside_link}/statistics/rx_packets"
        command = ["ip", "netns", "exec", self.outside, "cat", path]
        return int(subprocess.run(command, check=True, capture_output=True, text=True).stdout)

    def connect(self, host: str, **environment: str) -> tuple[str, str]:
        env = {k: v for k, v in os.environ.items() if "DATABASE" not in k}
        env.update(DJANGO_SETTINGS_MODULE="peerkeeper.settings", **environment)
        command = ["ip", "netns", "exec", self.name, sys.executable, "-c", CONNECT, host]
        result = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        kind, message = json.loads(result.stdout.strip().splitlines()[-1])
        return kind, message


@pytest.fixture
def rebooted_machine(lab_host: None) -> Iterator[Machine]:
    """A machine with a default route out and nothing of the lab: no link, no route."""
    tag = os.getpid() % 100_000
    machine, outside = f"pkv{tag}-machine", f"pkv{tag}-outside"
    here, there = f"pkv{tag}m", f"pkv{tag}o"
    try:
        _ip("netns", "add", machine)
        _ip("netns", "add", outside)
        _ip("link", "add", here, "netns", machine, "type", "veth", "peer", there, "netns", outside)
        ends = ((machine, here, "10.200.0.2"), (outside, there, "10.200.0.1"))
        for namespace, link, address in ends:
            # No IPv6: its router solicitations would count as packets out.
            for scope in ("all", "default", link):
                sysctl = f"net.ipv6.conf.{scope}.disable_ipv6=1"
                _ip("netns", "exec", namespace, "sysctl", "-qw", sysctl)
            _ip("-n", namespace, "link", "set", link, "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
            _ip("-n", namespace, "address", "add", f"{address}/24", "dev", link)
        _ip("-n", machine, "route", "add", "default", "via", "10.200.0.1")
        # `ip netns exec` shows the namespace this file as /etc/hosts.
        HOSTS.joinpath(machine).mkdir(parents=True)
        hosts = "127.0.0.1 localhost\n::1 localhost\n198.18.0.11 r1.lab.test\n"
        HOSTS.joinpath(machine, "hosts").write_text(hosts)
        yield Machine(machine, outside, there, here)
    finally:
        shutil.rmtree(HOSTS / machine, ignore_errors=True)
        for namespace in (machine, outside):
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, check=False)


@pytest.mark.parametrize("host", ["198.18.0.11", "r1.lab.test", "::ffff:198.18.0.11", "3323068427"])
def test_a_lab_address_is_refused_before_anything_is_sent(
    rebooted_machine: Machine, host: str
) -> None:
    before = rebooted_machine.packets_out()
    kind, message = rebooted_machine.connect(host)
    assert (kind, message) == (
        "Unreachable",
        f"Cannot reach r1 ({host}): 198.18.0.11 is a lab address (LOCAL_ONLY_NETWORKS) "
        "and the lab is not up on this machine, so the connection would leave it; nothing "
        "was sent.",
    )
    assert rebooted_machine.packets_out() == before


def test_an_uplink_numbered_in_the_lab_range_is_not_a_lab_link(rebooted_machine: Machine) -> None:
    """What keeps a connection here is the interface it leaves by, not its source address:
    a machine whose own network is numbered inside 198.18.0.0/15 still sends nothing."""
    rebooted_machine.renumber("198.19.255.2", "198.19.255.1")
    before = rebooted_machine.packets_out()
    kind, message = rebooted_machine.connect("198.18.0.11")
    assert kind == "Unreachable" and "nothing was sent" in message, message
    assert rebooted_machine.packets_out() == before


def test_without_the_guard_the_same_connection_leaves(rebooted_machine: Machine) -> None:
    """What the guard prevents: with LOCAL_ONLY_NETWORKS empty, the driver's connection
    goes out by the default route (and times out: the outside forwards nothing)."""
    before = rebooted_machine.packets_out()
    kind, _ = rebooted_machine.connect("198.18.0.11", PEERKEEPER_LOCAL_ONLY_NETWORKS="")
    assert kind != "connected"
    assert rebooted_machine.packets_out() > before


def test_an_address_outside_the_lab_networks_is_not_the_guards(rebooted_machine: Machine) -> None:
    before = rebooted_machine.packets_out()
    _, message = rebooted_machine.connect("10.200.0.77")
    assert "LOCAL_ONLY_NETWORKS" not in message, message
    assert rebooted_machine.packets_out() > before


def test_on_this_machine_a_lab_address_stays_local_up_or_down(lab_host: None, lab) -> None:
    """Here the lab runs (its link) and the lab's routes stand in for every other
    instance: neither is refused, and neither leaves."""
    networks = [ipaddress.ip_network("198.18.0.0/15")]
    up = f"198.18.{lab.instance}.11"
    down = f"198.18.{(lab.instance + 3) % 10}.11"
    assert outside_lab(up, networks) is None
    assert outside_lab(down, networks) is None
