import django_filters
from django.db.models import Q

from core.choices import BGPState, Status
from core.filtersets import DateTimeFilter, asn_query, yes_no_filter
from devices.models import Router
from peering.models import (
    PEERINGDB_FIELDS,
    AutonomousSystem,
    AutonomousSystemChange,
    BGPGroup,
    BGPSessionStateChange,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.policy_filtersets import AssignedFilterSet

UNKNOWN = "unknown"


class AutonomousSystemFilterSet(AssignedFilterSet):
    search_fields = ("name", "irr_as_set", "description")
    affiliated = yes_no_filter("Ours")

    class Meta:
        model = AutonomousSystem
        fields = ["q", "affiliated"]

    def search_query(self, value: str) -> Q:
        return super().search_query(value) | asn_query(value)


class InternetExchangeFilterSet(AssignedFilterSet):
    search_fields = ("name", "slug", "description")
    labels = {"local_autonomous_system": "Local AS"}
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = InternetExchange
        fields = ["q", "status", "local_autonomous_system"]


class ConnectionFilterSet(AssignedFilterSet):
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


class BGPGroupFilterSet(AssignedFilterSet):
    search_fields = ("name", "slug", "description")
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = BGPGroup
        fields = ["q", "status"]


class SessionFilterSet(AssignedFilterSet):
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


class BGPSessionStateChangeFilterSet(django_filters.FilterSet):
    """A session's state history (its page's timeline): by session, router, state, time."""

    direct_session = django_filters.ModelChoiceFilter(queryset=DirectPeeringSession.objects.all())
    ixp_session = django_filters.ModelChoiceFilter(
        label="IXP session", queryset=InternetExchangePeeringSession.objects.all()
    )
    router = django_filters.ModelChoiceFilter(
        label="Router", queryset=Router.objects.all(), method="filter_router"
    )
    to_state = django_filters.ChoiceFilter(
        label="New state", choices=[*BGPState.choices, (UNKNOWN, "Unknown")], method="filter_to"
    )
    since = DateTimeFilter(field_name="at", lookup_expr="gte", label="Since")
    until = DateTimeFilter(field_name="at", lookup_expr="lt", label="Until")

    class Meta:
        model = BGPSessionStateChange
        fields = ["direct_session", "ixp_session", "router", "to_state", "since", "until"]

    def filter_router(self, queryset, name: str, value: Router):
        return queryset.filter(
            Q(direct_session__router=value) | Q(ixp_session__ixp_connection__router=value)
        )

    def filter_to(self, queryset, name: str, value: str):
        if value == UNKNOWN:
            return queryset.filter(to_state__isnull=True)
        return queryset.filter(to_state=value)


class AutonomousSystemChangeFilterSet(django_filters.FilterSet):
    """The changes PeeringDB made to ASes (an AS page's list): by AS, ASN, field, time."""

    autonomous_system = django_filters.ModelChoiceFilter(
        label="AS", queryset=AutonomousSystem.objects.all()
    )
    asn = django_filters.NumberFilter(field_name="autonomous_system__asn", label="ASN")
    field = django_filters.ChoiceFilter(
        choices=[(name, name) for name in PEERINGDB_FIELDS], label="Field"
    )
    since = DateTimeFilter(field_name="at", lookup_expr="gte", label="Since")

    class Meta:
        model = AutonomousSystemChange
        fields = ["autonomous_system", "asn", "field", "since"]
