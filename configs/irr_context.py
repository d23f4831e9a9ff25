"""The IRR part of the template context: each AS's cached prefix lists and AS list, each
session's list for its address family (documented in docs/templates.md).

One query for every AS of the router, whatever their number and the lists' lengths. The
lists are not copied: an AS's list is one Python list that its sessions share, so a
10,000-entry list costs the same whether one session uses it or a thousand do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from irr.models import PrefixList
from irr.prefix_lists import as_set_of, prefix_lists_for

AutonomousSystemData = dict[str, Any]


def with_as_set(asys: AutonomousSystemData) -> AutonomousSystemData:
    """The AS with `as_set`: the AS-set its prefix lists are expanded from."""
    asys["as_set"] = as_set_of(asys["asn"], asys["irr_as_set"] or "")
    return asys


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


def attach_prefix_lists(
    autonomous_systems: Iterable[AutonomousSystemData | None],
    sessions: Iterable[dict[str, Any]],
) -> None:
    """Give every AS its `prefix_lists`, `as_list` and `irr`, and every session its
    `prefix_list` (its AS's list for the session's family), in place. One query."""
    ases = [asys for asys in autonomous_systems if asys is not None]
    cached = prefix_lists_for({asys["as_set"] for asys in ases})
    by_as_set = {name: _irr_data(cached.get(name)) for name in {a["as_set"] for a in ases}}
    for asys in ases:
        asys.update(by_as_set[asys["as_set"]])
    for session in sessions:
        lists = session["autonomous_system"]["prefix_lists"]
        family = f"ipv{session['ip_version']}"
        session["prefix_list"] = lists[family] if lists is not None else None
