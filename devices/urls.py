from django.urls import path

from core.choices import JobKind
from devices.views import (
    PlatformViews,
    RouterConfigurationView,
    RouterDeployView,
    RouterJobView,
    RouterViews,
)

app_name = "devices"

urlpatterns = [
    *PlatformViews.urls("platforms"),
    *RouterViews.urls("routers"),
    path("routers/<int:pk>/ping/", RouterJobView.as_view(kind=JobKind.PING), name="router_ping"),
    path(
        "routers/<int:pk>/diff/",
        RouterJobView.as_view(kind=JobKind.DEPLOY_DRY_RUN),
        name="router_diff",
    ),
    path("routers/<int:pk>/deploy/", RouterDeployView.as_view(), name="router_deploy"),
    path("routers/<int:pk>/poll/", RouterJobView.as_view(kind=JobKind.POLL), name="router_poll"),
    path(
        "routers/<int:pk>/configuration/",
        RouterConfigurationView.as_view(),
        name="router_configuration",
    ),
]
