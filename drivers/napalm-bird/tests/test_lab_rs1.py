"""The driver against the lab's rs1: a real BIRD 2.0.12 over real SSH, with r1 (FRR) as
its peer once a test configures it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from napalm.base.exceptions import (
    CommandErrorException,
    CommitConfirmException,
    CommitError,
    MergeConfigException,
)
from napalm_bird import BIRDDriver

R1 = "192.0.2.1"


def r1_session(asn: int = 64500, name: str = "r1") -> str:
    return (
        f"protocol bgp {name} {{\n"
        f"  local 192.0.2.100 as 65100;\n  neighbor {R1} as {asn};\n"
        "  connect delay time 1; connect retry time 2; error wait time 1, 5;\n"
        "  ipv4 { import keep filtered on; import all; export none; };\n}\n"
    )


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            pytest.fail(f"not within {timeout:g} s: {what}")
        time.sleep(0.2)


def files(lab) -> tuple[str, str]:
    paths = lab.router("rs1").paths
    return paths.bird_conf.read_text(), paths.bird_include.read_text()


def established(bird: BIRDDriver) -> bool:
    peer = bird.get_bgp_neighbors()["global"]["peers"].get(R1)
    return bool(peer and peer["is_up"])


@pytest.fixture
def r1_knows_rs1(clean_lab):
    clean_lab.router("r1").vtysh(
        "configure terminal", "router bgp 64500", "neighbor 192.0.2.100 remote-as 65100",
        "neighbor 192.0.2.100 timers connect 1", "address-family ipv4 unicast",
        "neighbor 192.0.2.100 activate",
    )  # fmt: skip
    return clean_lab


def test_facts_say_bird_and_rs1(bird):
    facts = bird.get_facts()
    assert (facts["vendor"], facts["hostname"]) == ("BIRD", "rs1")
    assert facts["os_version"].startswith("2.")
    assert "ix0" in facts["interface_list"]
    assert bird.is_alive() == {"is_alive": True}


def test_merge_commit_brings_a_session_up_and_counts_r1s_routes(bird, r1_knows_rs1):
    lab = r1_knows_rs1
    bird.load_merge_candidate(config=r1_session())
    diff = bird.compare_config()
    assert f"+  neighbor {R1} as 64500;" in diff
    assert files(lab)[1] == ""  # nothing changed before the commit
    bird.commit_config()
    assert files(lab)[1] == r1_session()
    wait_until(lambda: established(bird), 20, "rs1's session with r1 established")
    expected = sum(s["prefixes_received"] for s in lab.sessions("r1") if ":" not in s["neighbour"])
    wait_until(
        lambda: (
            bird.get_bgp_neighbors()["global"]["peers"][R1]["address_family"]["ipv4"][
                "accepted_prefixes"
            ]
            == expected
        ),
        20,
        "every IPv4 route of r1 received",
    )
    bird.load_merge_candidate(config=r1_session())
    assert bird.compare_config() == ""
    assert "include" in bird.get_config()["running"]


def test_a_configuration_bird_rejects_changes_nothing(bird, lab):
    before = files(lab)
    with pytest.raises(MergeConfigException, match="candidate:1:.*Local AS number must be set"):
        bird.load_merge_candidate(config="protocol bgp broken { neighbor; }\n")
    assert files(lab) == before
    assert lab.router("rs1").is_running()


def test_commit_confirm_is_reverted_by_bird_unless_confirmed(bird, lab):
    before = files(lab)
    bird.load_merge_candidate(config=r1_session(name="unconfirmed"))
    bird.commit_config(revert_in=3)
    assert bird.has_pending_commit()
    assert "unconfirmed" in lab.router("rs1").birdc("show protocols")
    assert files(lab) == before  # the files keep the configuration BIRD reverts to
    wait_until(
        lambda: "unconfirmed" not in lab.router("rs1").birdc("show protocols"),
        15,
        "BIRD reverted the unconfirmed commit",
    )
    assert not bird.has_pending_commit()
    with pytest.raises(CommitConfirmException):
        bird.confirm_commit()


def test_confirmed_commit_stays_and_rollback_restores(bird, lab):
    before = files(lab)
    bird.load_merge_candidate(config=r1_session(name="confirmed"))
    bird.commit_config(revert_in=60)
    bird.confirm_commit()
    assert not bird.has_pending_commit()
    assert "confirmed" in files(lab)[1]
    assert "confirmed" in lab.router("rs1").birdc("show protocols")
    bird.rollback()
    assert files(lab) == before
    assert "confirmed" not in lab.router("rs1").birdc("show protocols")


def test_a_second_commit_while_one_is_pending_is_refused(bird, lab):
    bird.load_merge_candidate(config=r1_session(name="pending_one"))
    bird.commit_config(revert_in=30)
    bird.load_merge_candidate(config=r1_session(name="pending_two"))
    with pytest.raises(CommitError, match="waiting for confirmation"):
        bird.commit_config()
    bird.rollback()
    assert not bird.has_pending_commit()
    assert "pending_one" not in lab.router("rs1").birdc("show protocols")


def test_replace_swaps_the_whole_file(bird, lab):
    main, _ = files(lab)
    replaced = main.replace("protocol device {", "protocol device {\n  scan time 20;")
    bird.load_replace_candidate(config=replaced)
    assert "+  scan time 20;" in bird.compare_config()
    bird.commit_config()
    assert files(lab)[0] == replaced


def test_cli_reads_but_cannot_change_bird(bird):
    status = bird.cli(["show status"])["show status"]
    assert "Daemon is up and running" in status
    with pytest.raises(CommandErrorException) as refused:
        bird.cli(["down"])
    assert "birdc down" in str(refused.value)
    # BIRD refused the command in birdc's restricted mode and is still running.
    assert "Daemon is up and running" in bird.cli(["show status"])["show status"]
