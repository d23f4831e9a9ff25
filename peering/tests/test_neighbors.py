"""What drivers return, in its every form, becomes one shape (no database, no router)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.choices import BGPState
from core.fields import IPAddressField
from devices.napalm import DriverFailed, OperationNotSupported, Unreachable
from peering.neighbors import (
    InvalidASN,
    Neighbor,
    from_detail,
    from_summary,
    parse_asn,
    read_neighbors,
    with_uptimes,
)


@pytest.mark.parametrize(
    ("reported", "asn"),
    [
        (64499, 64499),
        ("64499", 64499),
        (" 64499 ", 64499),
        ("AS64499", 64499),
        ("as64499", 64499),
        ("AS 64499", 64499),
        ("1.10", 65546),  # asdot, RFC 5396: 1 * 65536 + 10
        ("AS1.10", 65546),
        ("0.64499", 64499),  # asdot+ writes small numbers with a zero high half
        ("65535.65535", 4_294_967_295),
        (4_294_967_295, 4_294_967_295),
        ("4294967295", 4_294_967_295),
        (64499.0, 64499),  # a JSON number that went through a float
    ],
)
def test_every_form_of_an_as_number_a_driver_gives(reported: Any, asn: int) -> None:
    assert parse_asn(reported) == asn


@pytest.mark.parametrize("reported", [None, "", "  ", 0, "0", "0.0"])
def test_no_as_or_zero_is_not_reported(reported: Any) -> None:
    """Drivers write 0 for a peer AS they do not know."""
    assert parse_asn(reported) is None


@pytest.mark.parametrize(
    ("reported", "message"),
    [
        (4_294_967_296, "4294967296 is out of range: AS numbers are 1 to 4294967295"),
        ("4294967296", "'4294967296' is out of range: AS numbers are 1 to 4294967295"),
        (-1, "-1 is out of range"),
        ("1.65536", "'1.65536' is not an asdot AS number: each half is 0 to 65535"),
        ("65536.0", "'65536.0' is not an asdot AS number"),
        ("64499x", "'64499x' is not an AS number"),
        ("AS", "'AS' is not an AS number"),
        ("1.2.3", "'1.2.3' is not an AS number"),
        ("-64499", "'-64499' is not an AS number"),
        (1.1, "1.1 is not an AS number"),  # asdot 1.1 and 1.10 are the same float
        (True, "True is not an AS number"),
        ([64499], "[64499] is not an AS number"),
    ],
)
def test_what_is_not_an_as_number_is_rejected_saying_why(reported: Any, message: str) -> None:
    with pytest.raises(InvalidASN, match="^" + re.escape(message)):
        parse_asn(reported)


def _summary_peer(remote_as: Any, up: bool = True, uptime: Any = 30) -> dict[str, Any]:
    return {
        "local_as": 64500,
        "remote_as": remote_as,
        "remote_id": "192.0.2.11",
        "is_up": up,
        "is_enabled": True,
        "description": "",
        "uptime": uptime,
        "address_family": {
            "ipv4": {"received_prefixes": 5, "accepted_prefixes": 5, "sent_prefixes": 1}
        },
    }


def _detail_peer(address: str, remote_as: Any, state: str = "Established") -> dict[str, Any]:
    return {
        "up": state == "Established",
        "remote_as": remote_as,
        "remote_address": address,
        "connection_state": state,
        "received_prefix_count": 5,
        "accepted_prefix_count": 5,
        "advertised_prefix_count": 1,
    }


def test_the_summary_getter_s_string_and_asdot_ases_are_read() -> None:
    neighbors = from_summary(
        {
            "global": {
                "router_id": "192.0.2.1",
                "peers": {
                    "192.0.2.11": _summary_peer("64499"),
                    "192.0.2.12": _summary_peer("1.10"),
                    "192.0.2.13": _summary_peer("AS64502"),
                },
            }
        }
    )
    assert {n.address: n.remote_as for n in neighbors} == {
        "192.0.2.11": 64499,
        "192.0.2.12": 65546,
        "192.0.2.13": 64502,
    }
    assert all(n.remote_as_error is None for n in neighbors)


def test_the_detailed_getter_s_string_keys_and_values_are_read() -> None:
    """JSON (and so every driver that parses it) keys the detailed getter by strings."""
    neighbors = from_detail(
        {
            "global": {
                "64499": [_detail_peer("192.0.2.11", "64499")],
                "1.10": [_detail_peer("192.0.2.12", "1.10")],
                # The entry's AS is missing (0): the key still says which AS it is.
                "64502": [_detail_peer("192.0.2.13", 0)],
            }
        }
    )
    assert {n.address: n.remote_as for n in neighbors} == {
        "192.0.2.11": 64499,
        "192.0.2.12": 65546,
        "192.0.2.13": 64502,
    }


def test_an_unusable_as_is_no_as_and_says_why() -> None:
    neighbors = from_summary(
        {
            "global": {
                "peers": {
                    "192.0.2.11": _summary_peer("1.70000"),
                    "192.0.2.12": _summary_peer(0),
                }
            }
        }
    )
    by_address = {n.address: n for n in neighbors}
    bad, unknown = by_address["192.0.2.11"], by_address["192.0.2.12"]
    assert bad.remote_as is None
    assert bad.remote_as_error == (
        "the router reported an unusable peer AS "
        "('1.70000' is not an asdot AS number: each half is 0 to 65535)"
    )
    assert (unknown.remote_as, unknown.remote_as_error) == (None, None)


def test_uptimes_come_from_the_summary_for_sessions_the_detail_sees_up() -> None:
    detail = from_detail(
        {
            "global": {
                64501: [
                    _detail_peer("192.0.2.11", 64501),
                    _detail_peer("192.0.2.12", 64501, state="Active"),
                ]
            },
            "blue": {64502: [_detail_peer("192.0.2.11", 64502)]},
        }
    )
    assert all(n.uptime is None for n in detail)
    summary = from_summary(
        {
            "global": {
                "peers": {
                    "192.0.2.11": _summary_peer(64501, uptime=3600),
                    "192.0.2.12": _summary_peer(64501, up=False, uptime=50),
                }
            },
            "blue": {"peers": {"192.0.2.11": _summary_peer(64502, uptime=120)}},
        }
    )
    merged = {(n.vrf, n.address): n for n in with_uptimes(detail, summary)}
    assert merged[("", "192.0.2.11")].uptime == 3600
    assert merged[("blue", "192.0.2.11")].uptime == 120
    down = merged[("", "192.0.2.12")]
    assert (down.state, down.uptime) == (BGPState.ACTIVE, None)
    # Everything else is what the detailed getter said.
    assert [(n.vrf, n.address, n.state, n.received) for n in with_uptimes(detail, summary)] == [
        (n.vrf, n.address, n.state, n.received) for n in detail
    ]


@pytest.mark.parametrize("uptime", [-1, None, "3600", True])
def test_an_uptime_the_driver_does_not_know_is_none(uptime: Any) -> None:
    [neighbor] = from_summary(
        {"global": {"peers": {"192.0.2.11": _summary_peer(64501, uptime=uptime)}}}
    )
    assert neighbor.uptime is None


# --- NAPALM's own examples, VRFs, IPv6, 4-byte ASes, missing fields -----------------------

# get_bgp_neighbors() as NAPALM's documentation shows it (napalm/base/base.py).
NAPALM_SUMMARY_EXAMPLE = {
    "global": {
        "router_id": "10.0.1.1",
        "peers": {
            "10.0.0.2": {
                "local_as": 65000,
                "remote_as": 65000,
                "remote_id": "10.0.1.2",
                "is_up": True,
                "is_enabled": True,
                "description": "internal-2",
                "uptime": 4838400,
                "address_family": {
                    "ipv4": {
                        "sent_prefixes": 637213,
                        "accepted_prefixes": 3142,
                        "received_prefixes": 3142,
                    },
                    "ipv6": {
                        "sent_prefixes": 36714,
                        "accepted_prefixes": 148,
                        "received_prefixes": 148,
                    },
                },
            }
        },
    }
}

# get_bgp_neighbors_detail() as NAPALM's documentation shows it.
NAPALM_DETAIL_EXAMPLE = {
    "global": {
        8121: [
            {
                "up": True,
                "local_as": 13335,
                "remote_as": 8121,
                "local_address": "172.101.76.1",
                "local_address_configured": True,
                "local_port": 179,
                "routing_table": "inet.0",
                "remote_address": "192.247.78.0",
                "remote_port": 58380,
                "multihop": False,
                "multipath": True,
                "remove_private_as": True,
                "import_policy": "4-NTT-TRANSIT-IN",
                "export_policy": "4-NTT-TRANSIT-OUT",
                "input_messages": 123,
                "output_messages": 13,
                "input_updates": 123,
                "output_updates": 5,
                "messages_queued_out": 23,
                "connection_state": "Established",
                "previous_connection_state": "EstabSync",
                "last_event": "RecvKeepAlive",
                "suppress_4byte_as": False,
                "local_as_prepend": False,
                "holdtime": 90,
                "configured_holdtime": 90,
                "keepalive": 30,
                "configured_keepalive": 30,
                "active_prefix_count": 132808,
                "received_prefix_count": 566739,
                "accepted_prefix_count": 566479,
                "suppressed_prefix_count": 0,
                "advertised_prefix_count": 0,
                "flap_count": 27,
            }
        ]
    }
}


def test_napalm_s_documented_summary_reads_as_one_neighbour_with_both_families_counted() -> None:
    assert from_summary(NAPALM_SUMMARY_EXAMPLE, "eos", "r1") == [
        Neighbor(
            vrf="",
            address="10.0.0.2",
            remote_as=65000,
            state=BGPState.ESTABLISHED,
            received=3142 + 148,
            accepted=3142 + 148,
            advertised=637213 + 36714,
            uptime=4838400.0,
        )
    ]


def test_napalm_s_documented_detail_reads_as_one_neighbour_without_uptime() -> None:
    assert from_detail(NAPALM_DETAIL_EXAMPLE, "junos", "r1") == [
        Neighbor(
            vrf="",
            address="192.247.78.0",
            remote_as=8121,
            state=BGPState.ESTABLISHED,
            received=566739,
            accepted=566479,
            advertised=0,
            uptime=None,
        )
    ]


def test_vrfs_are_kept_apart_and_every_name_of_the_default_table_is_one() -> None:
    peers = {"192.0.2.11": _summary_peer(64501)}
    neighbors = from_summary(
        {
            "global": {"peers": peers},
            "Customer-A": {"peers": {"192.0.2.11": _summary_peer(64502)}},
            "CUSTOMER-A": {"peers": {"192.0.2.11": _summary_peer(64503)}},
        }
    )
    assert [(n.vrf, n.address, n.remote_as) for n in neighbors] == [
        ("", "192.0.2.11", 64501),
        ("Customer-A", "192.0.2.11", 64502),
        ("CUSTOMER-A", "192.0.2.11", 64503),
    ]
    for name in ("global", "default", "Default", "GLOBAL", ""):
        [neighbor] = from_summary({name: {"peers": peers}})
        [detailed] = from_detail({name: {"64501": [_detail_peer("192.0.2.11", 64501)]}})
        assert (neighbor.vrf, detailed.vrf) == ("", ""), name


@pytest.mark.parametrize(
    ("reported", "stored"),
    [
        ("2001:DB8:1::11", "2001:db8:1::11"),
        ("2001:0db8:0001:0000:0000:0000:0000:0011", "2001:db8:1::11"),
        ("2001:db8:1:0:0:0:0:11", "2001:db8:1::11"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  # the first of two equal runs
        ("2001:db8:1::c000:20b", "2001:db8:1::c000:20b"),
        ("2001:db8:1::192.0.2.11", "2001:db8:1::c000:20b"),  # a dotted IPv4 tail
        ("::ffff:192.0.2.11", "::ffff:c000:20b"),
        ("fe80::1%swp1", "fe80::1"),  # a link-local neighbour with its zone
        ("192.0.2.11", "192.0.2.11"),
    ],
)
def test_an_address_in_any_spelling_is_the_one_the_inventory_stores(reported, stored) -> None:
    """Sessions are matched to neighbours by address: a neighbour must come out in the
    form the inventory's address field stores (core.fields.IPAddressField)."""
    assert IPAddressField().to_python(reported.split("%")[0]) == stored
    [summarised] = from_summary({"global": {"peers": {reported: _summary_peer(64501)}}})
    [detailed] = from_detail({"global": {"64501": [_detail_peer(reported, 64501)]}})
    assert summarised.address == detailed.address == stored


