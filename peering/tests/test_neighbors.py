"""What drivers return, in its every form, becomes one shape (no database, no router)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.choices import BGPState
from peering.neighbors import InvalidASN, from_detail, from_summary, parse_asn, with_uptimes


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
