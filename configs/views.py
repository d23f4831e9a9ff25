from django.db.models import Count

from configs.filtersets import ConfigTemplateFilterSet
from configs.forms import ConfigTemplateForm
from configs.models import ConfigTemplate
from configs.tables import ConfigTemplateTable
from core.views.generic import ModelViews
from devices.queries import routers_with_counts
from devices.tables import RouterTable


class ConfigTemplateViews(ModelViews):
    queryset = ConfigTemplate.objects.all()
    list_queryset = ConfigTemplate.objects.annotate(router_count=Count("routers"))
    table_class = ConfigTemplateTable
    filterset_class = ConfigTemplateFilterSet
    form_class = ConfigTemplateForm
    # The template text has its own block on the page.
    detail_fields = ["name", "trim_blocks", "lstrip_blocks", "description"]
    detail_template = "configs/configtemplate.html"
    related = [
        ("Routers using it", lambda template: RouterTable(
            routers_with_counts().filter(config_template=template), exclude=("config_template",))),
    ]  # fmt: skip
