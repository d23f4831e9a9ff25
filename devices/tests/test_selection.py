"""`--limit`: every router only when the flag is absent; a list that names none is an error."""

import pytest

from core.models import Job
from devices.models import Router
from devices.selection import select_routers
from peerkeeper.testing import run_command

# Disabled routers are skipped without any device I/O, so "all of them" shows in the output.
COMMANDS = [
    ("configure_routers", "--dry-run"),
    ("configure_routers",),
    ("configure_routers", "--tasks"),
    ("poll_bgp_sessions",),
    ("poll_bgp_sessions", "--tasks"),
    ("ping_routers",),
]


@pytest.fixture
def two_routers(db) -> list[Router]:
    return [
        Router.objects.create(name=name, hostname=f"{name}.example.net", status="disabled")
        for name in ("edge1", "edge2")
    ]


@pytest.mark.parametrize("limit", ["", ",", " ", " , ,"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_limit_that_names_no_router_is_an_error(two_routers, command, limit: str) -> None:
    status, out, err = run_command(*command, "--limit", limit)
    assert status == 1
    assert f"“{limit}” names no router" in err
    assert out == ""
    assert not Job.objects.exists()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_without_limit_every_router_is_selected(two_routers, command) -> None:
    _, out, err = run_command(*command)
    assert "edge1" in out and "edge2" in out, (out, err)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_limit_selects_the_routers_it_names(two_routers, command) -> None:
    _, out, _ = run_command(*command, "--limit", " edge2 ,")
    assert "edge2" in out and "edge1" not in out


def test_render_configuration_needs_a_router_name(two_routers) -> None:
    status, out, err = run_command("render_configuration", "")
    assert (status, out) == (1, "")
    assert "names no router" in err


def test_the_service_tells_an_empty_list_from_no_list(two_routers) -> None:
    from devices.selection import EmptyRouterList

    assert [r.name for r in select_routers(None)] == ["edge1", "edge2"]
    with pytest.raises(EmptyRouterList):
        select_routers(",")
