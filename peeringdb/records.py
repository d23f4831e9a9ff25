"""Autonomous systems new to the inventory, made from their PeeringDB network records.

Used wherever the inventory meets an AS it does not have yet: sessions created with the
available peers (peeringdb.peer_sessions), sessions discovered on routers (peering.discovery).
The values are those an AS follows afterwards (peeringdb.follow.peeringdb_values): name,
IRR AS-SET, IPv4 / IPv6 max-prefixes (PeeringDB's 0, "not set", is None) and the general
peering policy.
"""

from __future__ import annotations

from collections.abc import Collection

from peering.models import AutonomousSystem
from peeringdb.follow import peeringdb_values
from peeringdb.models import Network


def networks_by_asn(asns: Collection[int]) -> dict[int, Network]:
    """The PeeringDB network record of each of these ASNs the mirror has (the newest, should
    it have two). One query."""
    found: dict[int, Network] = {}
    for network in Network.objects.filter(asn__in=list(asns)).order_by("updated", "id"):
        found[network.asn] = network
    return found


def new_autonomous_systems(asns: Collection[int]) -> list[AutonomousSystem]:
    """An unsaved AS per ASN, in ASN order: with its PeeringDB record's values when the
    mirror has one, else named "AS<asn>" and nothing more. One query (none for no ASN)."""
    networks = networks_by_asn(asns) if asns else {}
    created = []
    for asn in sorted(set(asns)):
        network = networks.get(asn)
        values = peeringdb_values(network) if network else {}
        values["name"] = values.get("name") or f"AS{asn}"
        created.append(AutonomousSystem(asn=asn, **values))
    return created
