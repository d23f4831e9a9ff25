"""Management commands record their changes as made by the command line.

Every command, ours or Django's (`manage.py shell`, `loaddata`), cron's or a shell's or
called with call_command(), runs inside `recording(origin="command")` with the OS user's
name, unless it runs inside another recording already (a job that calls a command keeps
"job" and its user). The block ends with the command, so nothing carries over to what
runs after it in the same process.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.management.base import BaseCommand

from changelog.context import Origin, current_recording, os_user, recording

_MARK = "_records_changes"


def record_commands() -> None:
    """Wrap BaseCommand.execute, once (ready() may run again in tests)."""
    original = BaseCommand.execute
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        if current_recording() is not None:
            return original(self, *args, **options)
        with recording(origin=Origin.COMMAND, actor_name=os_user()):
            return original(self, *args, **options)

    setattr(execute, _MARK, True)
    BaseCommand.execute = execute
