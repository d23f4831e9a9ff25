"""Run device I/O for many routers at once: a bounded thread pool, results in input order."""

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_concurrently(
    work: Callable[[Item], Result], items: Iterable[Item], max_workers: int | None = None
) -> list[Result]:
    """Apply `work` to every item on a thread pool; `work` must not raise and must not use
    the database (NAPALM is blocking, so threads; the ORM stays in the calling thread)."""
    items = list(items)
    if not items:
        return []
    workers = min(max_workers or settings.NAPALM_MAX_WORKERS, len(items))
    if workers == 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="device-io") as pool:
        return list(pool.map(work, items))
