import django_tables2 as tables

from core.tables import BaseTable, link_record, link_value, state_column, status_column
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)

NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}
POLLED_COLUMNS = [
    "status",
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_established_state",
]


def as_column(verbose_name: str = "AS", accessor: str | None = None) -> tables.Column:
    prefix = f"{accessor}__" if accessor else "autonomous_system__"
    return tables.Column(
        verbose_name, accessor=accessor, linkify=link_value, order_by=(f"{prefix}asn",)
    )


class AutonomousSystemTable(BaseTable):
    asn = tables.Column(linkify=link_record)
    name = tables.Column(linkify=link_record)

    class Meta(BaseTable.Meta):
        model = AutonomousSystem
        fields = [
            "asn",
            "name",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "irr_as_set",
            "affiliated",
        ]


class InternetExchangeTable(BaseTable):
    name = tables.Column(linkify=link_record)
    local_autonomous_system = as_column("Local AS", "local_autonomous_system")
    status = status_column()
    connection_count = tables.Column("Connections", attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = InternetExchange
        fields = ["name", "slug", "local_autonomous_system", "status", "connection_count"]


class ConnectionTable(BaseTable):
    connection = tables.Column(
        empty_values=(),
        linkify=link_record,
        order_by=("internet_exchange__name", "router__name"),
        accessor="pk",
    )
    internet_exchange = tables.Column(
        "IXP", linkify=link_value, order_by=("internet_exchange__name",)
    )
    router = tables.Column(linkify=link_value, order_by=("router__name",))
    status = status_column()
    session_count = tables.Column("Sessions", attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = Connection
        fields = [
            "connection",
            "internet_exchange",
            "router",
            "ipv4_address",
            "ipv6_address",
            "interface",
            "vrf",
            "status",
            "session_count",
        ]

    def render_connection(self, record: Connection) -> str:
        return str(record)


class BGPGroupTable(BaseTable):
    name = tables.Column(linkify=link_record)
    status = status_column()
    session_count = tables.Column("Sessions", attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = BGPGroup
        fields = ["name", "slug", "status", "session_count", "description"]


class SessionTable(BaseTable):
    """The columns every session list shows: its address, peer, status and polled state."""

    ip_address = tables.Column("IP address", linkify=link_record)
    autonomous_system = as_column("Peer AS")
    status = status_column()
    bgp_state = state_column()
    received_prefix_count = tables.Column("Received", attrs=NUMBER)
    accepted_prefix_count = tables.Column("Accepted", attrs=NUMBER)
    advertised_prefix_count = tables.Column("Advertised", attrs=NUMBER)
    last_established_state = tables.DateTimeColumn(
        verbose_name="Last established", format="Y-m-d H:i"
    )


class DirectPeeringSessionTable(SessionTable):
    router = tables.Column(linkify=link_value, order_by=("router__name",))
    bgp_group = tables.Column("BGP group", linkify=link_value, order_by=("bgp_group__name",))

    class Meta(BaseTable.Meta):
        model = DirectPeeringSession
        fields = [
            "ip_address",
            "autonomous_system",
            "router",
            "bgp_group",
            "local_ip_address",
            *POLLED_COLUMNS,
        ]


class InternetExchangePeeringSessionTable(SessionTable):
    internet_exchange = tables.Column(
        "IXP",
        accessor="ixp_connection__internet_exchange",
        linkify=link_value,
        order_by=("ixp_connection__internet_exchange__name",),
    )
    router = tables.Column(
        accessor="ixp_connection__router",
        linkify=link_value,
        order_by=("ixp_connection__router__name",),
    )
    is_route_server = tables.BooleanColumn(verbose_name="Route server")

    class Meta(BaseTable.Meta):
        model = InternetExchangePeeringSession
        fields = [
            "ip_address",
            "autonomous_system",
            "internet_exchange",
            "router",
            "is_route_server",
            *POLLED_COLUMNS,
        ]
