from django.urls import path

from core.views.jobs import JobCancelView, JobStatusView, JobViews
from core.views.tokens import TokenListView, TokenRevokeView

app_name = "core"

urlpatterns = [
    *JobViews.urls("jobs"),
    path("jobs/<uuid:pk>/status/", JobStatusView.as_view(), name="job_status"),
    path("jobs/<uuid:pk>/cancel/", JobCancelView.as_view(), name="job_cancel"),
    path("tokens/", TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", TokenRevokeView.as_view(), name="token_revoke"),
]