def test_an_ipv6_neighbour_spelt_differently_by_each_getter_gets_its_uptime() -> None:
    detail = from_detail({"global": {"64501": [_detail_peer("2001:DB8:1::11", 64501)]}})
    summary = from_summary(
        {"global": {"peers": {"2001:db8:1:0::0011": _summary_peer(64501, uptime=900)}}}
    )
    [merged] = with_uptimes(detail, summary)
    assert (merged.address, merged.uptime) == ("2001:db8:1::11", 900.0)


@pytest.mark.parametrize(
    "reported",
    [4_200_000_000, "4200000000", "AS4200000000", "64086.59904", 4_200_000_000.0],
)
def test_a_4_byte_as_in_every_form_is_read(reported) -> None:
    [summarised] = from_summary({"global": {"peers": {"192.0.2.11": _summary_peer(reported)}}})
    [detailed] = from_detail({"global": {"1": [_detail_peer("192.0.2.11", reported)]}})
    for neighbor in (summarised, detailed):
        assert (neighbor.remote_as, neighbor.remote_as_error) == (4_200_000_000, None)


@pytest.mark.parametrize("key", [4_200_000_000, "4200000000", "64086.59904"])
def test_a_4_byte_as_only_in_the_detail_key_is_read(key) -> None:
    [neighbor] = from_detail({"global": {key: [_detail_peer("192.0.2.11", 0)]}})
    assert (neighbor.remote_as, neighbor.remote_as_error) == (4_200_000_000, None)


