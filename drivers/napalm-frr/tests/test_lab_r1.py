"""The driver against the lab's r1: a real FRR over real SSH, with real BGP peers.

p3 (AS 64503, 192.0.2.13) runs from the start and keeps trying to reach r1, which
does not have it configured: adding it is the configuration change these tests make.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from napalm.base import models
from napalm.base.exceptions import (
    CommitConfirmException,
    CommitError,
    ConnectAuthError,
    MergeConfigException,
)
from napalm.base.test.helpers import test_model as matches_model
from napalm_frr import FRRDriver

P1, P1_V6, P2, P3, P4 = "192.0.2.11", "2001:db8:1::11", "192.0.2.12", "192.0.2.13", "198.51.100.1"


def add_p3(asn: int) -> str:
    return (
        f"router bgp {asn}\n"
        f" neighbor {P3} remote-as 64503\n"
        f" neighbor {P3} description p3\n"
        f" neighbor {P3} timers connect 1\n"
        " address-family ipv4 unicast\n"
        f"  neighbor {P3} activate\n"
        " exit-address-family\n"
        "exit\n"
    )


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            pytest.fail(f"not within {timeout:g} s: {what}")
        time.sleep(interval)


def holds_for(check: Callable[[], bool], duration: float) -> bool:
    """Whether `check` stays true for the whole duration (checked every 0.2 s)."""
    end = time.monotonic() + duration
    while time.monotonic() < end:
        if not check():
            return False
        time.sleep(0.2)
    return check()


def running(lab: Any) -> str:
    """r1's running configuration, read beside the driver (vtysh in r1's namespace)."""
    return lab.router("r1").vtysh("show running-config")


def startup(lab: Any) -> str:
    return Path(lab.napalm_params("r1")["optional_args"]["config_file"]).read_text()


def p3_state(frr: FRRDriver) -> dict[str, Any] | None:
    return frr.get_bgp_neighbors()["global"]["peers"].get(P3)


def p3_is_up(frr: FRRDriver) -> bool:
    state = p3_state(frr)
    return bool(state and state["is_up"])


def test_getters_on_r1(frr, lab):
    assert frr.is_alive() == {"is_alive": True}
    facts = frr.get_facts()
    assert matches_model(models.FactsDict, facts)
    assert (facts["vendor"], facts["hostname"]) == ("FRRouting", "r1")
    assert facts["os_version"].startswith("8.")
    assert facts["interface_list"]
    assert frr.get_config(retrieve="running")["running"] == (
        lab.router("r1").vtysh("show running-config no-header")
    )
    config = frr.get_bgp_config()
    assert config["_"]["neighbors"][P2]["remote_as"] == 64502
    detail = frr.get_bgp_neighbors_detail()
    assert [d["remote_address"] for d in detail["global"][64502]] == [P2]
    outputs = frr.cli(["show bgp summary", "show bgp vrf all summary"], encoding="text")
    assert P2 in outputs["show bgp summary"]
    summary = frr.cli(["show bgp summary"], encoding="json")["show bgp summary"]
    assert summary["ipv4Unicast"]["peers"][P2]["state"] == "Established"


def test_prefix_counts_are_those_frr_reports(frr, lab):
    lab.wait_established("r1", timeout=30, prefixes=True)
    peers = frr.get_bgp_neighbors()["global"]["peers"]
    summary = lab.router("r1").json("show bgp vrf all summary json")["default"]
    compared = 0
    for frr_family, family in (("ipv4Unicast", "ipv4"), ("ipv6Unicast", "ipv6")):
        for address, peer in summary[frr_family]["peers"].items():
            counts = peers[address]["address_family"][family]
            assert counts["received_prefixes"] == peer["pfxRcd"], address
            assert counts["sent_prefixes"] == peer["pfxSnt"], address
            compared += 1
    assert compared == 4  # p1, p2, p4 over IPv4 and p1 over IPv6
    assert peers[P1]["address_family"]["ipv4"]["received_prefixes"] == 53
    assert peers[P2]["address_family"]["ipv4"]["received_prefixes"] == 10000
    assert peers[P1_V6]["address_family"]["ipv6"]["received_prefixes"] == 6
    assert all(peer["is_up"] and peer["is_enabled"] for peer in peers.values())


def test_merging_p3_brings_its_session_up(frr, lab):
    frr.load_merge_candidate(config=add_p3(lab.router("r1").asn))
    diff = frr.compare_config()
    assert f"+ neighbor {P3} remote-as 64503" in diff.splitlines()
    assert f"+  neighbor {P3} activate" in diff.splitlines()
    assert not [line for line in diff.splitlines() if line.startswith("- ")]
    frr.commit_config(message="add p3")
    wait_until(lambda: p3_is_up(frr), 10, "p3 Established on r1")
    assert not frr.has_pending_commit()
    assert f"neighbor {P3} remote-as 64503" in startup(lab)
    frr.load_merge_candidate(config=add_p3(lab.router("r1").asn))
    assert frr.compare_config() == ""


def test_rollback_removes_p3(frr, lab):
    before = running(lab)
    frr.load_merge_candidate(config=add_p3(lab.router("r1").asn))
    frr.commit_config()
    assert P3 in running(lab)
    frr.rollback()
    assert running(lab) == before
    assert P3 not in frr.get_bgp_neighbors()["global"]["peers"]
    assert P3 not in startup(lab)


def test_unconfirmed_commit_is_reverted_by_the_router(frr, lab, connect_r1):
    before = running(lab)
    frr.load_merge_candidate(config=add_p3(lab.router("r1").asn))
    frr.commit_config(revert_in=10)
    assert frr.has_pending_commit()
    assert P3 in running(lab)
    assert P3 not in startup(lab)  # not saved until confirmed
    frr.load_merge_candidate(config="router bgp 64500\n neighbor 192.0.2.99 remote-as 1\n")
    with pytest.raises(CommitError, match="waiting for confirmation"):
        frr.commit_config()
    frr.close()  # the client goes away; the timer runs on the router
    wait_until(lambda: running(lab) == before, 30, "r1 back to its configuration")
    later = connect_r1()
    try:
        assert not later.has_pending_commit()
        with pytest.raises(CommitConfirmException):
            later.confirm_commit()
    finally:
        later.close()


# A client that commits with revert_in, run as its own process so it can be killed.
_CLIENT = """
import json, sys
from napalm_frr import FRRDriver
params, snippet = json.loads(sys.argv[1]), sys.argv[2]
driver = FRRDriver(**params, timeout=30)
driver.open()
driver.load_merge_candidate(config=snippet)
driver.commit_config(revert_in=5)
"""


def test_client_killed_during_the_commit_is_still_reverted(frr, lab):
    before = running(lab)
    state_dir = Path(lab.napalm_params("r1")["optional_args"]["config_dir"]) / "napalm-frr"
    client = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CLIENT,
            json.dumps(lab.napalm_params("r1")),
            add_p3(lab.router("r1").asn),
        ]
    )
    try:
        # the router-side commit program logs to commit-<id>.log while it runs; the
        # client is killed then (or, should it be quicker than the polling, once done)
        wait_until(
            lambda: any(state_dir.glob("commit-*.log")) or client.poll() is not None,
            20,
            "the commit started",
            interval=0.01,
        )
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait()
    wait_until(lambda: P3 in running(lab), 20, "the commit finished without its client")
    wait_until(lambda: running(lab) == before, 30, "the router reverted the commit")
    assert not frr.has_pending_commit()


def test_confirmed_commit_is_kept(frr, lab):
    frr.load_merge_candidate(config=add_p3(lab.router("r1").asn))
    frr.commit_config(revert_in=5)
    frr.confirm_commit()
    assert not frr.has_pending_commit()
    assert holds_for(lambda: P3 in running(lab), 8)
    assert f"neighbor {P3} remote-as 64503" in startup(lab)


def test_a_line_frr_does_not_know_is_refused_at_load(frr, lab):
    before, saved = running(lab), startup(lab)
    snippet = add_p3(lab.router("r1").asn).replace("exit\n", f" neighbor {P3} frobnicate\nexit\n")
    with pytest.raises(MergeConfigException, match="frobnicate"):
        frr.load_merge_candidate(config=snippet)
    assert running(lab) == before
    assert startup(lab) == saved


@pytest.mark.parametrize("kind", ["merge", "replace"])
def test_a_line_frr_rejects_while_applying_changes_nothing(frr, lab, kind):
    """The syntax is fine; bgpd refuses the second line after accepting the first."""
    before, saved = running(lab), startup(lab)
    snippet = f"router bgp 64500\n neighbor {P3} remote-as 64503\n neighbor {P3} peer-group NONE\n"
    if kind == "merge":
        frr.load_merge_candidate(config=snippet)
    else:
        whole = lab.router("r1").vtysh("show running-config no-header")
        frr.load_replace_candidate(config=whole.replace("end\n", snippet + "exit\n!\nend\n"))
    with pytest.raises(CommitError, match="Configure the peer-group first"):
        frr.commit_config()
    assert running(lab) == before
    assert startup(lab) == saved
    assert P3 not in frr.get_bgp_neighbors()["global"]["peers"]


def test_compare_is_empty_when_nothing_would_change(frr, lab):
    frr.load_replace_candidate(config=running(lab))  # with the "Building configuration" banner
    assert frr.compare_config() == ""
    frr.load_merge_candidate(config=f"router bgp 64500\n neighbor {P2} remote-as 64502\nexit\n")
    assert frr.compare_config() == ""
    frr.discard_config()
    assert frr.compare_config() == ""


def _p1_filter(*entries: str) -> str:
    """p1's inbound prefix-list as a template states it: the whole list, then its use."""
    lines = ["no ip prefix-list P1-IN"]
    lines += [f"ip prefix-list P1-IN seq {5 * n} permit {e}" for n, e in enumerate(entries, 1)]
    lines += [
        "router bgp 64500",
        " address-family ipv4 unicast",
        f"  neighbor {P1} prefix-list P1-IN in",
        " exit-address-family",
        "exit",
    ]
    return "\n".join(lines) + "\n"


