"""Lists come in pages: `?limit=` (default 50, at most 1,000) and `?offset=`."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`{"count", "next", "previous", "results"}`; a limit above MAX_LIMIT is lowered to it."""

    default_limit = 50
    max_limit = 1000
