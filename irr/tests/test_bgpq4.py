"""bgpq4 against a real IRRd serving irr/fixtures/lab.rpsl (irr.testing's `irrd`)."""

from __future__ import annotations

import ipaddress
import time

import pytest

from irr.bgpq4 import (
    Bgpq4Error,
    Bgpq4Missing,
    IRRTimeout,
    IRRUnreachable,
    Server,
    UnknownASSet,
    command,
    expand,
)
from irr.irrd_server import LocalIRRd
from irr.prefix_lists import accepts
from irr.testing import CLOSED_IRR_HOST, SilentServer
from lab.topology import default_topology

P1 = default_topology(0).router("p1")
P3 = default_topology(0).router("p3")
P4 = default_topology(0).router("p4")


def _server(irrd: LocalIRRd, **options) -> Server:
    return Server(
        irrd.address, tuple(irrd.sources), **{"timeout": 10, "private_asns": True, **options}
    )


def accepted(entries: list[dict]) -> set[str]:
    """Every prefix a list accepts, enumerated (small lists only)."""
    found = set()
    for entry in entries:
        network = ipaddress.ip_network(entry["prefix"])
        lengths = (
            [network.prefixlen]
            if entry["exact"]
            else range(entry["greater_equal"], entry["less_equal"] + 1)
        )
        for length in lengths:
            found.update(str(subnet) for subnet in network.subnets(new_prefix=length))
    return found


def test_as_peerone_expands_to_exactly_what_p1_registered(irrd) -> None:
    expansion = expand(_server(irrd), "AS-PEERONE")

    assert accepted(expansion.ipv4) == set(P1.registered_in("ipv4"))
    assert len(P1.registered_in("ipv4")) == 50
    assert accepted(expansion.ipv6) == set(P1.registered_in("ipv6"))
    assert len(P1.registered_in("ipv6")) == 5
    assert not any(accepts(expansion.ipv4 + expansion.ipv6, p) for p in P1.unregistered)
    # Aggregated as bgpq4 -A does: 50 /30s in three entries, 5 /48s in two.
    assert expansion.ipv4 == [
        {"prefix": "203.0.113.0/25", "exact": False, "greater_equal": 30, "less_equal": 30},
        {"prefix": "203.0.113.128/26", "exact": False, "greater_equal": 30, "less_equal": 30},
        {"prefix": "203.0.113.192/29", "exact": False, "greater_equal": 30, "less_equal": 30},
    ]
    assert expansion.ipv6 == [
        {"prefix": "2001:db8:100::/46", "exact": False, "greater_equal": 48, "less_equal": 48},
        {"prefix": "2001:db8:104::/48", "exact": True},
    ]
    assert expansion.asns == [64501, 64511]


def test_the_nested_set_is_followed(irrd) -> None:
    alone = expand(_server(irrd), "AS64501")
    customers = expand(_server(irrd), "AS-PEERONE-CUSTOMERS")

    # p1's own ASN registers all but the last two /30s and the last /48: those come
    # only through AS-PEERONE-CUSTOMERS, which AS-PEERONE names among its members.
    assert alone.asns == [64501]
    assert len(accepted(alone.ipv4)) == 48 and len(accepted(alone.ipv6)) == 4
    assert accepted(customers.ipv4) == {"203.0.113.192/30", "203.0.113.196/30"}
    assert accepted(customers.ipv6) == {"2001:db8:104::/48"}
    assert customers.asns == [64511]


def test_the_other_peers_sets(irrd) -> None:
    three = expand(_server(irrd), "as-peerthree")
    four = expand(_server(irrd), "AS-TRANSITFOUR")

    assert accepted(three.ipv4) == set(P3.registered_in("ipv4"))
    assert accepted(three.ipv6) == set(P3.registered_in("ipv6"))
    assert accepted(four.ipv4) == set(P4.registered_in("ipv4")) and four.ipv6 == []
    assert (three.asns, four.asns) == ([64503], [64504])


def test_an_unknown_as_set_is_one_sentence(irrd) -> None:
    with pytest.raises(UnknownASSet) as raised:
        expand(_server(irrd), "AS-NOSUCHSET")
    assert str(raised.value) == (
        f"AS-NOSUCHSET was not found in the IRR at {irrd.address} (sources PEERKEEPER), "
        "or has no members"
    )


def test_an_as_without_route_objects_is_one_sentence(irrd) -> None:
    with pytest.raises(UnknownASSet, match=r"^AS64599 expands to no prefixes: no route"):
        expand(_server(irrd), "AS64599")


def test_private_asns_are_left_out_unless_allowed(irrd) -> None:
    with pytest.raises(UnknownASSet) as raised:
        expand(_server(irrd, private_asns=False), "AS-PEERONE")
    assert str(raised.value) == (
        "AS-PEERONE has only private or reserved ASNs (64501, 64511), which are left out "
        "unless IRR_ALLOW_PRIVATE_ASNS is True"
    )


