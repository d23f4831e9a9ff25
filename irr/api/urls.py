"""The IRR prefix lists' API collections."""

from irr.api.views import KeptListViewSet, PrefixListViewSet

ROUTES = [("irr/prefix-lists", PrefixListViewSet), ("irr/kept-lists", KeptListViewSet)]
