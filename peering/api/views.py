"""peering's API: ASes, Internet exchanges, connections, BGP groups, sessions, and the
read-only histories of session states and of what PeeringDB changed on ASes."""

from core.api.views import ModelViewSet, ReadOnlyModelViewSet
from peering.api.actions import InternetExchangeActions
from peering.api.serializers import (
    AutonomousSystemChangeSerializer,
    AutonomousSystemSerializer,
    BGPGroupSerializer,
    BGPSessionStateChangeSerializer,
    ConnectionSerializer,
    DirectPeeringSessionSerializer,
    InternetExchangePeeringSessionSerializer,
    InternetExchangeSerializer,
)
from peering.filtersets import (
    AutonomousSystemChangeFilterSet,
    AutonomousSystemFilterSet,
    BGPGroupFilterSet,
    BGPSessionStateChangeFilterSet,
    ConnectionFilterSet,
    DirectPeeringSessionFilterSet,
    InternetExchangeFilterSet,
    InternetExchangePeeringSessionFilterSet,
)
from peering.models import (
    AutonomousSystem,
    AutonomousSystemChange,
    BGPGroup,
    BGPSessionStateChange,
    InternetExchange,
)
from peering.queries import connections, direct_sessions, ixp_sessions


class AutonomousSystemViewSet(ModelViewSet):
    queryset = AutonomousSystem.objects.all()
    serializer_class = AutonomousSystemSerializer
    filterset_class = AutonomousSystemFilterSet


class InternetExchangeViewSet(InternetExchangeActions, ModelViewSet):
    """Internet exchanges. InternetExchangeActions adds the jobs an IXP's page starts."""

    queryset = InternetExchange.objects.select_related("local_autonomous_system", "peeringdb_ix")
    serializer_class = InternetExchangeSerializer
    filterset_class = InternetExchangeFilterSet


class ConnectionViewSet(ModelViewSet):
    queryset = connections().select_related("peeringdb_ixlan")
    serializer_class = ConnectionSerializer
    filterset_class = ConnectionFilterSet


class BGPGroupViewSet(ModelViewSet):
    queryset = BGPGroup.objects.all()
    serializer_class = BGPGroupSerializer
    filterset_class = BGPGroupFilterSet


class DirectPeeringSessionViewSet(ModelViewSet):
    """Direct sessions with their polled state (peering.queries.direct_sessions)."""

    queryset = direct_sessions()
    serializer_class = DirectPeeringSessionSerializer
    filterset_class = DirectPeeringSessionFilterSet


class InternetExchangePeeringSessionViewSet(ModelViewSet):
    """IXP sessions with their polled state (peering.queries.ixp_sessions)."""

    queryset = ixp_sessions()
    serializer_class = InternetExchangePeeringSessionSerializer
    filterset_class = InternetExchangePeeringSessionFilterSet


class BGPSessionStateChangeViewSet(ReadOnlyModelViewSet):
    """Every session's state history, newest first (polling writes it)."""

    queryset = BGPSessionStateChange.objects.select_related(
        "direct_session__autonomous_system",
        "direct_session__router",
        "ixp_session__autonomous_system",
        "ixp_session__ixp_connection__internet_exchange",
        "ixp_session__ixp_connection__router",
    ).order_by("-at", "-pk")
    serializer_class = BGPSessionStateChangeSerializer
    filterset_class = BGPSessionStateChangeFilterSet


class AutonomousSystemChangeViewSet(ReadOnlyModelViewSet):
    """What PeeringDB synchronisations changed on ASes, newest first."""

    queryset = AutonomousSystemChange.objects.select_related("autonomous_system")
    serializer_class = AutonomousSystemChangeSerializer
    filterset_class = AutonomousSystemChangeFilterSet
