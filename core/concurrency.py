"""Run device I/O for many routers at once: a bounded thread pool, results in input order."""

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings

from core.log_format import encodable, exception_text, shortened

Item = TypeVar("Item")
Result = TypeVar("Result")

logger = logging.getLogger(__name__)
# The failure category of an exception nobody expected (a bug of ours): jobs end errored.
UNEXPECTED = "unexpected error"


def run_concurrently(
    work: Callable[[Item], Result],
    items: Iterable[Item],
    max_workers: int | None = None,
    on_error: Callable[[Item, Exception], Result] | None = None,
) -> list[Result]:
    """Apply `work` to every item on a thread pool; `work` must not use the database
    (NAPALM is blocking, so threads; the ORM stays in the calling thread).

    With `on_error`, an exception from `work` becomes that item's result (its traceback
    goes to the log file) and the other items go on; without it, it propagates.
    """
    items = list(items)
    if not items:
        return []

    def guarded(item: Item) -> Result:
        try:
            return work(item)
        except Exception as exc:
            if on_error is None:
                raise
            logger.error("%s failed", getattr(work, "__name__", work), exc_info=exc)
            return on_error(item, exc)

    workers = min(max_workers or settings.NAPALM_MAX_WORKERS, len(items))
    if workers == 1:
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="device-io") as pool:
        return list(pool.map(guarded, items))


def unexpected(exc: BaseException, doing: str) -> str:
    """One sentence for an exception nobody expected: `unexpected KeyError while ...: 'x'`."""
    text = exception_text(exc).strip().splitlines()
    detail = f": {text[0]}" if text else ""
    return shortened(encodable(f"unexpected {type(exc).__name__} while {doing}{detail}"))
