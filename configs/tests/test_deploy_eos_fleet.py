"""The shipped EOS template, rendered for an inventory with policies at several levels,
every kind of community, passwords and IRR prefix lists, deployed by Peerkeeper through
NAPALM's own eos driver to an emulated EOS router (bench.fleet) on 127.0.0.1 that
refuses, as EOS does, any command it does not know."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.fleet import FleetProcess, FleetSpec, running_fleet
from bench.fleet.process import free_base_port
from configs.deploy import DeployOptions, configure_router
from configs.rendering import render_router
from configs.tests.platform_inventory import PASSWORDS, fixture_router, use_template
from devices.models import Router


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    spec = FleetSpec(1, 4, base_port=free_base_port(1))
    with running_fleet(spec, ready_timeout=60) as process:
        yield process


@pytest.fixture
def router(db, fleet: FleetProcess) -> Router:
    fleet.reset_configs()
    spec = fleet.spec
    router = fixture_router(
        "eos", "127.0.0.1", asn=spec.router(0).local_as, **spec.napalm_optional_args(0)
    )
    return use_template(router, "eos")


def running_lines(fleet: FleetProcess) -> set[str]:
    return {line.strip() for line in fleet.running_config(0).splitlines()}


def test_every_rendered_line_is_accepted_and_running_then_a_second_deploy_is_unchanged(
    fleet: FleetProcess, router: Router
) -> None:
    rendered = render_router(router).text
    first = configure_router(router, DeployOptions())
    assert (first.outcome, first.error) == ("changed", None)
    assert "route-map PEER-192-0-2-11-IN permit" in first.diff
    assert not any(password in first.diff for password in PASSWORDS)
    running = running_lines(fleet)
    # What the template states is running (a `no` line removes what it names first).
    stated = {
        line.strip()
        for line in rendered.splitlines()
        if line.strip() and not line.startswith(("!", "no ")) and " no neighbor" not in line
    }
    assert stated - running == set()
    assert "neighbor 192.0.2.13 shutdown" in running  # the disabled session
    assert f"neighbor 192.0.2.11 password {PASSWORDS[0]}" in running

    second = configure_router(router, DeployOptions())
    assert (second.outcome, second.diff) == ("unchanged", "")
    assert running_lines(fleet) == running


def test_a_line_eos_does_not_know_fails_the_deploy_and_changes_nothing(
    fleet: FleetProcess, router: Router
) -> None:
    before = fleet.running_config(0)
    template = router.config_template
    template.template += "router bgp {{ local_as.asn }}\n   neighbor 192.0.2.11 max-routes 5\n"
    template.save()

    result = configure_router(router, DeployOptions())

    assert result.outcome == "failed"
    assert "Invalid input" in result.error
    assert "neighbor 192.0.2.11 max-routes 5" in result.error
    assert fleet.running_config(0) == before
