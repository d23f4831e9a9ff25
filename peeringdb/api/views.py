"""The local PeeringDB copy's API: read-only (only the synchronisation writes it)."""

from core.api.views import ReadOnlyModelViewSet
from peeringdb.api.serializers import (
    IXLanPrefixSerializer,
    IXLanSerializer,
    IXSerializer,
    NetworkIXLanSerializer,
    NetworkSerializer,
)
from peeringdb.filtersets import (
    IXFilterSet,
    IXLanFilterSet,
    IXLanPrefixFilterSet,
    NetworkFilterSet,
    NetworkIXLanFilterSet,
)
from peeringdb.models import IX, IXLan, IXLanPrefix, Network, NetworkIXLan


class NetworkViewSet(ReadOnlyModelViewSet):
    queryset = Network.objects.all()
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilterSet


class IXViewSet(ReadOnlyModelViewSet):
    queryset = IX.objects.order_by("name", "id")
    serializer_class = IXSerializer
    filterset_class = IXFilterSet


class IXLanViewSet(ReadOnlyModelViewSet):
    queryset = IXLan.objects.all()
    serializer_class = IXLanSerializer
    filterset_class = IXLanFilterSet


class IXLanPrefixViewSet(ReadOnlyModelViewSet):
    queryset = IXLanPrefix.objects.all()
    serializer_class = IXLanPrefixSerializer
    filterset_class = IXLanPrefixFilterSet


class NetworkIXLanViewSet(ReadOnlyModelViewSet):
    queryset = NetworkIXLan.objects.all()
    serializer_class = NetworkIXLanSerializer
    filterset_class = NetworkIXLanFilterSet