def _prefix_list(lab: Any, name: str) -> list[str]:
    start = f"ip prefix-list {name} "
    return [line for line in running(lab).splitlines() if line.startswith(start)]


def _accepted_from_p1(frr: FRRDriver) -> int:
    peers = frr.get_bgp_neighbors()["global"]["peers"]
    return peers[P1]["address_family"]["ipv4"]["accepted_prefixes"]


def test_a_merged_prefix_list_ends_up_exactly_as_written(frr, lab):
    first = _p1_filter("203.0.113.0/25 ge 30 le 30", "203.0.113.128/26 ge 30 le 30")
    frr.load_merge_candidate(config=first)
    assert "no ip prefix-list" not in frr.compare_config()  # r1 had no such list
    frr.commit_config()
    assert _prefix_list(lab, "P1-IN") == [
        "ip prefix-list P1-IN seq 5 permit 203.0.113.0/25 ge 30 le 30",
        "ip prefix-list P1-IN seq 10 permit 203.0.113.128/26 ge 30 le 30",
    ]
    wait_until(lambda: _accepted_from_p1(frr) == 48, 10, "r1 accepting p1's first 48 /30s")

    frr.load_merge_candidate(config=_p1_filter("203.0.113.0/26 ge 30 le 30"))
    diff = [line for line in frr.compare_config().splitlines() if line[:1] in "+-"]
    assert sorted(line for line in diff if not line.startswith(("+++", "---"))) == [
        "+ip prefix-list P1-IN seq 5 permit 203.0.113.0/26 ge 30 le 30",
        "-ip prefix-list P1-IN seq 10 permit 203.0.113.128/26 ge 30 le 30",
        "-ip prefix-list P1-IN seq 5 permit 203.0.113.0/25 ge 30 le 30",
    ]
    frr.commit_config()
    assert _prefix_list(lab, "P1-IN") == [
        "ip prefix-list P1-IN seq 5 permit 203.0.113.0/26 ge 30 le 30"
    ]
    wait_until(lambda: _accepted_from_p1(frr) == 16, 10, "r1 accepting p1's first 16 /30s")
    frr.load_merge_candidate(config=_p1_filter("203.0.113.0/26 ge 30 le 30"))
    assert frr.compare_config() == ""


def test_replace_removes_what_the_candidate_lacks(frr, lab):
    before = running(lab)
    without_p4 = "".join(line for line in before.splitlines(keepends=True) if P4 not in line)
    frr.load_replace_candidate(config=without_p4)
    removed = [line for line in frr.compare_config().splitlines() if line.startswith("- ")]
    assert removed and all(P4 in line for line in removed)
    frr.commit_config()
    assert P4 not in frr.get_bgp_neighbors()["global"]["peers"]
    frr.rollback()
    assert running(lab) == before


def test_wrong_key_is_an_authentication_error(lab, tmp_path):
    key = tmp_path / "not_authorised"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    params = lab.napalm_params("r1")
    params["optional_args"]["key_file"] = str(key)
    driver = FRRDriver(**params, timeout=10)
    with pytest.raises(ConnectAuthError, match=f"{params['hostname']}:22"):
        driver.open()


def test_wrong_password_is_an_authentication_error(lab):
    params = lab.napalm_params("r1")
    del params["optional_args"]["key_file"]
    params["password"] = "not the password"
    driver = FRRDriver(**params, timeout=10)
    with pytest.raises(ConnectAuthError):
        driver.open()
