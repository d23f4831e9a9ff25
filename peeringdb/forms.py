"""Form fields that link the inventory to the PeeringDB mirror: an exchange's IX, a
connection's IX LAN (peeringdb.links says what blank means); and the checks of a choice
against what the inventory says: a connection's subnets against its IX LAN's prefixes, an
exchange's IX against its connections' IX LANs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery

from peering.models import Connection, InternetExchange
from peeringdb.links import connection_ixlan, connection_ixlans
from peeringdb.models import IX, IXLan


def ixlan_choices() -> QuerySet[IXLan]:
    """Every IX LAN of the mirror with its IX's name (`ix_name`) and its prefixes, by IX
    name: two queries, however many there are."""
    ix_name = IX.objects.filter(pk=OuterRef("ix_id")).values("name")[:1]
    return (
        IXLan.objects.annotate(ix_name=Subquery(ix_name))
        .prefetch_related("prefixes")
        .order_by("ix_name", "id")
    )


class IXChoiceField(forms.ModelChoiceField):
    """An IX of the mirror; blank: the IX of the exchange's connections' IX LANs."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "PeeringDB IX")
        kwargs.setdefault("help_text", "Blank: the IX of its connections' IX LANs.")
        super().__init__(
            queryset=IX.objects.order_by("name", "id"),
            required=False,
            empty_label="— from its connections' IX LANs —",
            **kwargs,
        )

    def label_from_instance(self, obj: IX) -> str:
        where = ", ".join(part for part in (obj.city, obj.country) if part)
        return f"{obj.name} ({where})" if where else obj.name


class IXLanChoiceField(forms.ModelChoiceField):
    """An IX LAN of the mirror, shown as "Demo IX: IX LAN 1 (192.0.2.0/24, 2001:db8:1::/64)";
    blank: the IX LAN whose prefix is the connection's subnet."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "PeeringDB IX LAN")
        kwargs.setdefault(
            "help_text", "Blank: the IX LAN one of whose prefixes is the connection's subnet."
        )
        super().__init__(
            queryset=ixlan_choices(),
            required=False,
            empty_label="— matched by the connection's subnet —",
            **kwargs,
        )

    def label_from_instance(self, obj: IXLan) -> str:
        prefixes = ", ".join(prefix.prefix for prefix in obj.prefixes.all())
        ix_name = getattr(obj, "ix_name", None) or f"IX {obj.ix_id}"
        return f"{ix_name}: {obj}" + (f" ({prefixes})" if prefixes else "")


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ixlan_label(ixlan: IXLan) -> str:
    return f"{getattr(ixlan, 'ix_name', None) or f'IX {ixlan.ix_id}'}: {ixlan}"


def _subnets(addresses: Iterable[Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The subnets of these interface addresses as a form has them (text); those that are
    not one are left to the address fields' own validation."""
    subnets = []
    for address in addresses:
        text = str(address or "").strip()
        if "/" not in text:
            continue
        try:
            subnets.append(ipaddress.ip_interface(text).network)
        except ValueError:
            continue
    return subnets


def ixlan_mismatch(ixlan: IXLan, addresses: Iterable[Any]) -> str:
    """Why `ixlan` cannot be the IX LAN of a connection with these interface addresses
    ("192.0.2.1/24"), in one sentence; "" when it can.

    Each of the connection's subnets must lie inside one of the IX LAN's prefixes of its
    family: else no peer's address there is usable on the connection. A family the mirror
    lists no prefix of for the IX LAN is not checked (PeeringDB does not say).
    """
    prefixes = [ipaddress.ip_network(p.prefix, strict=False) for p in ixlan.prefixes.all()]
    outside = [
        subnet
        for subnet in _subnets(addresses)
        if any(p.version == subnet.version for p in prefixes)
        and not any(p.version == subnet.version and subnet.subnet_of(p) for p in prefixes)
    ]
    if not outside:
        return ""
    has = "the prefix" if len(prefixes) == 1 else "the prefixes"
    which = "which does not contain" if len(prefixes) == 1 else "none of which contains"
    subnet = "subnet" if len(outside) == 1 else "subnets"
    return (
        f"{_ixlan_label(ixlan)} has {has} {_listed([str(p) for p in prefixes])}, {which} "
        f"the connection's {subnet} {_listed([str(s) for s in outside])}: choose the IX LAN "
        "of its peering LAN, or leave it blank to match it by subnet."
    )


