"""peering's API collections."""

from peering.api.views import InternetExchangeViewSet

ROUTES = [("peering/internet-exchanges", InternetExchangeViewSet)]
