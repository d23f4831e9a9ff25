"""Reading what the router-side programs print (captured from FRR 8.4)."""

from __future__ import annotations

from napalm_frr.facts import facts
from napalm_frr.router import (
    APPLY_FAILED,
    OUTPUT_MARK,
    dry_run_changes,
    frr_errors,
    split_batch_output,
)


def test_batch_output_is_split_per_piece():
    stdout = f"one\n\n{OUTPUT_MARK} 0\n\n{OUTPUT_MARK} 1\n"
    assert split_batch_output(stdout, 2) == [(0, "one\n"), (1, "")]


def test_batch_piece_that_never_ran():
    assert split_batch_output(f"x\n{OUTPUT_MARK} 0\n", 2) == [(0, "x"), (-1, "")]


def test_dry_run_lists_the_lines_frr_reload_would_change(captured):
    out = captured.json("dry_run_changes.json")["stdout"]
    assert dry_run_changes(out) == [
        "router bgp 64500",
        " no neighbor 192.0.2.98 remote-as 64598",
        "router bgp 64500",
        " no neighbor 192.0.2.98 description shut down",
        "router bgp 64500",
        " no neighbor 192.0.2.98 shutdown",
        "router bgp 64500",
        " neighbor 192.0.2.13 remote-as 64503",
    ]


def test_dry_run_without_changes(captured):
    assert dry_run_changes(captured.json("dry_run_no_change.json")["stdout"]) == []


def test_syntax_error_text_is_frr_own(captured):
    result = captured.json("check_invalid.json")
    assert result["exit_status"] != 0
    assert frr_errors(result["stdout"] + result["stderr"]) == (
        "line 3: % Unknown command:  neighbor 192.0.2.13 frobnicate"
    )


def test_rejected_commit_reports_each_frr_error_once(captured):
    result = captured.json("commit_rejected.json")
    assert result["exit_status"] == APPLY_FAILED
    assert frr_errors(result["stdout"]) == (
        "% Configure the peer-group first\n"
        "line 5: Failure to communicate[13] to bgpd, line:  neighbor 192.0.2.77 peer-group NOPE"
    )
    assert "@@ the running configuration was restored" in result["stdout"]


def test_facts(captured):
    result = facts(
        captured.text("show_version.txt"),
        captured.text("interface_vrf_all_brief.json"),
        "1014.34 1900.02\n",
        "vm\n",
    )
    assert result == {
        "uptime": 1014.34,
        "vendor": "FRRouting",
        "model": "",
        "serial_number": "",
        "os_version": "8.4.4",
        "hostname": "vm",
        "fqdn": "vm",
        "interface_list": ["cust0", "ixp0", "lo", "mgmt0"],
    }


def test_fqdn_only_when_it_names_the_frr_hostname(captured):
    version = captured.text("show_version.txt")
    assert facts(version, "{}", "1 1", "vm.example.net")["fqdn"] == "vm.example.net"
    assert facts(version, "{}", "1 1", "other.example.net")["fqdn"] == "vm"
