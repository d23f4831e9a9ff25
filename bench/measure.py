"""What a benchmark run costs: wall time, CPU time, database queries and peak memory.

Queries are counted with `connection.execute_wrapper`, so DEBUG stays off and nothing is
kept per query. Peak memory is the process's resident set high-water mark, reset before
each run through /proc/self/clear_refs where Linux allows it (else the peak since start).
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


class QueryCounter:
    """An execute wrapper that counts statements by their first word (SELECT, UPDATE...)."""

    def __init__(self) -> None:
        self.by_kind: Counter[str] = Counter()

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.by_kind[sql.lstrip().split(" ", 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass
class Cost:
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system time of this process
    queries: int = 0
    queries_by_kind: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    rss_growth_mb: float = 0.0  # peak minus the resident set before the run

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "queries": self.queries,
            "queries_by_kind": self.queries_by_kind,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "rss_growth_mb": round(self.rss_growth_mb, 1),
        }


def _status_kb(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _peak_kb() -> int:
    peak = _status_kb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def measuring() -> Iterator[Cost]:
    """Measure the `with` block; the Cost is filled in when the block ends."""
    cost = Cost()
    counter = QueryCounter()
    _reset_peak()
    rss_before = _status_kb("VmRSS") or 0
    cpu_before = _cpu()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        yield cost
    cost.seconds = time.perf_counter() - started
    cost.cpu_seconds = _cpu() - cpu_before
    cost.queries = counter.total
    cost.queries_by_kind = dict(sorted(counter.by_kind.items()))
    peak = _peak_kb()
    cost.peak_rss_mb = peak / 1024
    cost.rss_growth_mb = max(0, peak - rss_before) / 1024
