"""The local PeeringDB copy's API collections, named after PeeringDB's object types."""

from peeringdb.api.actions import PeeringDBSyncViewSet
from peeringdb.api.views import (
    IXLanPrefixViewSet,
    IXLanViewSet,
    IXViewSet,
    NetworkIXLanViewSet,
    NetworkViewSet,
)

ROUTES = [
    ("peeringdb/networks", NetworkViewSet),
    ("peeringdb/ixes", IXViewSet),
    ("peeringdb/ixlans", IXLanViewSet),
    ("peeringdb/ixlan-prefixes", IXLanPrefixViewSet),
    ("peeringdb/netixlans", NetworkIXLanViewSet),
    ("peeringdb/sync", PeeringDBSyncViewSet),
]
