"""The change log's API collection."""

from changelog.api.views import ChangeViewSet

ROUTES = [("changelog", ChangeViewSet)]
