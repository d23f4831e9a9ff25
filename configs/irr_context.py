"""The IRR part of the template context: each AS's cached prefix lists and AS list, each
session's list for its address family (documented in docs/templates.md).

Two queries for every AS of the router, whatever their number and the lists' lengths:
the lists of their AS-SETs, and the lists they kept from their last successful refresh
(used when an AS's AS-SET changed and has no list yet: a peer never goes unfiltered
because its AS-SET was renamed). The
lists are not copied: an AS's list is one Python list that its sessions share, so a
10,000-entry list costs the same whether one session uses it or a thousand do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from irr.models import PrefixList
from irr.prefix_lists import as_set_of, kept_lists, prefix_lists_for

AutonomousSystemData = dict[str, Any]


def with_as_set(asys: AutonomousSystemData) -> AutonomousSystemData:
    """The AS with `as_set`, what its prefix lists are expanded from ("AS-FOO RIPE::AS-BAR"),
    and `as_set_id`, the same as one word a router takes in a list's name
    ("AS-FOO_RIPE_AS-BAR")."""
    asys["as_set"] = as_set_of(asys["asn"], asys["irr_as_set"] or "")
    asys["as_set_id"] = list_word(asys["as_set"])
    return asys


def list_word(as_set: str) -> str:
    """`as_set` as one word of letters, digits, "-" and "_" (a prefix-list name's)."""
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9-]", "_", as_set)).strip("_")


def _moment(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _irr_data(cached: PrefixList | None) -> dict[str, Any]:
    """What a template sees of one AS-set: its lists (None when never fetched) and how its
    last refresh went."""
    fetched = cached is not None and cached.fetched_at is not None
    return {
        "prefix_lists": {"ipv4": cached.ipv4, "ipv6": cached.ipv6} if fetched else None,
        "as_list": cached.asns if fetched else None,
        "irr": {
            "fetched_at": _moment(cached.fetched_at) if cached else None,
            "failed_at": _moment(cached.failed_at) if cached else None,
            "error": cached.error if cached else "",
        },
    }


def _keep_previous(asys: AutonomousSystemData, previous: PrefixList) -> None:
    """An AS whose AS-SET has no list yet (renamed, or its new one failed) keeps the list
    of its last successful refresh, and its `irr.error` says so."""
    data = _irr_data(previous)
    asys["prefix_lists"], asys["as_list"] = data["prefix_lists"], data["as_list"]
    why = asys["irr"]["error"] or "not fetched yet"
    asys["irr"] = {
        **data["irr"],
        "error": f"{asys['as_set']}: {why}; the list of {previous.as_set} is kept",
    }


def attach_prefix_lists(
    autonomous_systems: Iterable[AutonomousSystemData | None],
    sessions: Iterable[dict[str, Any]],
) -> None:
    """Give every AS its `prefix_lists`, `as_list` and `irr`, and every session its
    `prefix_list` (its AS's list for the session's family), in place. One query."""
    ases = [asys for asys in autonomous_systems if asys is not None]
    cached = prefix_lists_for({asys["as_set"] for asys in ases})
    by_as_set = {name: _irr_data(cached.get(name)) for name in {a["as_set"] for a in ases}}
    kept = kept_lists({asys["asn"] for asys in ases})
    for asys in ases:
        asys.update(by_as_set[asys["as_set"]])
        previous = kept.get(asys["asn"])
        if asys["prefix_lists"] is None and previous is not None:
            _keep_previous(asys, previous)
    for session in sessions:
        lists = session["autonomous_system"]["prefix_lists"]
        family = f"ipv{session['ip_version']}"
        session["prefix_list"] = lists[family] if lists is not None else None
