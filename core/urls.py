from django.urls import path

from core.views.jobs import JobStatusView, JobViews

app_name = "core"

urlpatterns = [
    *JobViews.urls("jobs"),
    path("jobs/<uuid:pk>/status/", JobStatusView.as_view(), name="job_status"),
]
