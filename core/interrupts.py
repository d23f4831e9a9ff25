"""Interruptions of ours, told apart from the exceptions a driver raises.

A driver may raise anything, a KeyboardInterrupt included; Peerkeeper makes it that
router's failure. Two things must still stop the work: an Interrupt of ours (a job's
time limit) and the user's Ctrl-C. Python raises a KeyboardInterrupt for Ctrl-C in the
main thread, from its default SIGINT handler, and nothing marks it as real; so, where
that handler is in place, watch_sigint() puts one that notes the signal first.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

_sigint = threading.Event()


class Interrupt(BaseException):
    """An interruption of ours raised into running code (a job's time limit): never taken
    for a router's failure, whoever's code it interrupts."""


def watch_sigint() -> None:
    """Note each SIGINT before raising KeyboardInterrupt as Python does (main thread only,
    where signal handlers are set, and only over Python's default handler)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _noted_sigint)


def _noted_sigint(signum: int, frame: FrameType | None) -> None:
    _sigint.set()
    raise KeyboardInterrupt


def is_ours(exc: BaseException) -> bool:
    """Whether `exc` is an interruption of ours, not a driver's: an Interrupt, or a
    KeyboardInterrupt after a real SIGINT, in the main thread."""
    if isinstance(exc, Interrupt):
        return True
    in_main = threading.current_thread() is threading.main_thread()
    return isinstance(exc, KeyboardInterrupt) and in_main and _sigint.is_set()


def serve_until_interrupted(stop: Callable[[], None]) -> None:
    """Wait, in the foreground, until Ctrl-C or SIGTERM; then call `stop` (a local server's
    command line: `python -m peeringdb.testserver`, `python -m irr.irrd_server`)."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
