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


@pytest.mark.parametrize("name", ["", "  "])
def test_render_configuration_needs_a_router_name(two_routers, name: str) -> None:
    """It takes one router, not a list: the sentence says so, not what `--limit` does."""
    status, out, err = run_command("render_configuration", name)
    assert (status, out) == (1, "")
    assert err == f"“{name}” names no router: give a router's name or hostname."


def test_render_configuration_takes_one_router_by_name_or_hostname(two_routers) -> None:
    from configs.models import ConfigTemplate

    template = ConfigTemplate.objects.create(name="t", template="hostname {{ router.name }}\n")
    Router.objects.create(name="pe1,ams", hostname="pe1.example.net", config_template=template)
    Router.objects.filter(name="edge2").update(config_template=template)
    # A name may hold a comma: it names that router, not a list.
    assert run_command("render_configuration", "pe1,ams") == (0, "hostname pe1,ams\n", "")
    assert run_command("render_configuration", " edge2.example.net ")[:2] == (
        0,
        "hostname edge2\n",
    )
    status, out, err = run_command("render_configuration", "edge1,edge2")
    assert (status, out) == (1, "")
    assert err == "Unknown router: edge1,edge2 (no router has that name or hostname)."
    Router.objects.filter(name="edge1").update(hostname="edge2.example.net")
    status, _, err = run_command("render_configuration", "edge2.example.net")
    assert status == 1
    assert err == (
        "Several routers have the hostname edge2.example.net (edge1, edge2): "
        "give the router's name."
    )


def test_the_service_tells_an_empty_list_from_no_list(two_routers) -> None:
    from devices.selection import EmptyRouterList

    assert [r.name for r in select_routers(None)] == ["edge1", "edge2"]
    with pytest.raises(EmptyRouterList):
        select_routers(",")
