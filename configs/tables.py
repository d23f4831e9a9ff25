import django_tables2 as tables

from configs.models import ConfigTemplate
from core.tables import BaseTable, link_record

NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}


class ConfigTemplateTable(BaseTable):
    name = tables.Column(linkify=link_record)
    router_count = tables.Column("Routers", attrs=NUMBER)

    class Meta(BaseTable.Meta):
        model = ConfigTemplate
        fields = ["name", "description", "trim_blocks", "lstrip_blocks", "router_count"]
