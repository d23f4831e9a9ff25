"""Who changes the inventory, and through which door: the context a change is recorded in.

Every door sets it once around the work it does:

    with recording(user=request.user, origin="api"):
        serializer.save()

The pages and the admin get it from changelog.middleware, management commands from
changelog.commands, background jobs from core.job_runner. A change made outside any of
them (a test, a script that imports Django itself) is recorded with no origin.

The context is a ContextVar: it belongs to the thread (or task) that set it and is undone
when the `with` block ends, whatever happens inside it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models


class Origin(models.TextChoices):
    """The door a change came through."""

    PAGE = "page", "Web page"
    ADMIN = "admin", "Admin"
    API = "api", "REST API"
    COMMAND = "command", "Command"
    JOB = "job", "Background job"


@dataclass(frozen=True)
class Recording:
    """The who and the door of the changes made inside one `recording()` block.

    `user_of` returns the Django user (or an anonymous one, or None); it is called when a
    change is recorded, not before, so that a page that never changes anything never
    loads its user for this, and a user authenticated later in the request (the API's
    tokens) is the one recorded."""

    origin: str
    user_of: Callable[[], Any]
    actor_name: str | None = None
    job: str | None = None

    @property
    def user(self) -> Any | None:
        """The Django user making the changes, or None (no user, or an anonymous one)."""
        user = self.user_of()
        return user if user is not None and getattr(user, "is_authenticated", False) else None

    @property
    def who(self) -> str | None:
        """The name recorded: the Django user's, else `actor_name` (a command's OS user)."""
        user = self.user
        return user.get_username() if user is not None else self.actor_name


_current: ContextVar[Recording | None] = ContextVar("changelog_recording", default=None)


def current_recording() -> Recording | None:
    """The innermost `recording()` block this code runs in, or None."""
    return _current.get()


@contextmanager
def recording(
    user: Any = None,
    origin: str = Origin.API,
    actor_name: str | None = None,
    *,
    job: str | None = None,
) -> Iterator[Recording]:
    """Record the inventory changes made inside the block as made by `user` (a Django
    user; None or an anonymous user: none) through `origin` (an Origin value: "page",
    "admin", "api", "command", "job"). `actor_name` names who acted when there is no
    Django user (a command's OS user); `job` is the id of the background job making them.

    Blocks nest: the innermost wins until it ends. Raises ValueError for an unknown origin.
    """
    return _recording(origin, lambda: user, actor_name, job)


def _recording(
    origin: str,
    user_of: Callable[[], Any],
    actor_name: str | None = None,
    job: str | None = None,
) -> Iterator[Recording]:
    if origin not in Origin.values:
        raise ValueError(f"Unknown origin {origin!r}: one of {', '.join(Origin.values)}.")
    state = Recording(str(origin), user_of, actor_name, job)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


@contextmanager
def recording_request(request: Any, origin: str) -> Iterator[Recording]:
    """For the middleware: the request's user, read when a change is recorded (see
    Recording.user_of)."""
    yield from _recording(origin, lambda: getattr(request, "user", None))


def os_user() -> str:
    """The name of the operating-system user running this process (getpass.getuser()),
    or its uid when the system has no name for it (a container's arbitrary uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