def test_a_source_the_server_lacks(irrd) -> None:
    with pytest.raises(Bgpq4Error, match="lacks one of IRR_SOURCES: Invalid source"):
        expand(Server(irrd.address, ("PEERKEEPER", "NOSUCH"), 10, True), "AS-PEERONE")


def test_an_unreachable_server() -> None:
    with pytest.raises(IRRUnreachable) as raised:
        expand(Server(CLOSED_IRR_HOST, ("RIPE",), 10), "AS-PEERONE")
    assert str(raised.value) == "the IRR server 127.0.0.1:1 is unreachable: connection refused"


def test_a_server_that_never_answers_times_out(silent_irr: SilentServer) -> None:
    started = time.monotonic()
    with pytest.raises(IRRTimeout) as raised:
        expand(Server(silent_irr.address, ("RIPE",), timeout=1), "AS-PEERONE")
    assert time.monotonic() - started < 5
    assert str(raised.value) == (
        f"the IRR server {silent_irr.address} did not answer within IRR_TIMEOUT (1 s) "
        "expanding AS-PEERONE"
    )


def test_without_bgpq4(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no bgpq4 is
    with pytest.raises(Bgpq4Missing, match=r"^bgpq4 is not installed: make system-packages$"):
        expand(Server(CLOSED_IRR_HOST), "AS-PEERONE")


def test_the_objects_come_after_a_double_dash_one_argument_each() -> None:
    server = Server("rr.example.net", ("RIPE",))

    assert command(server, "AS-FOO RIPE::AS-BAR", "-t", "-l", "asns") == [
        "bgpq4", "-h", "rr.example.net", "-S", "RIPE", "-j", "-t", "-l", "asns",
        "--", "AS-FOO", "RIPE::AS-BAR",
    ]  # fmt: skip
    assert command(server, "-R32", "-4")[-2:] == ["--", "-R32"]


def test_several_objects_in_one_name_are_expanded_together(irrd) -> None:
    both = expand(_server(irrd), "AS64501  AS-PEERONE-CUSTOMERS")

    assert accepted(both.ipv4) == set(P1.registered_in("ipv4"))
    assert accepted(both.ipv6) == set(P1.registered_in("ipv6"))
    assert both.asns == [64501, 64511]


@pytest.mark.parametrize("name", ["-h", "-R32"])
def test_a_name_like_an_option_is_an_object_never_an_option(irrd, name) -> None:
    # As an option, -h would send bgpq4 to another server and -R32 widen every entry.
    with pytest.raises(Bgpq4Error) as raised:
        expand(_server(irrd), name)
    assert str(raised.value) == (
        f"bgpq4 failed asking {irrd.address}: Unable to add prefix {name} "
        "(bad prefix or address-family)"
    )


def _fake_bgpq4(monkeypatch, tmp_path, stderr: str) -> None:
    """A bgpq4 on PATH that expands everything to 192.0.2.0/24 and AS64501, prints
    `stderr` and exits 0."""
    script = tmp_path / "bgpq4"
    script.write_text(
        "#!/bin/sh\n"
        'case " $* " in\n'
        '  *" -t "*) echo \'{"asns": [64501]}\' ;;\n'
        '  *) echo \'{"prefixes": [{"prefix": "192.0.2.0\\/24", "exact": true}]}\' ;;\n'
        "esac\n"
        f"printf '%s\\n' '{stderr}' >&2\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_an_error_line_fails_the_expansion_even_with_status_0(monkeypatch, tmp_path) -> None:
    _fake_bgpq4(monkeypatch, tmp_path, "ERROR:Error expanding !sRIPE")
    with pytest.raises(Bgpq4Error) as raised:
        expand(Server("rr.example.net", ("RIPE", "ARIN")), "AS-PEERONE")
    assert str(raised.value) == (
        "the IRR server rr.example.net lacks one of IRR_SOURCES: Error expanding !sRIPE"
    )


def test_a_fatal_line_fails_the_expansion_even_with_status_0(monkeypatch, tmp_path) -> None:
    _fake_bgpq4(monkeypatch, tmp_path, "FATAL: out of memory")
    with pytest.raises(Bgpq4Error) as raised:
        expand(Server("rr.example.net"), "AS-PEERONE")
    assert str(raised.value) == "bgpq4 failed asking rr.example.net: out of memory"


def test_the_private_asn_lines_are_not_failures(monkeypatch, tmp_path) -> None:
    _fake_bgpq4(monkeypatch, tmp_path, "ERROR:Invalid AS number: 64512")
    expansion = expand(Server("rr.example.net"), "AS-PEERONE")
    assert expansion.ipv4 == [{"prefix": "192.0.2.0/24", "exact": True}]
    assert expansion.asns == [64501]
