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
from core.durations import exact_time, short_duration, time_ago
from core.links import object_url
from core.tables import (
    NUMBER,
    BaseTable,
    CountColumn,
    TagsColumn,
    badge,
    link_record,
    link_value,
    status_column,
)
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

POLLED_COLUMNS = [
    "status",
    "bgp_state",
    "received_prefix_count",
    "accepted_prefix_count",
    "advertised_prefix_count",
    "last_polled_at",
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


def established_for(record: BGPSession) -> SafeString | None:
    """ "for 3 d 4 h": how long the session has been established, from the moment the
    router's uptime gave at the last poll up to now (the caller shows a stale badge instead
    when that poll is not current), with the exact moments in the tooltip; None when that
    is not known (not established, or the router did not say since when)."""
    since, polled = record.last_established_state, record.last_polled_at
    if record.bgp_state != BGPState.ESTABLISHED or since is None or polled is None:
        return None
    return format_html(
        '<span class="uptime" title="Established since {}, as of the poll at {}">for {}</span>',
        exact_time(since),
        exact_time(polled),
        short_duration(timezone.now() - since),
    )


class SessionStateColumn(tables.Column):
    """The BGP state's badge and, when established, for how long ("Established for 3 d 4 h");
    the stale badge instead when the router's state is not current."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", "BGP state")
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)

    def render(self, record: BGPSession, table: SessionTable) -> str:
        stale = staleness_of(record)
        if stale is not None:
            return stale_state(record.bgp_state, stale, note=table.stale_notes, short=True)
        state = record.bgp_state
        if record.configured_on_router is False:
            # The last poll found no such session on the router: say so, not "unknown".
            return format_html(
                '<span class="badge state-missing" title="{}">not on router</span>',
                "The router had no such session at the last poll: deploy its configuration.",
            )
        shown = badge("state", state, BGPState(state).label if state else None)
        uptime = established_for(record)
        return format_html("{} {}", shown, uptime) if uptime else shown


class PeerColumn(tables.Column):
    """An AS as "AS64501" linked to its page, its name beside it (cut short by the style
    sheet when long; whole in the tooltip)."""

    def render(self, value: AutonomousSystem) -> str:
        return format_html(
            '<a href="{}">AS{}</a> <span class="as-name" title="{}">{}</span>',
            object_url(value),
            value.asn,
            value.name,
            value.name,
        )


def as_column(verbose_name: str = "AS", accessor: str | None = None) -> tables.Column:
    prefix = f"{accessor}__" if accessor else "autonomous_system__"
    return tables.Column(
        verbose_name, accessor=accessor, linkify=link_value, order_by=(f"{prefix}asn",)
    )


def peer_column() -> PeerColumn:
    return PeerColumn("Peer AS", order_by=("autonomous_system__asn",))


LONG_TEXT = {"td": {"class": "long-text"}}


class AutonomousSystemTable(BaseTable):
    asn = tables.Column(linkify=link_record)
    # Names and AS-sets of one long word wrap anywhere rather than widen the page.
    name = tables.Column(linkify=link_record, attrs=LONG_TEXT)
    irr_as_set = tables.Column(attrs=LONG_TEXT)
    ipv4_max_prefixes = CountColumn("IPv4 max prefixes")
    ipv6_max_prefixes = CountColumn("IPv6 max prefixes")
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = AutonomousSystem
        fields = [
            "asn",
            "name",
            "ipv4_max_prefixes",
            "ipv6_max_prefixes",
            "irr_as_set",
            "affiliated",
            "tags",
        ]


class InternetExchangeTable(BaseTable):
    name = tables.Column(linkify=link_record)
    local_autonomous_system = as_column("Local AS", "local_autonomous_system")
    status = status_column()
    connection_count = CountColumn("Connections")
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = InternetExchange
        fields = ["name", "slug", "local_autonomous_system", "status", "connection_count", "tags"]


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
    session_count = CountColumn("Sessions")
    tags = TagsColumn()

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
            "tags",
        ]

    def render_connection(self, record: Connection) -> str:
        return str(record)


class BGPGroupTable(BaseTable):
    name = tables.Column(linkify=link_record)
    status = status_column()
    session_count = CountColumn("Sessions")
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = BGPGroup
        fields = ["name", "slug", "status", "session_count", "description", "tags"]


class SessionMeta(BaseTable.Meta):
    row_attrs = {"class": lambda record: "stale" if staleness_of(record) else None}


class SessionTable(BaseTable):
    """The columns every session list shows: its address, peer, status and polled state.

    A row whose state is not current gets the class "stale" (its counts are greyed) and
    says when its state was read and why it is not current, unless `stale_notes` is False
    (a page that says it once above the table).
    """

    ip_address = tables.Column("IP address", linkify=link_record)
    autonomous_system = peer_column()
    status = status_column()
    bgp_state = SessionStateColumn()
    # Prefix counts under short headings; what each counts is in the heading's tooltip.
    received_prefix_count = CountColumn(
        "Received", attrs={**NUMBER, "th": {"class": "number", "title": "Prefixes received"}}
    )
    accepted_prefix_count = CountColumn(
        "Accepted", attrs={**NUMBER, "th": {"class": "number", "title": "Prefixes accepted"}}
    )
    advertised_prefix_count = CountColumn(
        "Advertised", attrs={**NUMBER, "th": {"class": "number", "title": "Prefixes advertised"}}
    )
    last_polled_at = tables.Column("Last polled", empty_values=())
    tags = TagsColumn()

    def __init__(self, *args: Any, stale_notes: bool = True, **kwargs: Any) -> None:
        self.stale_notes = stale_notes
        super().__init__(*args, **kwargs)

    def render_last_polled_at(self, value: datetime | None) -> str:
        return time_ago(value)


class DirectPeeringSessionTable(SessionTable):
    """Direct sessions; the local address is under the peer's (one column fewer to fit a
    laptop's screen)."""

    router = tables.Column(linkify=link_value, order_by=("router__name",))
    bgp_group = tables.Column("BGP group", linkify=link_value, order_by=("bgp_group__name",))

    def render_ip_address(self, record: DirectPeeringSession, value: str) -> str:
        link = format_html('<a href="{}">{}</a>', object_url(record), value)
        if not record.local_ip_address:
            return link
        return format_html(
            '{} <span class="local-ip" title="Local IP address">from {}</span>',
            link,
            record.local_ip_address,
        )

    class Meta(SessionMeta):
        model = DirectPeeringSession
        fields = [
            "ip_address",
            "autonomous_system",
            "router",
            "bgp_group",
            *POLLED_COLUMNS,
            "tags",
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
    is_route_server = tables.BooleanColumn(
        verbose_name="RS", attrs={"th": {"title": "Route server"}}
    )

    class Meta(SessionMeta):
        model = InternetExchangePeeringSession
        fields = [
            "ip_address",
            "autonomous_system",
            "internet_exchange",
            "router",
            "is_route_server",
            *POLLED_COLUMNS,
            "tags",
        ]
