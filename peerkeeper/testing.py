"""pytest fixtures shared by the apps' tests (registered in the top-level conftest.py)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from devices.models import Router


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.3) -> Any:
    """Poll `check` until it returns something true, failing the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s (last: {value!r})")
        time.sleep(interval)


@pytest.fixture
def demo_inventory(db, clean_lab) -> Router:
    """The demo inventory with r1 pointing at the test lab's r1 (reset after the test)."""
    call_command("load_demo", lab_instance=clean_lab.instance, stdout=io.StringIO())
    return Router.objects.select_related("platform", "config_template").get(name="r1")


def run_command(*args: str) -> tuple[int, str, str]:
    """Run a management command the way cron does; return (exit status, stdout, stderr)."""
    from django.core.management import CommandError

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()
