from django.urls import path

from core.views.jobs import JobCancelView, JobStatusView, JobViews

app_name = "core"

urlpatterns = [
    *JobViews.urls("jobs"),
    path("jobs/<uuid:pk>/status/", JobStatusView.as_view(), name="job_status"),
    path("jobs/<uuid:pk>/cancel/", JobCancelView.as_view(), name="job_cancel"),
]
