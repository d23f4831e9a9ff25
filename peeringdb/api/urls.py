"""peeringdb's API collections."""

from peeringdb.api.actions import PeeringDBSyncViewSet

ROUTES = [("peeringdb/sync", PeeringDBSyncViewSet)]
