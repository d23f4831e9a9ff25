import django_tables2 as tables

from core.tables import BaseTable, link_record, link_value, status_column
from devices.models import Platform, Router

NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}


class PlatformTable(BaseTable):
    name = tables.Column(linkify=link_record)
    napalm_driver = tables.Column("NAPALM driver")
    router_count = tables.Column("Routers", attrs=NUMBER)

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
    session_count = tables.Column("Sessions", attrs=NUMBER)
    last_polled_at = tables.DateTimeColumn(verbose_name="Last polled", format="Y-m-d H:i")

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
        ]
