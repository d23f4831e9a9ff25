"""core's API collections: jobs, API tokens."""

from core.api.tokens import TokenViewSet

ROUTES = [("core/tokens", TokenViewSet)]
