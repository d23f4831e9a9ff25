"""devices' API collections."""

from devices.api.views import PlatformViewSet, RouterViewSet

ROUTES = [("devices/platforms", PlatformViewSet), ("devices/routers", RouterViewSet)]
