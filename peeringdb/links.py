"""Where the inventory meets PeeringDB: a connection's IX LAN, an Internet exchange's IX.

A connection's IX LAN is the one chosen on it (`Connection.peeringdb_ixlan`), else the IX
LAN one of whose prefixes (`IXLanPrefix.prefix`) is the connection's IPv4 subnet, else its
IPv6 subnet: both are normalised, so they match by string equality. An Internet exchange's
IX is the one chosen on it (`InternetExchange.peeringdb_ix`), else the IX of its
connections' IX LANs, when they agree on one.

Every function here costs a fixed number of queries, whatever the number of connections:
pages and commands show the links of all of an exchange's connections at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from peering.models import Connection, InternetExchange
from peeringdb.models import IX, IXLan, IXLanPrefix, NetworkIXLan

CHOSEN = "chosen"
NOT_LINKED = "not linked: choose its IX LAN on the connection"
FROM_CONNECTIONS = "from its connections' IX LANs"


@dataclass(frozen=True)
class IXLanLink:
    """A connection's IX LAN (None: not linked) and how it was found, in words: "chosen",
    "matched by subnet 192.0.2.0/24", or NOT_LINKED. `ix_name` is the name of the IX LAN's
    IX ("" when the mirror lacks it)."""

    ixlan: IXLan | None
    how: str
    ix_name: str = ""

    @property
    def linked(self) -> bool:
        return self.ixlan is not None

    @property
    def label(self) -> str:
        """The IX LAN for a person: "Demo IX: IX LAN 1"; "" when not linked."""
        if self.ixlan is None:
            return ""
        return f"{self.ix_name}: {self.ixlan}" if self.ix_name else str(self.ixlan)

    def __str__(self) -> str:
        """The IX LAN and how it was found ("Demo IX: IX LAN 1 (chosen)"), or NOT_LINKED."""
        return f"{self.label} ({self.how})" if self.linked else self.how

    def as_dict(self) -> dict[str, object]:
        """The JSON form: {"ixlan": PeeringDB id or None, "ix": name, "how": str}."""
        return {
            "ixlan": self.ixlan.pk if self.ixlan else None,
            "ix": self.ix_name,
            "how": self.how,
        }


@dataclass(frozen=True)
class IXLink:
    """An Internet exchange's IX (None: not linked) and how it was found: "chosen",
    FROM_CONNECTIONS, or why there is none."""

    ix: IX | None
    how: str

    @property
    def linked(self) -> bool:
        return self.ix is not None

    def __str__(self) -> str:
        """The IX and how it was found ("Demo IX (chosen)"), or why there is none."""
        return f"{self.ix} ({self.how})" if self.ix else self.how

    def as_dict(self) -> dict[str, object]:
        """The JSON form: {"ix": PeeringDB id or None, "name": str, "how": str}."""
        return {"ix": self.ix.pk if self.ix else None, "name": str(self.ix or ""), "how": self.how}


def _subnets(connection: Connection) -> list[str]:
    """The connection's subnets as IXLanPrefix.prefix spells them, IPv4 first."""
    return [str(s) for s in (connection.subnet(4), connection.subnet(6)) if s is not None]


