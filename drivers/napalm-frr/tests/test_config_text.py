"""Reading FRR configuration text: the banner, contexts, secrets."""

from __future__ import annotations

import pytest
from napalm_frr.config_text import parse, sanitize, strip_header


@pytest.fixture
def running(captured) -> str:
    return strip_header(captured.text("running_config.txt"))


def test_strip_header_removes_the_show_running_config_banner(captured):
    text = strip_header(captured.text("running_config.txt"))
    assert text.startswith("frr version 8.4.4\n")
    assert "Building configuration" not in text


def test_parse_finds_contexts_and_nested_address_families(running):
    tree = parse(running)
    headers = [block.header for block in tree.blocks()]
    assert "router bgp 64500" in headers
    assert "router bgp 64500 vrf CUST" in headers
    assert "route-map IXP-IN permit 10" in headers
    bgp = tree.find_block("router bgp 64500")
    assert [b.header for b in bgp.blocks()] == [
        "address-family ipv4 unicast",
        "address-family ipv6 unicast",
    ]
    assert bgp.has_line("neighbor 192.0.2.11 remote-as 64501")


def test_parse_reads_old_style_contexts_closed_by_bang_only():
    tree = parse("router bgp 1\n neighbor 192.0.2.1 remote-as 2\n!\nip prefix-list A permit any\n")
    assert [b.header for b in tree.blocks()] == ["router bgp 1"]
    assert [line.text for line in tree.lines()] == ["ip prefix-list A permit any"]


def test_sanitize_removes_secrets_only(running):
    clean = sanitize(running)
    assert "s3cret" not in clean
    assert " neighbor 192.0.2.11 password <removed>" in clean.splitlines()
    assert len(clean.splitlines()) == len(running.splitlines())
    assert sanitize("interface eth0\n isis circuit-type level-2\n") == (
        "interface eth0\n isis circuit-type level-2\n"
    )
