from django.urls import path

from configs.jobs import DeployDryRunJob
from devices.jobs import PingJob
from devices.views import (
    PlatformViews,
    RouterConfigurationView,
    RouterDeployConfirmView,
    RouterDeployView,
    RouterJobView,
    RouterViews,
)
from peering.jobs import PollJob

app_name = "devices"

urlpatterns = [
    *PlatformViews.urls("platforms"),
    *RouterViews.urls("routers"),
    path("routers/<int:pk>/ping/", RouterJobView.as_view(job_type=PingJob), name="router_ping"),
    path(
        "routers/<int:pk>/diff/",
        RouterJobView.as_view(job_type=DeployDryRunJob),
        name="router_diff",
    ),
    path("routers/<int:pk>/deploy/", RouterDeployView.as_view(), name="router_deploy"),
    path(
        "routers/<int:pk>/deploy/confirm/",
        RouterDeployConfirmView.as_view(),
        name="router_deploy_confirm",
    ),
    path("routers/<int:pk>/poll/", RouterJobView.as_view(job_type=PollJob), name="router_poll"),
    path(
        "routers/<int:pk>/configuration/",
        RouterConfigurationView.as_view(),
        name="router_configuration",
    ),
]
