"""peering's API collections (named as the pages are)."""

from peering.api.views import (
    AutonomousSystemChangeViewSet,
    AutonomousSystemViewSet,
    BGPGroupViewSet,
    BGPSessionStateChangeViewSet,
    CommunityViewSet,
    ConnectionViewSet,
    DirectPeeringSessionViewSet,
    InternetExchangePeeringSessionViewSet,
    InternetExchangeViewSet,
    RoutingPolicyViewSet,
)

ROUTES = [
    ("peering/autonomous-systems", AutonomousSystemViewSet),
    ("peering/ixps", InternetExchangeViewSet),
    ("peering/connections", ConnectionViewSet),
    ("peering/bgp-groups", BGPGroupViewSet),
    ("peering/direct-sessions", DirectPeeringSessionViewSet),
    ("peering/ixp-sessions", InternetExchangePeeringSessionViewSet),
    ("peering/routing-policies", RoutingPolicyViewSet),
    ("peering/communities", CommunityViewSet),
    ("peering/session-state-changes", BGPSessionStateChangeViewSet),
    ("peering/autonomous-system-changes", AutonomousSystemChangeViewSet),
]
