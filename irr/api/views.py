"""The IRR prefix lists' API: read-only."""

from core.api.views import ReadOnlyModelViewSet
from irr.api.serializers import KeptListSerializer, PrefixListSerializer
from irr.filtersets import KeptListFilterSet, PrefixListFilterSet
from irr.models import KeptList, PrefixList


class PrefixListViewSet(ReadOnlyModelViewSet):
    queryset = PrefixList.objects.all()
    serializer_class = PrefixListSerializer
    filterset_class = PrefixListFilterSet


class KeptListViewSet(ReadOnlyModelViewSet):
    queryset = KeptList.objects.select_related("autonomous_system", "prefix_list").order_by(
        "autonomous_system__asn"
    )
    serializer_class = KeptListSerializer
    filterset_class = KeptListFilterSet
