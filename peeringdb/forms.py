"""Form fields that link the inventory to the PeeringDB mirror: an exchange's IX, a
connection's IX LAN (peeringdb.links says what blank means)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery

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
