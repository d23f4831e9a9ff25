import django_tables2 as tables

from configs.models import ConfigTemplate
from core.tables import BaseTable, CountColumn, link_record


class ConfigTemplateTable(BaseTable):
    name = tables.Column(linkify=link_record)
    router_count = CountColumn("Routers")

    class Meta(BaseTable.Meta):
        model = ConfigTemplate
        fields = ["name", "description", "trim_blocks", "lstrip_blocks", "router_count"]
