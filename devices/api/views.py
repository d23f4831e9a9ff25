"""devices' API: platforms and routers."""

from rest_framework import serializers

from core.api.serializers import ValidatedModelSerializer
from core.api.views import ModelViewSet
from devices.api.actions import RouterActions
from devices.api.serializers import PlatformSerializer
from devices.filtersets import PlatformFilterSet, RouterFilterSet
from devices.models import Platform, Router


class PlatformViewSet(ModelViewSet):
    queryset = Platform.objects.all()
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet


class RouterSerializer(ValidatedModelSerializer):
    """A router's name and address (its jobs: devices.api.actions)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:devices-routers-detail")

    class Meta:
        model = Router
        fields = ["id", "url", "display", "name", "hostname"]
        read_only_fields = fields


class RouterViewSet(RouterActions, ModelViewSet):
    queryset = Router.objects.all()
    serializer_class = RouterSerializer
    filterset_class = RouterFilterSet