def connection_ixlans(connections: Iterable[Connection]) -> dict[int, IXLanLink]:
    """Each connection's IX LAN link, by connection pk (see the module's docstring).

    At most two queries, whatever the number of connections: the prefixes equal to their
    subnets (none when every connection has its IX LAN chosen), and the IX LANs chosen or
    matched, each with its IX's name. A connection whose IPv4 and IPv6 subnets are prefixes
    of two different IX LANs takes its IPv4 subnet's, and says so.
    """
    connections = list(connections)
    chosen = {c.pk: c.peeringdb_ixlan_id for c in connections if c.peeringdb_ixlan_id}
    subnets = {c.pk: _subnets(c) for c in connections if c.pk not in chosen}
    wanted = {subnet for found in subnets.values() for subnet in found}
    by_prefix: dict[str, int] = {}
    if wanted:
        rows = IXLanPrefix.objects.filter(prefix__in=wanted).order_by("id")
        for prefix, ixlan_id in rows.values_list("prefix", "ixlan_id"):
            by_prefix.setdefault(prefix, ixlan_id)
    ixlan_ids = set(chosen.values()) | set(by_prefix.values())
    ixlans = ixlan_rows(ixlan_ids) if ixlan_ids else {}
    links = {}
    for connection in connections:
        if connection.pk in chosen:
            links[connection.pk] = _link(ixlans.get(chosen[connection.pk]), CHOSEN)
            continue
        matches = [(s, by_prefix[s]) for s in subnets[connection.pk] if by_prefix.get(s) in ixlans]
        if not matches:
            links[connection.pk] = IXLanLink(None, NOT_LINKED)
            continue
        subnet, ixlan_id = matches[0]
        how = f"matched by subnet {subnet}"
        others = [(s, other) for s, other in matches[1:] if other != ixlan_id]
        for other_subnet, other in others:
            how += f"; its subnet {other_subnet} is a prefix of {ixlans[other]}"
        links[connection.pk] = _link(ixlans[ixlan_id], how)
    return links


def connection_ixlan(connection: Connection) -> IXLanLink:
    """One connection's IX LAN link (connection_ixlans for one)."""
    return connection_ixlans([connection])[connection.pk]


def ixlan_rows(ids: Collection[int]) -> dict[int, IXLan]:
    """The IX LANs with these PeeringDB ids, by id, each annotated with `ix_name` (its IX's
    name, None when the mirror lacks the IX). One query."""
    ix_name = IX.objects.filter(pk=OuterRef("ix_id")).values("name")[:1]
    return IXLan.objects.filter(pk__in=list(ids)).annotate(ix_name=Subquery(ix_name)).in_bulk()


def _link(ixlan: IXLan | None, how: str) -> IXLanLink:
    if ixlan is None:  # chosen, then gone from the mirror
        return IXLanLink(None, NOT_LINKED)
    return IXLanLink(ixlan, how, getattr(ixlan, "ix_name", None) or "")


def ixp_ix(ixp: InternetExchange, links: Iterable[IXLanLink]) -> IXLink:
    """The exchange's IX: the chosen one, else the one IX of its connections' IX LANs
    (`links`, connection_ixlans' values). No query when the chosen IX is loaded with the
    exchange (select_related("peeringdb_ix")) or no connection is linked; else one."""
    if ixp.peeringdb_ix_id is not None:
        return IXLink(ixp.peeringdb_ix, CHOSEN)
    ix_ids = sorted({link.ixlan.ix_id for link in links if link.ixlan is not None})
    if not ix_ids:
        return IXLink(None, "not linked: choose its IX, or an IX LAN on a connection")
    ixes = IX.objects.in_bulk(ix_ids)
    if len(ix_ids) > 1:
        names = ", ".join(str(ixes.get(pk, f"IX {pk}")) for pk in ix_ids)
        return IXLink(None, f"not linked: its connections' IX LANs are of several IXes ({names})")
    if ix_ids[0] not in ixes:
        return IXLink(None, f"not linked: IX {ix_ids[0]} is not in the PeeringDB mirror")
    return IXLink(ixes[ix_ids[0]], FROM_CONNECTIONS)


def peeringdb_asns(connection: Connection, addresses: Collection[str]) -> dict[str, int]:
    """The ASN PeeringDB lists at each of these addresses (normalised) on the connection's
    IX LAN, for those it lists; {} when the connection is not linked. At most three
    queries, whatever the number of addresses."""
    link = connection_ixlan(connection)
    if link.ixlan is None or not addresses:
        return {}
    wanted = list(addresses)
    found: dict[str, int] = {}
    entries = NetworkIXLan.objects.filter(
        Q(ipaddr4__in=wanted) | Q(ipaddr6__in=wanted), ixlan_id=link.ixlan.pk
    ).order_by("id")
    for ipaddr4, ipaddr6, asn in entries.values_list("ipaddr4", "ipaddr6", "asn"):
        for address in (ipaddr4, ipaddr6):
            if address in addresses:
                found.setdefault(address, asn)
    return found
