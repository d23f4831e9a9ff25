"""Autonomous systems follow their PeeringDB record, field by field.

An AS of the inventory takes, from the PeeringDB network of the same ASN, its name, IRR
AS-SET, IPv4 / IPv6 max-prefixes (PeeringDB's info_prefixes4 / info_prefixes6; 0 there
means "not set") and general peering policy, except the fields listed in its
`local_fields`: there the local value wins. A value PeeringDB does not give (0, blank)
never erases one set here: a peer that clears its max-prefix in PeeringDB does not remove
the limit from our routers. Every value changed here is recorded as an
AutonomousSystemChange (old → new, when), and in the change log.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.text import capfirst

from changelog.entries import record_changed
from peering.models import PEERINGDB_FIELDS, AutonomousSystem, AutonomousSystemChange
from peeringdb.models import Network

# AS field -> the PeeringDB network's field it follows.
SOURCE_FIELDS = {
    "name": "name",
    "irr_as_set": "irr_as_set",
    "ipv4_max_prefixes": "info_prefixes4",
    "ipv6_max_prefixes": "info_prefixes6",
    "peering_policy": "policy_general",
}
assert tuple(SOURCE_FIELDS) == PEERINGDB_FIELDS
LOOKUP_CHUNK = 10_000  # ASNs per IN (...) list: below every database's parameter limit


@dataclass(frozen=True)
class FieldChange:
    """One field of one AS changed by following PeeringDB."""

    asn: int
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        """`AS64501 IPv4 max prefixes: 100 → 150`, as the AS's page names the field."""
        field = AutonomousSystem._meta.get_field(self.field)
        choices = dict(field.choices or ())
        old, new = (str(choices.get(value, value)) or "not set" for value in (self.old, self.new))
        return f"AS{self.asn} {capfirst(field.verbose_name)}: {old} → {new}"

    def as_dict(self) -> dict[str, Any]:
        return {"asn": self.asn, "field": self.field, "old": self.old, "new": self.new}


def peeringdb_values(network: Network) -> dict[str, Any]:
    """The AS field values a PeeringDB network gives (`SOURCE_FIELDS`), ready to store:
    the name cut to the AS name's length, a policy PeeringDB spells "Open" as "open"
    (blank when it is not one of PeeringDB's four)."""
    name_length = AutonomousSystem._meta.get_field("name").max_length
    policy = network.policy_general.strip().lower()
    valid_policies = {
        value for value, _ in AutonomousSystem._meta.get_field("peering_policy").choices
    }
    return {
        "name": network.name[:name_length],
        "irr_as_set": network.irr_as_set,
        "ipv4_max_prefixes": network.info_prefixes4,
        "ipv6_max_prefixes": network.info_prefixes6,
        "peering_policy": policy if policy in valid_policies else "",
    }


def peeringdb_record(asn: int | None) -> dict[str, Any] | None:
    """The AS field values PeeringDB gives `asn` (`peeringdb_values`), None when the local
    copy of PeeringDB has no network with that ASN."""
    if asn is None:
        return None
    network = Network.objects.filter(asn=asn).order_by("-updated").first()
    return None if network is None else peeringdb_values(network)


def kept_local(
    asn: int | None,
    values: Mapping[str, Any],
    edited: Iterable[str],
    local_fields: Iterable[str] | None,
) -> list[str] | None:
    """The fields an AS keeps local once saved with `values` (field -> value) when the
    fields `edited` were changed by hand: those already in `local_fields`, and each edited
    field that follows PeeringDB and now differs from PeeringDB's value, so that the next
    synchronisation does not undo the edit. In PEERINGDB_FIELDS' order. None when the local
    copy of PeeringDB has no network with that ASN (nothing to keep local from). One query;
    the AS form and the API both decide it here."""
    network = peeringdb_record(asn)
    if network is None:
        return None
    edited = set(edited)
    local = list(local_fields or [])
    for name, value in network.items():
        if name in edited and name in values and values[name] != value and name not in local:
            local.append(name)
    return [name for name in PEERINGDB_FIELDS if name in local]


def shown(value: Any) -> str:
    """A value as the change log keeps it ("" for not set)."""
    return "" if value is None else str(value)


def follow_peeringdb(
    at: datetime, systems: list[AutonomousSystem] | None = None
) -> list[FieldChange]:
    """Give each AS (`systems`, default every AS of the inventory) the PeeringDB values of
    the fields it does not keep local; record and return each change. A constant number
    of queries for up to LOOKUP_CHUNK ASes; call inside the synchronisation's transaction."""
    if systems is None:
        systems = list(AutonomousSystem.objects.all())
    asns = [system.asn for system in systems]
    networks: dict[int, Network] = {}
    for start in range(0, len(asns), LOOKUP_CHUNK):
        # The newest record per ASN, should PeeringDB ever list two.
        for network in Network.objects.filter(asn__in=asns[start : start + LOOKUP_CHUNK]).order_by(
            "updated"
        ):
            networks[network.asn] = network
    changed: list[AutonomousSystem] = []
    before: list[AutonomousSystem] = []
    records: list[AutonomousSystemChange] = []
    changes: list[FieldChange] = []
    for system in systems:
        network = networks.get(system.asn)
        if network is None:
            continue
        local = set(system.local_fields or ())
        touched = False
        for name, value in peeringdb_values(network).items():
            old = getattr(system, name)
            # PeeringDB saying nothing (0, blank) never erases a value set here.
            if name in local or old == value or value in (None, ""):
                continue
            if not touched:
                before.append(copy.copy(system))
            setattr(system, name, value)
            touched = True
            change = FieldChange(system.asn, name, shown(old), shown(value))
            changes.append(change)
            records.append(
                AutonomousSystemChange(
                    autonomous_system=system,
                    field=name,
                    old_value=change.old,
                    new_value=change.new,
                    at=at,
                )
            )
        if touched:
            changed.append(system)
    if changed:
        AutonomousSystem.objects.bulk_update(changed, list(PEERINGDB_FIELDS))
        AutonomousSystemChange.objects.bulk_create(records)
        record_changed(zip(before, changed, strict=True))  # the change log, in one INSERT
    return changes


@dataclass(frozen=True)
class FieldSource:
    """Where one followed field of an AS gets its value: `here` (the AS's), `peeringdb`
    (its PeeringDB network's), and whether it is `kept_local`."""

    field: str
    label: str
    here: str
    peeringdb: str
    kept_local: bool

    @property
    def differs(self) -> bool:
        return self.here != self.peeringdb

    @property
    def source(self) -> str:
        """What the AS page says of it: "kept local", "set here: PeeringDB gives none",
        "follows PeeringDB"."""
        if self.kept_local:
            return "kept local (wins over PeeringDB)" if self.differs else "kept local"
        if self.here and not self.peeringdb:
            return "set here: PeeringDB gives none"
        return "follows PeeringDB"


def field_sources(system: AutonomousSystem, network: Network) -> list[FieldSource]:
    """Each followed field of `system` beside `network`'s value, for the AS page."""
    values = peeringdb_values(network)
    local = set(system.local_fields or ())
    sources = []
    for name in PEERINGDB_FIELDS:
        field = AutonomousSystem._meta.get_field(name)
        display = dict(field.choices or ())
        here, there = getattr(system, name), values[name]
        sources.append(
            FieldSource(
                name,
                str(field.verbose_name),
                shown(display.get(here, here)),
                shown(display.get(there, there)),
                name in local,
            )
        )
    return sources
