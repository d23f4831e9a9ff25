"""The shared lab (session fixture): its routers, sessions, SSH access and reset()."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lab import Lab
from lab.ssh import ssh_argv
from lab.state import REPO_ROOT

# r1's starting sessions and the prefixes each peer announces over them.
R1_STARTING_SESSIONS = {
    "192.0.2.11": 53,
    "2001:db8:1::11": 6,
    "192.0.2.12": 10_000,
    "198.51.100.1": 5,
}
P3_ADDRESSES = ("192.0.2.13", "2001:db8:1::13")


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def r1_peers(lab: Lab) -> dict[str, dict[str, Any]]:
    summary = lab.router("r1").json("show bgp vrf all summary json")["default"]
    peers: dict[str, dict[str, Any]] = {}
    for family in ("ipv4Unicast", "ipv6Unicast"):
        peers.update(summary.get(family, {}).get("peers", {}))
    return peers


def ssh(lab: Lab, command: str) -> subprocess.CompletedProcess[str]:
    params = lab.napalm_params("r1")
    options = params["optional_args"]
    return subprocess.run(
        ["ssh", "-i", options["key_file"], "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={options['known_hosts_file']}",
         "-o", "StrictHostKeyChecking=yes",
         f"{params['username']}@{params['hostname']}", command],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def test_every_starting_session_of_r1_is_established_with_all_prefixes(lab: Lab) -> None:
    peers = r1_peers(lab)

    assert {address: (peer["state"], peer["pfxRcd"]) for address, peer in peers.items()} == {
        address: ("Established", count) for address, count in R1_STARTING_SESSIONS.items()
    }


def test_p3_waits_for_r1_which_is_not_configured_for_it(lab: Lab) -> None:
    assert not set(P3_ADDRESSES) & set(r1_peers(lab))
    assert "192.0.2.13" not in lab.router("r1").vtysh("show running-config")

    assert {s["neighbour"] for s in lab.sessions("p3")} == {"192.0.2.1", "2001:db8:1::1"}
    wait_for(
        lambda: all(s["state"] != "Established" for s in lab.sessions("p3")),
        timeout=10,
        what="p3's sessions to be down",  # after a test that added p3 to r1, briefly
    )


def test_r1_answers_vtysh_over_ssh_from_the_root_namespace(lab: Lab) -> None:
    vty_socket = lab.napalm_params("r1")["optional_args"]["vty_socket"]

    result = ssh(lab, f"hostname; vtysh --vty_socket {vty_socket} -c 'show bgp summary json'")

    assert result.returncode == 0, result.stderr
    hostname, _, output = result.stdout.partition("\n")
    assert hostname == "r1"
    peers = json.loads(output)["ipv4Unicast"]["peers"]
    assert peers["192.0.2.12"]["state"] == "Established"
    assert peers["192.0.2.12"]["pfxRcd"] == 10_000


def test_r1_refuses_root_without_the_lab_key(lab: Lab) -> None:
    known_hosts = lab.napalm_params("r1")["optional_args"]["known_hosts_file"]

    result = subprocess.run(
        ["ssh", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no",
         "-o", f"UserKnownHostsFile={known_hosts}", f"root@{lab.router('r1').mgmt_address}",
         "true"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert result.returncode == 255
    assert "Permission denied" in result.stderr


def test_frr_reload_over_ssh_adds_p3_and_saves_the_configuration(clean_lab: Lab) -> None:
    options = clean_lab.napalm_params("r1")["optional_args"]
    config_file = Path(options["config_file"])
    starting = config_file.read_text()
    candidate = starting.replace(
        " neighbor 198.51.100.1 remote-as 64504\n",
        " neighbor 198.51.100.1 remote-as 64504\n"
        " neighbor 192.0.2.13 remote-as 64503\n"
        " neighbor 192.0.2.13 timers connect 1\n",
    ).replace(
        "  neighbor 198.51.100.1 activate\n",
        "  neighbor 198.51.100.1 activate\n  neighbor 192.0.2.13 activate\n",
    )
    candidate_path = Path(options["run_dir"]) / "candidate.conf"
    candidate_path.write_text(candidate)

    result = ssh(
        clean_lab,
        f"{options['frr_reload']} --reload --stdout --vty_socket {options['vty_socket']} "
        f"--confdir {options['config_dir']} --rundir {options['run_dir']} {candidate_path}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    (p3,) = clean_lab.wait_established(peers=["192.0.2.13"], timeout=15, prefixes=True)
    assert p3["prefixes_received"] == 4
    assert "neighbor 192.0.2.13 remote-as 64503" in config_file.read_text()


def test_reset_restores_r1s_starting_configuration(clean_lab: Lab) -> None:
    r1 = clean_lab.router("r1")
    starting = r1.paths.frr_conf.read_text()
    r1.vtysh(
        "configure terminal",
        "router bgp 64500",
        "neighbor 192.0.2.13 remote-as 64503",
        "neighbor 192.0.2.12 shutdown",
    )
    r1.vtysh("write memory")

    clean_lab.reset()

    assert "192.0.2.13" not in r1.vtysh("show running-config")
    assert r1.paths.frr_conf.read_text() == starting
    peers = r1_peers(clean_lab)
    assert set(peers) == set(R1_STARTING_SESSIONS)
    assert peers["192.0.2.12"]["state"] == "Established"


def test_stopping_p2_takes_its_session_down_and_reset_brings_it_back(clean_lab: Lab) -> None:
    clean_lab.router("p2").stop()

    wait_for(
        lambda: r1_peers(clean_lab)["192.0.2.12"]["state"] != "Established",
        timeout=15,
        what="r1's session with p2 to go down",
    )
    assert not clean_lab.router("p2").is_running()

    clean_lab.reset()

    p2 = r1_peers(clean_lab)["192.0.2.12"]
    assert (p2["state"], p2["pfxRcd"]) == ("Established", 10_000)


def test_status_shows_each_routers_sessions(lab: Lab) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lab", "status", "--instance", str(lab.instance)],
        capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["r1", "192.0.2.12", "64502", "Established", "10000"] in rows
    assert ["r1", "2001:db8:1::11", "64501", "Established", "6"] in rows
    assert ["p2", "192.0.2.1", "64500", "Established"] in [row[:4] for row in rows]
    assert {row[0] for row in rows[2:]} == {"r1", "p1", "p2", "p3", "p4", "rs1"}
    assert ["rs1", "-", "-", "no", "BGP", "session", "configured", "-"] in rows


def test_rs1_is_reachable_over_ssh_and_runs_bird_without_sessions(lab: Lab) -> None:
    rs1 = lab.router("rs1")
    result = subprocess.run(
        [*ssh_argv(lab.ssh, rs1.mgmt_address), f"birdc -s {rs1.paths.bird_socket} show status"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Router ID is 192.0.2.100" in result.stdout
    assert lab.sessions("rs1") == []
