"""Each shipped template's platform and the check its renderings must pass. A template in
configs/platforms/ whose platform is not here fails the golden tests."""

from __future__ import annotations

from collections.abc import Callable

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


CHECKERS: dict[str, Callable[[str], list[str]]] = {
    "frr": frr.check,
    "eos": eos,
    "junos": junos.check,
    "iosxr": iosxr.check,
    "bird": braces.check,
}
