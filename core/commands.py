"""The base of the commands that print what routers, drivers and templates said."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, OutputWrapper

from core.log_format import printable


class EscapedOutput(OutputWrapper):
    """An OutputWrapper that writes control characters escaped (core.log_format.printable),
    so that a router's text cannot act on the terminal that shows it, or on cron's mail."""

    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None:
        super().write(printable(msg), style_func, ending)


class RouterCommand(BaseCommand):
    """A management command whose every line, on stdout and stderr (the CommandError
    Django prints included), goes through EscapedOutput. Django assigns `stdout` and
    `stderr` in __init__ and again in execute(); each assignment is wrapped here."""

    def execute(self, *args: Any, **options: Any) -> Any:
        """Ctrl-C ends the command with one line and status 130 (as a shell reports it),
        not a traceback that may quote a driver's frames."""
        try:
            return super().execute(*args, **options)
        except KeyboardInterrupt:
            self.stderr.write("Interrupted.")
            sys.exit(130)

    @property
    def stdout(self) -> OutputWrapper:
        return self._escaped_stdout

    @stdout.setter
    def stdout(self, wrapper: OutputWrapper) -> None:
        self._escaped_stdout = _escaped(wrapper)

    @property
    def stderr(self) -> OutputWrapper:
        return self._escaped_stderr

    @stderr.setter
    def stderr(self, wrapper: OutputWrapper) -> None:
        self._escaped_stderr = _escaped(wrapper)


def _escaped(wrapper: OutputWrapper) -> EscapedOutput:
    if isinstance(wrapper, EscapedOutput):
        return wrapper
    escaped = EscapedOutput(wrapper._out, wrapper.ending)  # the stream it writes to
    escaped.style_func = wrapper.style_func
    return escaped
