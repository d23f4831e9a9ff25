"""peering's API: Internet exchanges."""

from rest_framework import serializers

from core.api.serializers import ValidatedModelSerializer
from core.api.views import ModelViewSet
from peering.api.actions import InternetExchangeActions
from peering.filtersets import InternetExchangeFilterSet
from peering.models import InternetExchange


class InternetExchangeSerializer(ValidatedModelSerializer):
    """An exchange's name (what it does: peering.api.actions)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:peering-internet-exchanges-detail")

    class Meta:
        model = InternetExchange
        fields = ["id", "url", "display", "name", "slug"]
        read_only_fields = fields


class InternetExchangeViewSet(InternetExchangeActions, ModelViewSet):
    queryset = InternetExchange.objects.select_related("local_autonomous_system", "peeringdb_ix")
    serializer_class = InternetExchangeSerializer
    filterset_class = InternetExchangeFilterSet
