from django.urls import path

from peering.policy_views import CommunityViews, RoutingPolicyViews, TagListView
from peering.views import (
    AutonomousSystemViews,
    BGPGroupViews,
    ConnectionViews,
    CreateDiscoveredSessionsView,
    DirectPeeringSessionViews,
    DiscoverSessionsView,
    InternetExchangePeeringSessionViews,
    InternetExchangeViews,
)

app_name = "peering"

urlpatterns = [
    *AutonomousSystemViews.urls("autonomous-systems"),
    *InternetExchangeViews.urls("ixps"),
    *ConnectionViews.urls("connections"),
    *BGPGroupViews.urls("bgp-groups"),
    *DirectPeeringSessionViews.urls("direct-sessions"),
    *InternetExchangePeeringSessionViews.urls("ixp-sessions"),
    *RoutingPolicyViews.urls("routing-policies"),
    *CommunityViews.urls("communities"),
    path("tags/", TagListView.as_view(), name="tag_list"),
    path(
        "ixps/<int:pk>/discover/", DiscoverSessionsView.as_view(), name="internetexchange_discover"
    ),
    path(
        "ixps/<int:pk>/discover/create/",
        CreateDiscoveredSessionsView.as_view(),
        name="internetexchange_discover_create",
    ),
]
