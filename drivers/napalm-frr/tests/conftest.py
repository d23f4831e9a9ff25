"""Fixtures for the napalm-frr tests: captured FRR output, and a driver connected to r1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from napalm_frr import FRRDriver

CAPTURED = Path(__file__).parent / "fixtures" / "frr-8.4"


class Captured:
    """Output captured from a real FRR 8.4.4 (see fixtures/frr-8.4/README.md)."""

    def text(self, name: str) -> str:
        return (CAPTURED / name).read_text()

    def json(self, name: str) -> Any:
        return json.loads(self.text(name))


@pytest.fixture
def captured() -> Captured:
    return Captured()


def open_r1(lab: Any, timeout: int = 30) -> FRRDriver:
    driver = FRRDriver(**lab.napalm_params("r1"), timeout=timeout)
    driver.open()
    return driver


@pytest.fixture
def connect_r1(lab: Any) -> Callable[[], FRRDriver]:
    """Opens another connection to r1 (the caller closes it)."""
    return lambda: open_r1(lab)


@pytest.fixture
def frr(clean_lab: Any) -> Iterator[FRRDriver]:
    """The driver connected to the lab's r1; the lab is reset after the test."""
    driver = open_r1(clean_lab)
    try:
        yield driver
    finally:
        driver.close()
        # a revert timer left running would change r1 during a later test
        cleanup = open_r1(clean_lab)
        try:
            if cleanup.has_pending_commit():
                cleanup.confirm_commit()
        finally:
            cleanup.close()
