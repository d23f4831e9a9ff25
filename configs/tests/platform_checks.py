"""Each shipped template's platform and the check its renderings must pass. A template in
configs/platforms/ whose platform is not here fails the golden tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.fleet.config import ConfigEditor, ConfigNode, InvalidInput
from configs.syntax import braces, frr, iosxr, junos


def eos(text: str) -> list[str]:
    """The lines of `text` the emulated EOS routers refuse (bench.fleet.grammar), each as
    EOS names it, applied in order to an empty configuration as a configuration session
    receives them."""
    editor = ConfigEditor(ConfigNode(""))
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            editor.apply(line)
        except InvalidInput as refused:
            problems.append(f"line {number}: % Invalid input: {refused.command}")
    return problems


BIRD = shutil.which("bird") or "/usr/sbin/bird"


def bird_parse(text: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """BIRD's parser (`bird -p`) on a bird.conf in `directory` that includes `text`, as the
    napalm-bird driver includes it on a router (rs1)."""
    included = directory / "napalm-bird.conf"
    included.write_text(text)
    main = directory / "bird.conf"
    main.write_text(f'router id 192.0.2.100;\nprotocol device {{}}\ninclude "{included}";\n')
    return subprocess.run(
        [BIRD, "-p", "-c", str(main)], capture_output=True, text=True, timeout=30, check=False
    )


def bird(text: str) -> list[str]:
    """What BIRD's own parser says of `text` (bird_parse); without BIRD installed, only the
    balance of braces and strings (configs/syntax/braces.py)."""
    if not Path(BIRD).exists():
        return braces.check(text)
    with tempfile.TemporaryDirectory() as directory:
        parsed = bird_parse(text, Path(directory))
    return [] if parsed.returncode == 0 else [(parsed.stderr or parsed.stdout).strip()]


CHECKERS: dict[str, Callable[[str], list[str]]] = {
    "frr": frr.check,
    "eos": eos,
    "junos": junos.check,
    "iosxr": iosxr.check,
    "bird": bird,
}
