"""Fixtures for the napalm-bird tests: captured BIRD output, and a driver connected to the
lab's rs1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from napalm_bird import BIRDDriver

CAPTURED = Path(__file__).parent / "fixtures" / "bird-2.0"


@pytest.fixture
def captured() -> Any:
    """Reads a file of fixtures/bird-2.0 (see its README)."""
    return lambda name: (CAPTURED / name).read_text()


def open_rs1(lab: Any, timeout: int = 30) -> BIRDDriver:
    driver = BIRDDriver(**lab.napalm_params("rs1"), timeout=timeout)
    driver.open()
    return driver


@pytest.fixture
def bird(clean_lab: Any) -> Iterator[BIRDDriver]:
    """The driver connected to the lab's rs1; the lab (rs1's files too) is reset after."""
    driver = open_rs1(clean_lab)
    try:
        yield driver
    finally:
        driver.close()
