"""devices' API: platforms and routers."""

from core.api.views import ModelViewSet
from devices.api.serializers import PlatformSerializer
from devices.filtersets import PlatformFilterSet
from devices.models import Platform


class PlatformViewSet(ModelViewSet):
    queryset = Platform.objects.all()
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet
