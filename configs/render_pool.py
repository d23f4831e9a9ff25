"""Render processes: templates run outside the process that serves pages and jobs.

A template that loops for ever, allocates gigabytes or recurses must cost one router's
render, never the web server or a worker. So rendering happens in a few long-lived child
processes (`python -m configs.sandbox`: a fresh interpreter that imports neither Django
nor the caller's program), each bounded by configs/sandbox.py. The parent gives each
request the time limit plus a grace and kills a process that has not answered by then;
a process that dies or is killed is replaced at the next request. A child exits when its
parent goes (its socket closes). Thread-safe; a process forked from ours (an RQ work
horse, say) starts its own pool.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from configs.sandbox import RenderFailure, RenderRequest

# The directory that holds the `configs` package: the render process's working directory.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Seconds a render process may take beyond the time limit (its own alarm fires first,
# with the template and line) before it is killed.
KILL_GRACE_S = 2.0


class RendererFailed(Exception):
    """The render process did not answer: killed at the time limit, or it died."""


@dataclass
class _Process:
    process: subprocess.Popen[bytes]
    connection: Connection

    def kill(self) -> None:
        self.connection.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)


class RenderPool:
    """At most `size` render processes, started when first needed and then reused."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: list[_Process] = []
        self._started = 0
        self._available = threading.Condition()

    def render(self, request: RenderRequest) -> list[str | RenderFailure]:
        """Every variant's text or failure. Raises RendererFailed when no answer came."""
        worker = self._acquire()
        timeout = request.limits.time_s * len(request.variants) + KILL_GRACE_S
        try:
            worker.connection.send(request)
            if not worker.connection.poll(timeout):
                raise RendererFailed(
                    f"rendering took longer than {request.limits.time_s:g} s "
                    "(RENDER_TIME_LIMIT) and was stopped"
                )
            reply = worker.connection.recv()
        except BaseException as exc:
            # Whatever happened, this process's state is unknown: it is replaced.
            self._discard(worker)
            if isinstance(exc, EOFError | OSError):
                raise RendererFailed(
                    "the render process stopped unexpectedly "
                    f"(exit code {worker.process.returncode})"
                ) from exc
            raise
        self._release(worker)
        return reply

    def close(self) -> None:
        with self._available:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for worker in idle:
            worker.kill()

    def _acquire(self) -> _Process:
        with self._available:
            while not self._idle and self._started >= self.size:
                self._available.wait()
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return self._start()
        except BaseException:
            with self._available:
                self._started -= 1
                self._available.notify()
            raise

    def _release(self, worker: _Process) -> None:
        with self._available:
            self._idle.append(worker)
            self._available.notify()

    def _discard(self, worker: _Process) -> None:
        worker.kill()
        with self._available:
            self._started -= 1
            self._available.notify()

    @staticmethod
    def _start() -> _Process:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", "configs.sandbox", str(theirs.fileno())],
                cwd=_PROJECT_ROOT,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C is for the parent to handle
            )
        return _Process(process, Connection(ours.detach()))


_pool: RenderPool | None = None
_pool_lock = threading.Lock()


def pool(size: int) -> RenderPool:
    """This process's pool (created on first use with `size` processes at most)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = RenderPool(size)
        return _pool


def _forget_after_fork() -> None:
    # A forked child shares the parent's pipes: it must never use the parent's processes.
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
