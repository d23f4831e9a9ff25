"""The emulated routers' configuration editor: EOS's modes, and what it refuses."""

from __future__ import annotations

import pytest

from bench.fleet.config import ConfigEditor, ConfigNode, InvalidInput, render_lines


def applied(*commands: str) -> list[str]:
    root = ConfigNode("")
    ConfigEditor(root).apply_all(commands)
    return render_lines(root)


def test_a_global_command_leaves_the_mode_it_is_typed_in() -> None:
    lines = applied(
        "route-map PEER-IN permit 10",
        "set local-preference 200",
        "ip community-list FROM-IXP permit 64500:100",
        "router bgp 64500",
        "neighbor 192.0.2.1 remote-as 64501",
    )
    assert lines[lines.index("route-map PEER-IN permit 10") + 1] == "   set local-preference 200"
    assert "ip community-list FROM-IXP permit 64500:100" in lines
    assert "   neighbor 192.0.2.1 remote-as 64501" in lines


def test_no_removes_a_whole_route_map_and_an_entry_can_be_written_again() -> None:
    lines = applied(
        "route-map PEER-IN permit 10",
        "set local-preference 200",
        "no route-map PEER-IN",
        "route-map PEER-IN permit 20",
        "set local-preference 80",
    )
    assert "route-map PEER-IN permit 10" not in lines
    assert "   set local-preference 80" in lines


@pytest.mark.parametrize(
    "commands",
    [
        ["router bgp 64500", "neighbor 192.0.2.1 remote-ass 64501"],
        ["router bgp 64500", "neighbor 192.0.2.999x remote-as 64501"],
        ["ip community-list X permit 64500:1:2"],  # a large community in a standard list
        ["route-map X permit 10", "set community 64500:100"],  # replaces: not rendered
        ["ip prefix-list X", "seq 10 permit 203.0.113.0"],  # no prefix length
        ["neighbor 192.0.2.1 remote-as 64501"],  # outside router bgp
    ],
)
def test_a_command_no_mode_knows_is_refused(commands: list[str]) -> None:
    editor = ConfigEditor(ConfigNode(""))
    with pytest.raises(InvalidInput) as refused:
        editor.apply_all(commands)
    assert refused.value.command == commands[-1]