def exchange_ix_mismatch(exchange: InternetExchange, ix: IX | None) -> str:
    """Why `ix` cannot be the PeeringDB IX of `exchange` (saved, with its connections), in
    one sentence; "" when it can. When some connection is linked to an IX LAN
    (peeringdb.links), the IX must be that of one of their IX LANs. An exchange none of
    whose connections is linked (or a new one) may choose any. Two queries at most."""
    if ix is None or exchange.pk is None:
        return ""
    links = connection_ixlans(exchange.connections.all())
    theirs = {link.ixlan.ix_id: link.ix_name for link in links.values() if link.ixlan}
    if not theirs or ix.pk in theirs:
        return ""
    names = [name or f"IX {pk}" for pk, name in sorted(theirs.items(), key=lambda i: i[1])]
    one = "it" if len(names) == 1 else "one of them"
    return (
        f"Its connections are on IX LANs of {_listed(names)} in PeeringDB, not of {ix.name}: "
        f"choose {one}, or leave it blank to take it from the connections."
    )


def check_exchange_ix(form: forms.ModelForm, field: str = "peeringdb_ix") -> None:
    """An exchange form's chosen IX checked against its connections' IX LANs
    (exchange_ix_mismatch): a field error when it does not fit."""
    why = exchange_ix_mismatch(form.instance, form.cleaned_data.get(field))
    if why:
        form.add_error(field, why)


def connection_exchange_mismatch(
    exchange: InternetExchange | None,
    ipv4_address: Any,
    ipv6_address: Any,
    ixlan: IXLan | None,
) -> str:
    """Why a connection to `exchange` with these addresses and IX LAN (chosen, else matched
    by its subnets) does not fit the exchange's chosen PeeringDB IX, in one sentence: the
    IX LAN is another IX's; "" when it fits. At most three queries."""
    if exchange is None or exchange.peeringdb_ix_id is None:
        return ""
    candidate = Connection(
        internet_exchange=exchange,
        ipv4_address=ipv4_address,
        ipv6_address=ipv6_address,
        peeringdb_ixlan=ixlan,
    )
    link = connection_ixlan(candidate)
    if link.ixlan is None or link.ixlan.ix_id == exchange.peeringdb_ix_id:
        return ""
    theirs = link.ix_name or f"IX {link.ixlan.ix_id}"
    return (
        f"{link} is an IX LAN of {theirs} in PeeringDB, but {exchange} is "
        f"linked to PeeringDB IX {exchange.peeringdb_ix_id}: choose an IX LAN of that IX, or "
        "change the exchange's PeeringDB IX."
    )


def connection_mismatch(
    exchange: InternetExchange | None,
    ipv4_address: Any,
    ipv6_address: Any,
    ixlan: IXLan | None,
) -> str:
    """What a connection's form checks of its PeeringDB IX LAN, in one sentence ("" when
    it fits): the chosen IX LAN against its addresses (ixlan_mismatch), then the IX LAN
    (chosen or matched) against its exchange's IX (connection_exchange_mismatch)."""
    if ixlan is not None:
        why = ixlan_mismatch(ixlan, [ipv4_address, ipv6_address])
        if why:
            return why
    return connection_exchange_mismatch(exchange, ipv4_address, ipv6_address, ixlan)


def check_connection(form: forms.ModelForm, field: str = "peeringdb_ixlan") -> None:
    """A connection form's IX LAN checked (connection_mismatch): a field error when it
    does not fit."""
    if form.errors.get(field):
        return
    data = form.cleaned_data
    why = connection_mismatch(
        data.get("internet_exchange"),
        data.get("ipv4_address"),
        data.get("ipv6_address"),
        data.get(field),
    )
    if why:
        form.add_error(field, why)
