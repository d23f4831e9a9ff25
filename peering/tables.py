from __future__ import annotations

from datetime import datetime
from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timesince import timesince

from core.choices import BGPState
from core.tables import BaseTable, badge, link_record, link_value, status_column
from peering.models import (
    AutonomousSystem,
    BGPGroup,
    BGPSession,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peering.staleness import Staleness, session_staleness

NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}
POLLED_COLUMNS = [
    "status",
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_established_state",
]


# A stale state's reason is cut to this in tables; the whole of it is in the tooltip.
SHORT_REASON = 100


def polled_when(moment: datetime | None) -> str:
    """When a state was read, for a person: "2025-06-01 10:00 (3 hours ago)"."""
    if moment is None:
        return "an unknown time"
    local = date_format(timezone.localtime(moment), "Y-m-d H:i")
    return f"{local} ({timesince(moment)} ago)"


def stale_state(
    state: str | None, stale: Staleness, note: bool = True, short: bool = False
) -> SafeString:
    """A polled state that is not current: a grey "… (stale)" badge instead of the state's
    colour, then (with `note`) when it was read, the last successful poll, and why it is
    not current. The badge's tooltip says both in any case."""
    label = BGPState(state).label if state in BGPState.values else "Unknown"
    when = f"as of the last successful poll, {polled_when(stale.since)}"
    html = format_html(
        '<span class="badge state-stale" title="{}: {}; {}">{} (stale)</span>',
        label,
        when,
        stale.why,
        label,
    )
    if not note:
        return html
    why = Truncator(stale.why).chars(SHORT_REASON) if short else stale.why
    return format_html(
        '{} <span class="stale-note" title="{}">{}; {}</span>', html, stale.why, when, why
    )


def staleness_of(record: BGPSession) -> Staleness | None:
    """The session's staleness, worked out once per row (the state cell and the row's class
    both need it)."""
    if not hasattr(record, "_staleness"):
        record._staleness = session_staleness(record)
    return record._staleness


class SessionStateColumn(tables.Column):
    """The BGP state's badge, or the stale badge when the router's state is not current."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", "BGP state")
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)

    def render(self, record: BGPSession, table: SessionTable) -> str:
        stale = staleness_of(record)
        if stale is not None:
            return stale_state(record.bgp_state, stale, note=table.stale_notes, short=True)
        state = record.bgp_state
        return badge("state", state, BGPState(state).label if state else None)


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


class SessionMeta(BaseTable.Meta):
    row_attrs = {"class": lambda record: "stale" if staleness_of(record) else None}


class SessionTable(BaseTable):
    """The columns every session list shows: its address, peer, status and polled state.

    A row whose state is not current gets the class "stale" (its counts are greyed) and
    says when its state was read and why it is not current, unless `stale_notes` is False
    (a page that says it once above the table).
    """

    ip_address = tables.Column("IP address", linkify=link_record)
    autonomous_system = as_column("Peer AS")
    status = status_column()
    bgp_state = SessionStateColumn()
    received_prefix_count = tables.Column("Received", attrs=NUMBER)
    accepted_prefix_count = tables.Column("Accepted", attrs=NUMBER)
    advertised_prefix_count = tables.Column("Advertised", attrs=NUMBER)
    last_established_state = tables.DateTimeColumn(
        verbose_name="Last established", format="Y-m-d H:i"
    )

    def __init__(self, *args: Any, stale_notes: bool = True, **kwargs: Any) -> None:
        self.stale_notes = stale_notes
        super().__init__(*args, **kwargs)


class DirectPeeringSessionTable(SessionTable):
    router = tables.Column(linkify=link_value, order_by=("router__name",))
    bgp_group = tables.Column("BGP group", linkify=link_value, order_by=("bgp_group__name",))

    class Meta(SessionMeta):
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

    class Meta(SessionMeta):
        model = InternetExchangePeeringSession
        fields = [
            "ip_address",
            "autonomous_system",
            "internet_exchange",
            "router",
            "is_route_server",
            *POLLED_COLUMNS,
        ]
