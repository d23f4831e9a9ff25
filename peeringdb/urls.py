from django.urls import path

from peeringdb.views import CreateSessionsView

app_name = "peeringdb"

urlpatterns = [
    path(
        "ixps/<int:pk>/create-sessions/",
        CreateSessionsView.as_view(),
        name="internetexchange_create_sessions",
    ),
]
