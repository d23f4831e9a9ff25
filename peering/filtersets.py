import django_filters
from django.db.models import Q

from core.choices import BGPState, Status
from core.filtersets import SearchFilterSet, asn_query, yes_no_filter
from devices.models import Router
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)

UNKNOWN = "unknown"


class AutonomousSystemFilterSet(SearchFilterSet):
    search_fields = ("name", "irr_as_set", "description")
    affiliated = yes_no_filter("Ours")

    class Meta:
        model = AutonomousSystem
        fields = ["q", "affiliated"]

    def search_query(self, value: str) -> Q:
        return super().search_query(value) | asn_query(value)


class InternetExchangeFilterSet(SearchFilterSet):
    search_fields = ("name", "slug", "description")
    labels = {"local_autonomous_system": "Local AS"}
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = InternetExchange
        fields = ["q", "status", "local_autonomous_system"]


class ConnectionFilterSet(SearchFilterSet):
    search_fields = (
        "internet_exchange__name",
        "router__name",
        "ipv4_address",
        "ipv6_address",
        "interface",
        "description",
    )
    labels = {"internet_exchange": "IXP"}
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Connection
        fields = ["q", "internet_exchange", "router", "status"]


class BGPGroupFilterSet(SearchFilterSet):
    search_fields = ("name", "slug", "description")
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = BGPGroup
        fields = ["q", "status"]


class SessionFilterSet(SearchFilterSet):
    """Search by address, peer name or ASN; filter by status, polled state and peer."""

    search_fields = ("ip_address", "autonomous_system__name", "description")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    bgp_state = django_filters.ChoiceFilter(
        label="BGP state",
        choices=[*BGPState.choices, (UNKNOWN, "Unknown")],
        method="filter_state",
    )
    autonomous_system = django_filters.ModelChoiceFilter(
        label="Peer AS", queryset=AutonomousSystem.objects.all()
    )

    def search_query(self, value: str) -> Q:
        return super().search_query(value) | asn_query(value, "autonomous_system__asn")

    def filter_state(self, queryset, name: str, value: str):
        if value == UNKNOWN:
            return queryset.filter(bgp_state__isnull=True)
        return queryset.filter(bgp_state=value)


class DirectPeeringSessionFilterSet(SessionFilterSet):
    labels = {"bgp_group": "BGP group"}

    class Meta:
        model = DirectPeeringSession
        fields = ["q", "router", "bgp_group", "autonomous_system", "status", "bgp_state"]


class InternetExchangePeeringSessionFilterSet(SessionFilterSet):
    internet_exchange = django_filters.ModelChoiceFilter(
        label="IXP",
        field_name="ixp_connection__internet_exchange",
        queryset=InternetExchange.objects.all(),
    )
    router = django_filters.ModelChoiceFilter(
        label="Router", field_name="ixp_connection__router", queryset=Router.objects.all()
    )
    is_route_server = yes_no_filter("Route server")

    class Meta:
        model = InternetExchangePeeringSession
        fields = [
            "q",
            "internet_exchange",
            "router",
            "autonomous_system",
            "is_route_server",
            "status",
            "bgp_state",
        ]
