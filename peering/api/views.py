"""peering's API: ASes, Internet exchanges, connections, BGP groups, sessions, routing
policies and communities, and the
read-only histories of session states and of what PeeringDB changed on ASes."""

from core.api.views import ModelViewSet, ReadOnlyModelViewSet
from peering.api.actions import InternetExchangeActions
from peering.api.policy_serializers import CommunitySerializer, RoutingPolicySerializer
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
from peering.policy_filtersets import CommunityFilterSet, RoutingPolicyFilterSet
from peering.policy_models import Community, RoutingPolicy
from peering.queries import ASSIGNED, connections, direct_sessions, ixp_sessions


class AutonomousSystemViewSet(ModelViewSet):
    queryset = AutonomousSystem.objects.prefetch_related(*ASSIGNED)
    serializer_class = AutonomousSystemSerializer
    filterset_class = AutonomousSystemFilterSet


class InternetExchangeViewSet(InternetExchangeActions, ModelViewSet):
    """Internet exchanges. InternetExchangeActions adds the jobs an IXP's page starts."""

    queryset = InternetExchange.objects.select_related(
        "local_autonomous_system", "peeringdb_ix"
    ).prefetch_related(*ASSIGNED)
    serializer_class = InternetExchangeSerializer
    filterset_class = InternetExchangeFilterSet


class ConnectionViewSet(ModelViewSet):
    queryset = connections().select_related("peeringdb_ixlan").prefetch_related(*ASSIGNED)
    serializer_class = ConnectionSerializer
    filterset_class = ConnectionFilterSet


class BGPGroupViewSet(ModelViewSet):
    queryset = BGPGroup.objects.prefetch_related(*ASSIGNED)
    serializer_class = BGPGroupSerializer
    filterset_class = BGPGroupFilterSet


class DirectPeeringSessionViewSet(ModelViewSet):
    """Direct sessions with their polled state (peering.queries.direct_sessions)."""

    queryset = direct_sessions().prefetch_related(*ASSIGNED)
    serializer_class = DirectPeeringSessionSerializer
    filterset_class = DirectPeeringSessionFilterSet


class InternetExchangePeeringSessionViewSet(ModelViewSet):
    """IXP sessions with their polled state (peering.queries.ixp_sessions)."""

    queryset = ixp_sessions().prefetch_related(*ASSIGNED)
    serializer_class = InternetExchangePeeringSessionSerializer
    filterset_class = InternetExchangePeeringSessionFilterSet


class RoutingPolicyViewSet(ModelViewSet):
    """Routing policies, with the ids of the communities they match and set."""

    queryset = RoutingPolicy.objects.prefetch_related(
        "match_communities", "set_communities", "tags"
    )
    serializer_class = RoutingPolicySerializer
    filterset_class = RoutingPolicyFilterSet


class CommunityViewSet(ModelViewSet):
    """BGP communities (standard, extended, large)."""

    queryset = Community.objects.prefetch_related("tags")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet


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
