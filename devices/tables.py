from datetime import datetime

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from core.tables import (
    BaseTable,
    CountColumn,
    TagsColumn,
    link_record,
    link_value,
    status_column,
)
from devices.models import Platform, Router


class PlatformTable(BaseTable):
    name = tables.Column(linkify=link_record)
    napalm_driver = tables.Column("NAPALM driver")
    router_count = CountColumn("Routers")

    class Meta(BaseTable.Meta):
        model = Platform
        fields = ["name", "slug", "napalm_driver", "router_count", "description"]


class RouterTable(BaseTable):
    name = tables.Column(linkify=link_record)
    status = status_column()
    platform = tables.Column(linkify=link_value, order_by=("platform__name",))
    local_autonomous_system = tables.Column(
        "Local AS", linkify=link_value, order_by=("local_autonomous_system__asn",)
    )
    config_template = tables.Column(
        "Template", linkify=link_value, order_by=("config_template__name",)
    )
    session_count = CountColumn("Sessions")
    last_polled_at = tables.Column(verbose_name="Last polled", empty_values=())
    tags = TagsColumn()

    class Meta(BaseTable.Meta):
        model = Router
        fields = [
            "name",
            "hostname",
            "status",
            "platform",
            "local_autonomous_system",
            "config_template",
            "session_count",
            "last_polled_at",
            "tags",
        ]

    def render_last_polled_at(self, record: Router, value: datetime | None) -> str:
        """The last successful poll, and whether the last poll failed (the reason in the
        tooltip): the sessions' state is not current then."""
        when = date_format(timezone.localtime(value), "Y-m-d H:i") if value else "never"
        if not record.last_poll_error:
            return when
        return format_html(
            '{} <span class="badge state-idle" title="{}">poll failed</span>',
            when,
            record.last_poll_error,
        )
