"""The platform checks catch the mistakes they are for, and pass the shipped templates'
renderings of a context with policies, every kind of community and IRR lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs.sandbox import Limits, RenderRequest, render
from configs.tests.platform_checks import CHECKERS
from configs.tests.sample_context import sample_context

PLATFORMS = Path(__file__).resolve().parents[1] / "platforms"


def rendered(platform: str) -> str:
    source = (PLATFORMS / f"{platform}.j2").read_text()
    request = RenderRequest(
        platform, {platform: source}, True, True, sample_context(), Limits(10, 10**7, 2**30)
    )
    [text] = render(request)
    assert isinstance(text, str), text
    return text


@pytest.mark.parametrize("platform", sorted(p.stem for p in PLATFORMS.glob("*.j2")))
def test_each_shipped_template_renders_a_context_its_check_passes(platform: str) -> None:
    assert CHECKERS[platform](rendered(platform)) == []


@pytest.mark.parametrize(
    ("platform", "good", "bad", "said"),
    [
        ("junos", "peer-as 64501;", "peer-ass 64501;", "unknown statement “peer-ass”"),
        ("junos", "local-preference 200;", "local-preference 200", "is invalid"),
        ("junos", "teardown;\n", "teardown;\n}\n", "closes nothing"),
        ("junos", "members 64500:100;\n    }", "members 64500:100;\n", "never closed"),
        ("iosxr", "198.51.100.0/24 le 32,", "198.51.100.0/24 le 32", "needs a ','"),
        ("iosxr", "    drop\n  endif\n", "    drop\n", "never closed by 'endif'"),
        ("junos", "target:64500:100;", "target:4200000000:100;", "takes the L suffix"),
        ("iosxr", "end-set", "", "never closed by 'end-set'"),
        ("iosxr", "  remote-as 64501", "  remote-ass 64501", "not known at this depth"),
        ("iosxr", "  !\n !\n!\n", "  !\n!\n", "not closed by '!'"),
        ("eos", "maximum-routes 100", "maximum-route 100", "% Invalid input"),
    ],
)
def test_a_mistake_is_reported_with_its_line(platform: str, good: str, bad: str, said: str) -> None:
    text = rendered(platform)
    assert good in text
    problems = CHECKERS[platform](text.replace(good, bad, 1))
    assert any(said in problem for problem in problems), problems
    assert all(problem.startswith("line ") or "router bgp" in problem for problem in problems)


def test_the_frr_check_knows_the_demo_template_and_refuses_a_misspelt_command() -> None:
    text = rendered("frr")
    assert CHECKERS["frr"](text) == []
    problems = CHECKERS["frr"](text.replace("remote-as", "remote-ass", 1))
    assert problems and "remote-ass" in problems[0]
    assert CHECKERS["frr"](text.replace(" exit-address-family", "", 1))
