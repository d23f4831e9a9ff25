"""Every shipped template (configs/platforms/*.j2), rendered for the demo inventory and a
fixture inventory, as people read it (passwords masked), equals its golden file in
configs/tests/golden/ and passes its platform's check (configs/tests/platform_checks.py).

PEERKEEPER_UPDATE_GOLDEN=1 writes the golden files from the renderings instead (see
docs/development.md); review their diff before committing them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from configs.rendering import render_router
from configs.tests.platform_checks import CHECKERS
from configs.tests.platform_inventory import (
    PASSWORDS,
    PLATFORMS,
    demo_router,
    fixture_router,
    use_template,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
SHIPPED = sorted(path.stem for path in PLATFORMS.glob("*.j2"))
INVENTORIES = {"demo": demo_router, "fixture": fixture_router}


def golden_path(platform: str, inventory: str) -> Path:
    return GOLDEN / (f"{platform}.conf" if inventory == "demo" else f"{platform}.{inventory}.conf")


def test_every_shipped_template_has_a_checker_and_golden_files() -> None:
    assert SHIPPED, "no template in configs/platforms"
    missing = [name for name in SHIPPED if name not in CHECKERS]
    assert not missing, f"shipped templates without a checker in platform_checks: {missing}"
    if os.environ.get("PEERKEEPER_UPDATE_GOLDEN"):
        return
    absent = [
        str(golden_path(name, inventory).relative_to(GOLDEN))
        for name in SHIPPED
        for inventory in INVENTORIES
        if not golden_path(name, inventory).exists()
    ]
    assert not absent, f"golden files missing (PEERKEEPER_UPDATE_GOLDEN=1 writes them): {absent}"


@pytest.mark.django_db
@pytest.mark.parametrize("inventory", sorted(INVENTORIES))
@pytest.mark.parametrize("platform", SHIPPED)
def test_rendering_equals_its_golden_file_and_passes_its_check(
    platform: str, inventory: str
) -> None:
    router = use_template(INVENTORIES[inventory](), platform)
    rendered = render_router(router)
    masked = rendered.masked
    assert masked != rendered.text or inventory == "demo"  # the fixture has passwords
    assert not any(password in masked for password in PASSWORDS)
    problems = CHECKERS[platform](rendered.text)
    assert not problems, f"{platform} check of the {inventory} rendering:\n" + "\n".join(problems)
    path = golden_path(platform, inventory)
    if os.environ.get("PEERKEEPER_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(masked)
        return
    assert path.exists(), f"{path} is missing: PEERKEEPER_UPDATE_GOLDEN=1 writes it"
    expected = path.read_text()
    if masked != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                masked.splitlines(keepends=True),
                fromfile=str(path),
                tofile=f"{platform} rendering of the {inventory} inventory",
            )
        )
        pytest.fail(f"the rendering differs from its golden file:\n{diff}", pytrace=False)
