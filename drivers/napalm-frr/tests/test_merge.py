"""Merging a snippet into FRR's running configuration (captured from FRR 8.4)."""

from __future__ import annotations

import difflib

import pytest
from napalm_frr.config_text import parse, strip_header
from napalm_frr.merge import merge, single_value_key


@pytest.fixture
def running(captured) -> str:
    return strip_header(captured.text("running_config.txt"))


def changes(before: str, after: str) -> list[str]:
    """The +/- lines of a diff, without context."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_merging_the_running_configuration_into_itself_changes_nothing(running):
    assert merge(running, running) == running


def test_merging_lines_already_present_changes_nothing(running):
    snippet = "router bgp 64500\n neighbor 192.0.2.11 description p1 over the IXP\nexit\n"
    assert merge(running, snippet) == running


def test_a_repeated_router_bgp_context_adds_to_the_existing_one(running):
    snippet = (
        "router bgp 64500\n"
        " neighbor 192.0.2.13 remote-as 64503\n"
        " address-family ipv4 unicast\n"
        "  neighbor 192.0.2.13 maximum-prefix 100\n"
        " exit-address-family\n"
        "exit\n"
    )
    merged = merge(running, snippet)
    assert changes(running, merged) == [
        "+ neighbor 192.0.2.13 remote-as 64503",
        "+  neighbor 192.0.2.13 maximum-prefix 100",
    ]
    bgp = parse(merged).find_block("router bgp 64500")
    assert bgp.has_line("neighbor 192.0.2.13 remote-as 64503")
    assert bgp.find_block("address-family ipv4 unicast").has_line(
        "neighbor 192.0.2.13 maximum-prefix 100"
    )
    assert merged.count("router bgp 64500\n") == 1


def test_vrf_instance_is_a_context_of_its_own(running):
    snippet = "router bgp 64500 vrf CUST\n neighbor 198.51.100.9 remote-as 64509\nexit\n"
    merged = merge(running, snippet)
    tree = parse(merged)
    assert tree.find_block("router bgp 64500 vrf CUST").has_line(
        "neighbor 198.51.100.9 remote-as 64509"
    )
    assert not tree.find_block("router bgp 64500").has_line("neighbor 198.51.100.9 remote-as 64509")


def test_no_neighbor_removes_it_with_its_address_family_lines(running):
    merged = merge(running, "router bgp 64500\n no neighbor 192.0.2.99\nexit\n")
    removed = changes(running, merged)
    assert all(line.startswith("-") for line in removed)
    assert "- neighbor 192.0.2.99 remote-as 64599" in removed
    assert "-  neighbor 192.0.2.99 next-hop-self" in removed  # address-family ipv4 unicast
    assert "192.0.2.99" not in merged
    assert "no neighbor 192.0.2.99" not in merged


def test_a_no_line_that_removes_nothing_is_kept_as_configuration():
    running = "router bgp 1\n neighbor 192.0.2.1 remote-as 2\nexit\n!\nend\n"
    merged = merge(running, "router bgp 1\n no bgp default ipv4-unicast\nexit\n")
    assert parse(merged).find_block("router bgp 1").has_line("no bgp default ipv4-unicast")


def test_no_neighbor_shutdown_only_takes_a_shutdown_away():
    """FRR prints an enabled neighbour without `no ... shutdown`: the line undoes a
    shutdown there is and is never kept, so merging it again changes nothing."""
    up = "router bgp 1\n neighbor 192.0.2.1 remote-as 2\nexit\n!\nend\n"
    down = merge(up, "router bgp 1\n neighbor 192.0.2.1 shutdown\nexit\n")
    assert parse(down).find_block("router bgp 1").has_line("neighbor 192.0.2.1 shutdown")
    snippet = (
        "router bgp 1\n neighbor 192.0.2.1 remote-as 2\n no neighbor 192.0.2.1 shutdown\nexit\n"
    )
    assert merge(down, snippet) == up
    assert merge(up, snippet) == up


PEER_LIST = (
    "ip prefix-list PEER seq 5 permit 203.0.113.0/25 ge 30 le 30\n"
    "ip prefix-list PEER seq 10 permit 203.0.113.128/26 ge 30 le 30\n"
    "ip prefix-list PEER seq 15 permit 203.0.113.192/29 ge 30 le 30\n"
)


def test_a_list_written_after_no_ends_up_exactly_as_written(running):
    """The way to state a whole prefix-list: `no ip prefix-list NAME`, then its entries.
    Entries it no longer has are removed, those it keeps are left alone."""
    before = merge(running, PEER_LIST)
    snippet = (
        "no ip prefix-list PEER\n"
        "ip prefix-list PEER seq 5 permit 203.0.113.0/25 ge 30 le 30\n"
        "ip prefix-list PEER seq 10 permit 203.0.113.128/27 ge 30 le 30\n"
    )
    after = merge(before, snippet)
    listed = [line for line in after.splitlines() if line.startswith("ip prefix-list PEER ")]
    assert sorted(listed) == sorted(snippet.splitlines()[1:])
    assert sorted(changes(before, after)) == [
        "+ip prefix-list PEER seq 10 permit 203.0.113.128/27 ge 30 le 30",
        "-ip prefix-list PEER seq 10 permit 203.0.113.128/26 ge 30 le 30",
        "-ip prefix-list PEER seq 15 permit 203.0.113.192/29 ge 30 le 30",
    ]
    assert "ip prefix-list OWN seq 5 permit 203.0.113.0/24 le 32" in after  # another list
    assert merge(after, snippet) == after


def test_removing_a_list_the_router_does_not_have_adds_nothing(running):
    snippet = "no ip prefix-list NEW\nno ipv6 prefix-list NEW6\nip prefix-list NEW seq 5 deny any\n"
    assert changes(running, merge(running, snippet)) == ["+ip prefix-list NEW seq 5 deny any"]


def test_an_entry_replaces_the_one_of_the_same_sequence_number(running):
    after = merge(running, "ip prefix-list OWN seq 5 permit 198.51.100.0/24\n")
    assert changes(running, after) == [
        "-ip prefix-list OWN seq 5 permit 203.0.113.0/24 le 32",
        "+ip prefix-list OWN seq 5 permit 198.51.100.0/24",
    ]


def test_a_one_value_setting_replaces_the_old_value_in_place(running):
    snippet = "router bgp 64500\n neighbor 192.0.2.11 description renamed\nexit\n"
    assert changes(running, merge(running, snippet)) == [
        "- neighbor 192.0.2.11 description p1 over the IXP",
        "+ neighbor 192.0.2.11 description renamed",
    ]


def test_the_positive_form_replaces_a_no_line(running):
    merged = merge(running, "router bgp 64500\n bgp ebgp-requires-policy\nexit\n")
    bgp = parse(merged).find_block("router bgp 64500")
    assert bgp.has_line("bgp ebgp-requires-policy")
    assert not bgp.has_line("no bgp ebgp-requires-policy")


def test_new_contexts_go_next_to_contexts_of_their_kind(running):
    snippet = (
        "route-map P3-IN permit 10\n set local-preference 50\nexit\n"
        "ip prefix-list OWN seq 10 permit 203.0.113.0/25\n"
        "router bgp 64500\n address-family l2vpn evpn\n  advertise-all-vni\n"
        " exit-address-family\nexit\n"
    )
    merged = merge(running, snippet)
    lines = merged.splitlines()
    route_map = lines.index("route-map P3-IN permit 10")
    assert lines[route_map - 1] == "!"
    assert lines[route_map + 1 : route_map + 3] == [" set local-preference 50", "exit"]
    prefix = lines.index("ip prefix-list OWN seq 10 permit 203.0.113.0/25")
    assert lines[prefix - 1] == "ip prefix-list OWN seq 5 permit 203.0.113.0/24 le 32"
    evpn = lines.index(" address-family l2vpn evpn")
    assert lines[evpn + 1 : evpn + 3] == ["  advertise-all-vni", " exit-address-family"]
    assert merged.rstrip().endswith("end")
    assert parse(merged).find_block("router bgp 64500").find_block("address-family l2vpn evpn")


def test_snippet_marked_by_vtysh_is_understood(captured):
    """`vtysh -m` closes each context it read with "exit" and ends with "end"."""
    marked = captured.json("check_valid.json")["stdout"]
    merged = merge("frr version 8.4.4\n!\nend\n", marked)
    tree = parse(merged)
    assert tree.find_block("router bgp 64500").has_line("neighbor 192.0.2.13 remote-as 64503")
    assert tree.find_block("route-map X permit 10").has_line("set local-preference 5")
    assert tree.has_line("ip prefix-list Y seq 5 permit 10.0.0.0/8")
    assert merged.rstrip().endswith("end")


def test_merge_into_an_empty_configuration():
    merged = merge("", "router bgp 1\n neighbor 192.0.2.1 remote-as 2\n")
    assert merged == "router bgp 1\n neighbor 192.0.2.1 remote-as 2\nexit\n!\n"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("neighbor 192.0.2.1 remote-as 65000", "neighbor 192.0.2.1 remote-as"),
        ("neighbor 192.0.2.1 timers connect 5", "neighbor 192.0.2.1 timers connect"),
        ("neighbor 192.0.2.1 timers 3 9", "neighbor 192.0.2.1 timers"),
        ("neighbor IXP route-map IN-MAP in", "neighbor IXP route-map in"),
        ("bgp router-id 192.0.2.1", "bgp router-id"),
        ("ip prefix-list P seq 10 permit 203.0.113.0/24", "ip prefix-list P seq 10"),
        ("ipv6 prefix-list P seq 5 deny any", "ipv6 prefix-list P seq 5"),
        ("neighbor 192.0.2.1 activate", None),
        ("network 203.0.113.0/24", None),
    ],
)
def test_single_value_commands(line, key):
    assert single_value_key(line) == key


def test_a_route_map_is_stated_whole_with_no_route_map_first():
    running = (
        "route-map IXP-IN permit 10\n match community OLD\n set local-preference 150\nexit\n"
        "!\nroute-map IXP-IN permit 20\n set local-preference 100\nexit\n!\n"
        "route-map OTHER permit 10\nexit\n!\nend\n"
    )
    snippet = "no route-map IXP-IN\nroute-map IXP-IN permit 10\n set local-preference 200\nexit\n"
    merged = merge(running, snippet)
    tree = parse(merged)
    entry = tree.find_block("route-map IXP-IN permit 10")
    assert [line.text for line in entry.lines()] == ["set local-preference 200"]
    assert tree.find_block("route-map IXP-IN permit 20") is None
    assert tree.find_block("route-map OTHER permit 10") is not None
    assert "no route-map" not in merged
    assert merge(merged, snippet) == merged


def test_removing_a_route_map_the_router_does_not_have_adds_no_line():
    running = "router bgp 1\nexit\n!\nend\n"
    merged = merge(running, "no route-map NEW\nroute-map NEW permit 10\nexit\n")
    assert "no route-map" not in merged
    assert parse(merged).find_block("route-map NEW permit 10") is not None


RESTATED = """frr version 8.4.4
!
router bgp 64500
 neighbor 192.0.2.11 remote-as 64501
exit
!
bgp community-list standard CUSTOMERS seq 5 permit 64500:100
!
route-map PEER-IN permit 10
 description IXP in
 on-match goto 65000
 set local-preference 200
exit
!
route-map PEER-IN deny 64999
exit
!
route-map PEER-OUT permit 10
 match community CUSTOMERS
exit
!
end
"""


def test_a_list_or_route_map_stated_whole_again_stays_where_it_was():
    snippet = (
        "no bgp community-list standard CUSTOMERS\n"
        "bgp community-list standard CUSTOMERS seq 5 permit 64500:100\n"
        "no route-map PEER-IN\n"
        "route-map PEER-IN permit 10\n description IXP in\n on-match goto 65000\n"
        " set local-preference 200\nexit\n"
        "route-map PEER-IN deny 64999\nexit\n"
    )
    assert merge(RESTATED, snippet) == RESTATED
    # A change inside is the only line that differs.
    changed = merge(RESTATED, snippet.replace("local-preference 200", "local-preference 250"))
    diff = [
        line
        for line in difflib.unified_diff(RESTATED.splitlines(), changed.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert diff == ["- set local-preference 200", "+ set local-preference 250"]
