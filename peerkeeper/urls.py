from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from peerkeeper.views import HomeView, favicon

admin.site.site_header = "Peerkeeper"
admin.site.site_title = "Peerkeeper"
admin.site.index_title = "Peering inventory"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("peerkeeper.api_urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("favicon.ico", favicon, name="favicon"),
    path("", HomeView.as_view(), name="home"),
    path("", include("core.urls")),
    path("", include("changelog.urls")),
    path("devices/", include("devices.urls")),
    path("peering/", include("peering.urls")),
    path("peeringdb/", include("peeringdb.urls")),
    path("configs/", include("configs.urls")),
]
