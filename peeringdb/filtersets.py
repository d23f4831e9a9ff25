"""Filters of the local PeeringDB copy's API collections: by ASN, IX, IX LAN, network, and
a search box (`q`) over names, as the admin searches them."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from core.filtersets import SearchFilterSet, asn_query
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan


def _id_filter(field_name: str, label: str) -> django_filters.NumberFilter:
    """A PeeringDB id (the mirror's references are plain ids: the object may be absent)."""
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=0, max_value=2**63 - 1
    )


def _asn_filter(field_name: str = "asn") -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        field_name=field_name, label="ASN", min_value=0, max_value=2**63 - 1
    )


class NetworkFilterSet(SearchFilterSet):
    search_fields = ("name", "aka", "irr_as_set")
    asn = _asn_filter()
    irr_as_set = django_filters.CharFilter(lookup_expr="iexact", label="IRR AS-SET")

    class Meta:
        model = Network
        fields = ["q", "asn", "irr_as_set", "status"]

    def search_query(self, value: str) -> Q:
        return super().search_query(value) | asn_query(value)


class IXFilterSet(SearchFilterSet):
    search_fields = ("name", "name_long", "city")
    country = django_filters.CharFilter(lookup_expr="iexact", label="Country")

    class Meta:
        model = IX
        fields = ["q", "country", "status"]


class IXLanFilterSet(SearchFilterSet):
    search_fields = ("name", "descr")
    ix = _id_filter("ix_id", "PeeringDB IX id")

    class Meta:
        model = IXLan
        fields = ["q", "ix", "status"]


class IXLanPrefixFilterSet(SearchFilterSet):
    search_fields = ("prefix",)
    ixlan = _id_filter("ixlan_id", "PeeringDB IX LAN id")
    ix = _id_filter("ixlan__ix_id", "PeeringDB IX id")
    protocol = django_filters.ChoiceFilter(choices=[("IPv4", "IPv4"), ("IPv6", "IPv6")])

    class Meta:
        model = IXLanPrefix
        fields = ["q", "ixlan", "ix", "protocol", "status"]


class NetworkIXLanFilterSet(SearchFilterSet):
    search_fields = ("ipaddr4", "ipaddr6")
    asn = _asn_filter()
    net = _id_filter("net_id", "PeeringDB network id")
    ix = _id_filter("ix_id", "PeeringDB IX id")
    ixlan = _id_filter("ixlan_id", "PeeringDB IX LAN id")

    class Meta:
        model = NetworkIXLan
        fields = ["q", "asn", "net", "ix", "ixlan", "is_rs_peer", "operational", "status"]

    def search_query(self, value: str) -> Q:
        return super().search_query(value) | asn_query(value)
