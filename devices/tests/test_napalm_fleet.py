"""Errors of an HTTP-based driver (NAPALM's eos over eAPI) against the emulated fleet."""

from collections.abc import Iterator

import pytest

from bench.fleet import FaultKind, FleetProcess, FleetSpec, running_fleet
from bench.fleet.process import free_base_port
from devices.connectivity import ping
from devices.models import Platform, Router
from devices.napalm import CommandFailed, connect, driver_settings

ROUTERS = 8


@pytest.fixture(scope="module")
def fleet() -> Iterator[FleetProcess]:
    spec = FleetSpec(ROUTERS, 4, base_port=free_base_port(ROUTERS), faulty=0.5)
    with running_fleet(spec, ready_timeout=60) as process:
        yield process


def _router(db, fleet: FleetProcess, index: int, password: str = "secret") -> Router:
    platform, _ = Platform.objects.get_or_create(
        slug="eos", defaults={"name": "EOS", "napalm_driver": "eos"}
    )
    return Router.objects.create(
        name=f"rtr{index}",
        hostname="127.0.0.1",
        platform=platform,
        napalm_username="admin",
        napalm_password=password,
        napalm_timeout=2,
        napalm_args=fleet.spec.napalm_optional_args(index),
    )


def _index(spec: FleetSpec, kind: FaultKind | None) -> int:
    if kind is None:
        return spec.healthy_routers()[0]
    return next(index for index, fault in spec.faults.items() if fault is kind)


@pytest.mark.parametrize(
    ("fault", "reason", "words"),
    [
        (None, None, None),
        (FaultKind.REFUSED, "unreachable", "Connection refused"),
        (FaultKind.TIMEOUT, "timed out", "did not answer within 2 s"),
        (FaultKind.HTTP_500, "unreachable", "Cannot reach"),
        (FaultKind.JSONRPC_ERROR, "command failed", "answered with an error"),
    ],
)
def test_each_failure_has_its_reason(db, fleet, fault, reason, words) -> None:
    result = ping(_router(db, fleet, _index(fleet.spec, fault)))
    if fault is None:
        assert result.ok, result.error
        return
    assert (result.ok, result.category) == (False, reason)
    assert words in result.error


def test_a_wrong_password_is_authentication_failed(db, fleet) -> None:
    result = ping(_router(db, fleet, _index(fleet.spec, None), password=""))
    assert (result.ok, result.category) == (False, "authentication failed")


def test_an_error_answer_to_a_getter_is_command_failed(db, fleet) -> None:
    settings = driver_settings(_router(db, fleet, _index(fleet.spec, None)))
    with pytest.raises(CommandFailed, match="answered with an error"), connect(settings) as device:
        device.cli(["show no-such-thing"])