@pytest.mark.parametrize(
    ("key", "entry", "asn", "error"),
    [
        # The entry's own AS is the most specific: it wins over the key.
        ("64501", 64502, 64502, None),
        # The entry's AS is unusable: the key's is used, and nothing is wrong.
        ("64501", "1.70000", 64501, None),
        ("64501", None, 64501, None),
        # Neither is usable: no AS, with why (the entry's fault, reported first).
        (
            "1.70000",
            "4294967296",
            None,
            "the router reported an unusable peer AS ('4294967296' is out of range: "
            "AS numbers are 1 to 4294967295)",
        ),
        (
            "global",
            None,
            None,
            "the router reported an unusable peer AS ('global' is not an AS number)",
        ),
        ("0", 0, None, None),
    ],
)
def test_the_detail_s_as_comes_from_the_entry_then_the_key(key, entry, asn, error) -> None:
    [neighbor] = from_detail({"global": {key: [_detail_peer("192.0.2.11", entry)]}})
    assert (neighbor.remote_as, neighbor.remote_as_error) == (asn, error)


@pytest.mark.parametrize(
    ("reported", "state"),
    [
        ("Established", BGPState.ESTABLISHED),
        ("ESTABLISHED", BGPState.ESTABLISHED),
        ("Idle (Admin)", BGPState.IDLE),
        ("Idle(PfxCt)", BGPState.IDLE),
        ("idle", BGPState.IDLE),
        ("Active", BGPState.ACTIVE),
        ("Connect", BGPState.CONNECT),
        ("OpenSent", BGPState.OPENSENT),
        ("Open Sent", BGPState.OPENSENT),
        ("OPENCONFIRM", BGPState.OPENCONFIRM),
    ],
)
def test_every_driver_s_name_of_a_state_is_that_state(reported, state) -> None:
    entry = {**_detail_peer("192.0.2.11", 64501), "connection_state": reported, "up": False}
    [neighbor] = from_detail({"global": {"64501": [entry]}})
    assert neighbor.state == state


