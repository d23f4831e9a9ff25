from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Peerkeeper"
admin.site.site_title = "Peerkeeper"
admin.site.index_title = "Peering inventory"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
