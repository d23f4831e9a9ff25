"""irr's API collections."""

from irr.api.actions import IRRRefreshViewSet

ROUTES = [("irr/refresh", IRRRefreshViewSet)]