@pytest.mark.parametrize(
    ("reported", "up", "state"),
    [
        ("Clearing", False, None),  # no BGP state, and down: unknown, not idle
        ("", False, None),
        ("", True, BGPState.ESTABLISHED),  # no state, but up: established
        (None, True, BGPState.ESTABLISHED),
    ],
)
def test_a_state_no_driver_names_is_unknown_unless_the_neighbour_is_up(reported, up, state) -> None:
    entry = {**_detail_peer("192.0.2.11", 64501), "connection_state": reported, "up": up}
    [neighbor] = from_detail({"global": {"64501": [entry]}})
    assert neighbor.state == state


def test_a_summary_neighbour_that_is_down_is_idle_without_the_last_session_s_uptime() -> None:
    """NAPALM: a positive uptime with is_up False is the uptime of the last session."""
    [neighbor] = from_summary(
        {"global": {"peers": {"192.0.2.11": _summary_peer(64501, up=False, uptime=86400)}}}
    )
    assert (neighbor.state, neighbor.uptime) == (BGPState.IDLE, None)
    # Counts are still what the router says.
    assert (neighbor.received, neighbor.accepted, neighbor.advertised) == (5, 5, 1)


def test_counts_of_minus_one_are_unknown_in_both_getters() -> None:
    unknown = {"received_prefixes": -1, "accepted_prefixes": -1, "sent_prefixes": -1}
    [summarised] = from_summary(
        {
            "global": {
                "peers": {
                    "192.0.2.11": {
                        **_summary_peer(64501),
                        "address_family": {"ipv4": unknown, "ipv6": unknown},
                    }
                }
            }
        }
    )
    entry = {
        **_detail_peer("192.0.2.11", 64501),
        "received_prefix_count": -1,
        "accepted_prefix_count": -1,
        "advertised_prefix_count": -1,
    }
    [detailed] = from_detail({"global": {"64501": [entry]}})
    for neighbor in (summarised, detailed):
        assert (neighbor.received, neighbor.accepted, neighbor.advertised) == (None, None, None)


