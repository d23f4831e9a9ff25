import django_filters

from core.choices import Status
from core.filtersets import SearchFilterSet
from devices.models import Platform, Router
from peering.policy_filtersets import AssignedFilterSet


class PlatformFilterSet(SearchFilterSet):
    search_fields = ("name", "slug", "napalm_driver", "description")

    class Meta:
        model = Platform
        fields = ["q"]


class RouterFilterSet(AssignedFilterSet):
    search_fields = ("name", "hostname", "description")
    labels = {"local_autonomous_system": "Local AS", "config_template": "Template"}
    status = django_filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Router
        fields = ["q", "status", "platform", "local_autonomous_system", "config_template"]
