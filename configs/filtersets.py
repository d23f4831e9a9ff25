from configs.models import ConfigTemplate
from core.filtersets import SearchFilterSet


class ConfigTemplateFilterSet(SearchFilterSet):
    search_fields = ("name", "description", "template")

    class Meta:
        model = ConfigTemplate
        fields = ["q"]