def test_a_neighbour_with_nothing_but_its_address_is_kept_with_everything_unknown() -> None:
    [summarised] = from_summary({"global": {"peers": {"192.0.2.11": {}}}})
    [detailed] = from_detail({"global": {"64501": [{"remote_address": "192.0.2.11"}]}})
    assert summarised == Neighbor("", "192.0.2.11", None, None, None, None, None, None, None)
    # The detailed getter's key still says which AS it is.
    assert detailed == Neighbor("", "192.0.2.11", 64501, None, None, None, None, None, None)


@pytest.mark.parametrize(
    ("returned", "sentence"),
    [
        (
            {"global": {"64501": [_detail_peer("", 64501)]}},
            "The eos driver returned '' as a neighbour's remote_address for AS 64501 in VRF "
            "global from get_bgp_neighbors_detail on r1 where NAPALM's contract has its IP "
            "address.",
        ),
        (
            {"global": {"64501": [_detail_peer("   ", 64501)]}},
            "The eos driver returned '   ' as a neighbour's remote_address",
        ),
        (
            {"global": {"64501": [{**_detail_peer("", 64501), "remote_address": 3221226123}]}},
            "The eos driver returned 3221226123 as a neighbour's remote_address for AS 64501",
        ),
        (
            # One neighbour not wrapped in a list.
            {"red": {"64501": _detail_peer("192.0.2.11", 64501)}},
            "The eos driver returned {'up': True, 'remote_as': 64501, 'remot… for AS 64501 in "
            "VRF red from get_bgp_neighbors_detail on r1 where NAPALM's contract has a list "
            "of neighbours.",
        ),
    ],
)
def test_a_detail_whose_neighbours_cannot_be_told_apart_fails_the_read(returned, sentence) -> None:
    with pytest.raises(DriverFailed) as failure:
        from_detail(returned, "eos", "r1")
    assert str(failure.value).startswith(sentence)


def test_a_summary_with_a_list_of_peers_fails_the_read() -> None:
    with pytest.raises(DriverFailed) as failure:
        from_summary(
            {"global": {"peers": {}}, "red": {"router_id": "192.0.2.1", "peers": ["192.0.2.11"]}},
            "eos",
            "r1",
        )
    assert str(failure.value) == (
        "The eos driver returned ['192.0.2.11'] as the peers of VRF red from get_bgp_neighbors "
        "on r1 where NAPALM's contract has a dictionary."
    )


class _Getters:
    """A connection whose detailed getter raises `detail_error` (if any); it notes calls."""

    def __init__(self, detail_error: Exception | None = None) -> None:
        self.detail_error = detail_error
        self.calls: list[str] = []

    def get_bgp_neighbors_detail(self) -> Any:
        self.calls.append("get_bgp_neighbors_detail")
        if self.detail_error is not None:
            raise self.detail_error
        return {"global": {"64501": [_detail_peer("192.0.2.11", 64501, state="Active")]}}

    def get_bgp_neighbors(self) -> Any:
        self.calls.append("get_bgp_neighbors")
        return {"global": {"peers": {"192.0.2.11": _summary_peer(64501)}}}


@pytest.mark.parametrize(
    "error",
    [NotImplementedError, OperationNotSupported("The x driver does not support it.")],
)
def test_a_driver_without_the_detailed_getter_is_read_with_the_summary(error) -> None:
    device = _Getters(detail_error=error)
    [neighbor] = read_neighbors(device, True, "x", "r1")
    assert device.calls == ["get_bgp_neighbors_detail", "get_bgp_neighbors"]
    assert (neighbor.state, neighbor.uptime) == (BGPState.ESTABLISHED, 30.0)


def test_the_detailed_getter_is_used_when_preferred_and_never_when_not() -> None:
    device = _Getters()
    [neighbor] = read_neighbors(device, True, "x", "r1")
    assert (device.calls, neighbor.state) == (["get_bgp_neighbors_detail"], BGPState.ACTIVE)
    device = _Getters()
    [neighbor] = read_neighbors(device, False, "x", "r1")
    assert (device.calls, neighbor.state) == (["get_bgp_neighbors"], BGPState.ESTABLISHED)


def test_a_detailed_getter_that_fails_otherwise_fails_the_read() -> None:
    """Only "not implemented" falls back: an unreachable router is not read twice."""
    device = _Getters(detail_error=Unreachable("Cannot reach r1 (192.0.2.1): timed out."))
    with pytest.raises(Unreachable):
        read_neighbors(device, True, "x", "r1")
    assert device.calls == ["get_bgp_neighbors_detail"]
