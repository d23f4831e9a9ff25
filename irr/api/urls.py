"""The IRR prefix lists' API collections."""

from irr.api.actions import IRRRefreshViewSet
from irr.api.views import KeptListViewSet, PrefixListViewSet

ROUTES = [
    ("irr/prefix-lists", PrefixListViewSet),
    ("irr/kept-lists", KeptListViewSet),
    ("irr/refresh", IRRRefreshViewSet),
]
