"""The log of a running job: entries written to its Job row as they come.

Entries come from the job's own steps and from what the services log (Python logging)
during the job, from any thread. A writer thread with its own database connection saves
them in short autocommit updates, so the web UI shows progress while the job's thread
waits on a router, and no transaction is ever held open across device I/O.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, connections
from django.utils import timezone

from core.choices import JobStatus
from core.log_format import LOG_RECORD_LIMIT, shortened, storable
from core.models import Job

logger = logging.getLogger(__name__)
WRITER_STOP_TIMEOUT = 30.0
TRACEBACK = "\nTraceback (most recent call last):"


def log_entry(level: str, message: str) -> dict[str, str]:
    """One entry of a job's log: `{"at": ISO time, "level": ..., "message": ...}`, the
    message cut to LOG_RECORD_LIMIT and made storable (what routers say may hold NUL,
    which PostgreSQL cannot store)."""
    message = shortened(storable(message), LOG_RECORD_LIMIT)
    return {"at": timezone.now().isoformat(), "level": level, "message": message}


class LogLevels:
    """`info`, `warning` and `error` for a log whose `add(level, message)` keeps entries."""

    def add(self, level: str, message: str, traceback_text: str = "") -> None:
        raise NotImplementedError

    def info(self, message: str) -> None:
        self.add("info", message)

    def warning(self, message: str) -> None:
        self.add("warning", message)

    def error(self, message: str) -> None:
        self.add("error", message)


class JobLog(LogLevels):
    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.entries: list[dict[str, str]] = []
        # Tracebacks of exceptions the services logged, for the error of an errored job.
        self.tracebacks: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._writer: threading.Thread | None = None
        # Inside a transaction (a test, an eager backend) other connections cannot see the
        # row yet: then the log is saved with the outcome only.
        if not connection.in_atomic_block:
            self._writer = threading.Thread(target=self._write_loop, name="job-log", daemon=True)
            self._writer.start()

    def add(self, level: str, message: str, traceback_text: str = "") -> None:
        entry = log_entry(level, message)
        with self._lock:
            self.entries.append(entry)
            if traceback_text:
                self.tracebacks.append(shortened(storable(traceback_text), LOG_RECORD_LIMIT))
        self._wake.set()

    @contextmanager
    def capturing(self, logger_names: Iterable[str]) -> Iterator[None]:
        """Copy what these loggers emit (from any thread) into the job's log."""
        handler = _CaptureHandler(self)
        loggers = [logging.getLogger(name) for name in logger_names]
        for each in loggers:
            each.addHandler(handler)
        try:
            yield
        finally:
            for each in loggers:
                each.removeHandler(handler)

    def close(self) -> list[dict[str, str]]:
        """Stop the writer; return every entry (the caller saves them with the outcome)."""
        with self._lock:
            self._closing = True
        self._wake.set()
        if self._writer is not None:
            self._writer.join(WRITER_STOP_TIMEOUT)
        with self._lock:
            return list(self.entries)

    def _write_loop(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                with self._lock:
                    entries, closing = list(self.entries), self._closing
                if closing:
                    return
                try:
                    # Only while running: never over the final save or a sweep's verdict.
                    running = Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING)
                    running.update(log=entries)
                except DatabaseError as exc:  # the final save still has every entry
                    logger.warning("saving the log of job %s failed: %s", self.job_id, exc)
        finally:
            connections.close_all()  # this thread's connections only


class _CaptureHandler(logging.Handler):
    def __init__(self, log: JobLog) -> None:
        super().__init__(logging.DEBUG)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            traceback_text = ""
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                message = f"{message} ({type(exc).__name__}: {exc})"
                traceback_text = "".join(traceback.format_exception(*record.exc_info))
            elif TRACEBACK in message:
                # A traceback written into the message (core.operations logs it masked):
                # kept apart, as one of exc_info's, for the error of an errored job.
                message, _, rest = message.partition(TRACEBACK)
                message, traceback_text = message.rstrip(), TRACEBACK.lstrip() + rest
            self.log.add(record.levelname.lower(), message, traceback_text)
        except Exception:
            self.handleError(record)
