"""core's API collections: jobs, API tokens."""

from core.api.jobs import JobViewSet
from core.api.tokens import TokenViewSet

ROUTES = [("core/jobs", JobViewSet), ("core/tokens", TokenViewSet)]
