"""Reading the cached prefix lists: which AS-set an AS uses, the lists of many at once,
and whether a list accepts a prefix."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from core.validators import irr_objects
from irr.models import KeptList, PrefixList


def normalise_as_set(name: str) -> str:
    """The stored form of an AS-set or AS name: stripped and upper-cased ("as-foo" →
    "AS-FOO"). IRR names are case-insensitive (RFC 2622, section 2)."""
    return name.strip().upper()


def as_set_of(asn: int, irr_as_set: str = "") -> str:
    """What an AS is expanded from, as stored and queried: the IRR objects its `irr_as_set`
    names (core.validators.irr_objects: upper-cased, "SOURCE::NAME", blank-separated, so
    "AS-FOO, as-bar@RIPE" is "AS-FOO RIPE::AS-BAR"; bgpq4 expands them together), else
    "AS<asn>". A value that names no valid object (typed before it was checked) is kept as
    written, upper-cased: its refresh fails saying why."""
    if not irr_as_set.strip():
        return f"AS{asn}"
    try:
        return " ".join(irr_objects(irr_as_set))
    except ValueError:
        return normalise_as_set(irr_as_set)


def prefix_lists_for(as_sets: Iterable[str]) -> dict[str, PrefixList]:
    """The cached lists of these AS-sets, keyed by the names as given (one query).

    Names are matched case-insensitively; a name with no row is absent from the result.
    """
    wanted = {name: normalise_as_set(name) for name in as_sets}
    if not wanted:
        return {}
    rows = {row.as_set: row for row in PrefixList.objects.filter(as_set__in=set(wanted.values()))}
    return {name: rows[key] for name, key in wanted.items() if key in rows}


def kept_lists(asns: Iterable[int]) -> dict[int, PrefixList]:
    """The list each of these ASes kept from its last successful refresh, by ASN (one
    query; see irr.models.KeptList)."""
    rows = KeptList.objects.filter(autonomous_system__asn__in=list(asns))
    rows = rows.select_related("prefix_list", "autonomous_system")
    return {row.autonomous_system.asn: row.prefix_list for row in rows}


def keep_lists(systems: Iterable[tuple[int, PrefixList]]) -> None:
    """Record, for each (AS pk, its freshly fetched PrefixList), that the AS keeps that list
    (one statement; call after a successful refresh)."""
    rows = [KeptList(autonomous_system_id=pk, prefix_list=row) for pk, row in systems]
    if rows:
        KeptList.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["autonomous_system"],
            update_fields=["prefix_list"],
        )


def accepts(entries: Iterable[dict[str, Any]], prefix: str) -> bool:
    """Whether a prefix list (stored entries, see irr.models) accepts `prefix`
    ("203.0.113.4/30"): an exact entry equal to it, or a non-exact entry that covers it
    with its length between `greater_equal` and `less_equal`. As a router's prefix list
    matches a route."""
    network = ipaddress.ip_network(prefix)
    for entry in entries:
        listed = ipaddress.ip_network(entry["prefix"])
        if listed.version != network.version:
            continue
        if entry["exact"]:
            if listed == network:
                return True
        elif (
            network.subnet_of(listed)  # type: ignore[arg-type]
            and entry["greater_equal"] <= network.prefixlen <= entry["less_equal"]
        ):
            return True
    return False


def entry_text(entry: dict[str, Any]) -> str:
    """An entry as a network engineer reads it: "203.0.113.0/24", or
    "203.0.112.0/23 ge 24 le 24" (Cisco's prefix-list words)."""
    if entry["exact"]:
        return entry["prefix"]
    return f"{entry['prefix']} ge {entry['greater_equal']} le {entry['less_equal']}"


def accepted_count(entries: Iterable[dict[str, Any]]) -> int:
    """How many distinct prefixes a list accepts: an exact entry one, a non-exact entry
    every prefix of each length from `greater_equal` to `less_equal` inside it. bgpq4's
    aggregation (-A) loses nothing, so this is the number of prefixes registered."""
    total = 0
    for entry in entries:
        if entry["exact"]:
            total += 1
            continue
        length = ipaddress.ip_network(entry["prefix"]).prefixlen
        total += sum(
            2 ** (n - length) for n in range(entry["greater_equal"], entry["less_equal"] + 1)
        )
    return total


# A list longer than this is shown collapsed on the AS page.
SHOWN_OPEN = 20


@dataclass(frozen=True)
class FamilyList:
    """One list of the AS page: its `label` ("IPv4"), `entries` as text, how many
    prefixes they accept, and whether it starts collapsed."""

    label: str
    entries: list[str]
    accepted: int

    @property
    def collapsed(self) -> bool:
        return len(self.entries) > SHOWN_OPEN

    @property
    def text(self) -> str:
        """The entries, one a line."""
        return "\n".join(self.entries)


@dataclass(frozen=True)
class ASPageSection:
    """What the AS page shows of the AS's IRR data: the AS-set it uses (`own_asn` when
    it has none and its ASN is used), the cached row (None: never refreshed) and its
    lists."""

    as_set: str
    own_asn: bool
    prefix_list: PrefixList | None
    families: list[FamilyList]
    asns: list[str]
    # The list of the AS's last successful refresh, shown (and used by the templates)
    # while its current AS-SET has none: its AS-SET changed.
    kept: PrefixList | None = None


def as_page_section(asn: int, irr_as_set: str) -> ASPageSection:
    """The IRR section of an AS's page: one query, for the list of its AS-SET and the one
    it kept from its last successful refresh."""
    name = as_set_of(asn, irr_as_set)
    kept_by_it = KeptList.objects.filter(prefix_list=OuterRef("pk"), autonomous_system__asn=asn)
    rows = PrefixList.objects.filter(
        Q(as_set=normalise_as_set(name)) | Q(kept_by__autonomous_system__asn=asn)
    ).annotate(kept_by_it=Exists(kept_by_it))
    row = kept = None
    for found in rows.distinct():
        if found.as_set == normalise_as_set(name):
            row = found
        if found.kept_by_it:
            kept = found
    if row is not None and row.fetched_at is not None:
        kept = None  # its own list is shown
    shown = kept or row
    families = []
    if shown is not None and shown.fetched_at is not None:
        families = [
            FamilyList(label, [entry_text(e) for e in entries], accepted_count(entries))
            for label, entries in (("IPv4", shown.ipv4), ("IPv6", shown.ipv6))
        ]
    asns = [f"AS{asn}" for asn in shown.asns] if shown is not None else []
    return ASPageSection(name, not irr_as_set.strip(), row, families, asns, kept)
