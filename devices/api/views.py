"""devices' API: platforms and routers."""

from core.api.views import ModelViewSet
from devices.api.actions import RouterActions
from devices.api.serializers import PlatformSerializer, RouterSerializer
from devices.filtersets import PlatformFilterSet, RouterFilterSet
from devices.models import Platform
from devices.queries import routers
from peering.queries import ASSIGNED


class PlatformViewSet(ModelViewSet):
    queryset = Platform.objects.all()
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet


class RouterViewSet(RouterActions, ModelViewSet):
    """Routers, with their platform, local AS and template (devices.queries.routers).
    RouterActions adds the jobs a router's page starts (ping, diff, deploy, poll...)."""

    queryset = routers().prefetch_related(*ASSIGNED).order_by("name")
    serializer_class = RouterSerializer
    filterset_class = RouterFilterSet
