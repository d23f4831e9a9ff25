"""devices' API collections."""

from devices.api.views import PlatformViewSet

ROUTES = [("devices/platforms", PlatformViewSet)]
