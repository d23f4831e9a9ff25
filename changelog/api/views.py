"""The change log in the API: read-only, filtered as its page is."""

from __future__ import annotations

from changelog.api.serializers import ChangeSerializer
from changelog.filtersets import ChangeFilterSet
from changelog.queries import changes
from core.api.views import ReadOnlyModelViewSet


class ChangeViewSet(ReadOnlyModelViewSet):
    """Every change of the inventory, newest first: `type` (devices.router...),
    `object_id`, `action` (0 created, 1 changed, 2 deleted), `actor` (who), `origin`,
    `q` (the object's name). Needs auditlog.view_logentry, as the page does."""

    queryset = changes()
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
