"""Driver settings, driver loading and error translation; connections to loopback only."""

import time
import traceback

import pytest
from django.test import override_settings
from napalm.base.mock import MockDriver

from core.choices import Status
from devices.connectivity import ping, ping_routers
from devices.models import Platform, Router
from devices.napalm import (
    DriverFailed,
    DriverNotInstalled,
    DriverSettings,
    RouterNotUsable,
    Unreachable,
    connect,
    driver_settings,
    load_driver,
)
from peerkeeper.testing import mock_router


@pytest.fixture
def platform(db) -> Platform:
    return Platform.objects.create(
        name="EOS", slug="eos", napalm_driver="eos", napalm_args={"transport": "http", "x": 1}
    )


def _router(default_platform: Platform | None, name: str = "r1", **fields) -> Router:
    fields.setdefault("platform", default_platform)
    return Router.objects.create(name=name, hostname="127.0.0.1", **fields)


@override_settings(
    NAPALM_USERNAME="global-user",
    NAPALM_PASSWORD="global-pw",
    NAPALM_TIMEOUT=30,
    NAPALM_ARGS={"transport": "https", "global": True, "nested": {"a": 1}},
)
def test_router_values_win_over_platform_over_settings(platform: Platform) -> None:
    router = _router(
        platform,
        napalm_username="router-user",
        napalm_password="router-pw",
        napalm_timeout=7,
        napalm_args={"port": 2222, "x": 2},
    )
    settings = driver_settings(router)
    assert (settings.username, settings.password, settings.timeout) == (
        "router-user",
        "router-pw",
        7,
    )
    assert settings.optional_args == {
        "transport": "http",
        "global": True,
        "nested": {"a": 1},
        "x": 2,
        "port": 2222,
    }
    assert "router-pw" not in repr(settings)


@override_settings(NAPALM_USERNAME="global-user", NAPALM_PASSWORD="global-pw", NAPALM_TIMEOUT=12)
def test_settings_fill_in_what_the_router_leaves_blank(platform: Platform) -> None:
    settings = driver_settings(_router(platform))
    assert (settings.username, settings.password, settings.timeout) == (
        "global-user",
        "global-pw",
        12,
    )


@override_settings(NAPALM_ARGS={"nested": {"a": 1}})
def test_one_routers_arguments_never_leak_into_the_next(platform: Platform) -> None:
    from django.conf import settings as django_settings

    first = driver_settings(_router(platform, "r1", napalm_args={"port": 2201}))
    first.optional_args["nested"]["a"] = "mutated by a driver"
    first.optional_args["leak"] = True
    second = driver_settings(_router(platform, "r2"))
    assert "port" not in second.optional_args
    assert "leak" not in second.optional_args
    assert second.optional_args["nested"] == {"a": 1}
    assert django_settings.NAPALM_ARGS == {"nested": {"a": 1}}
    assert Platform.objects.get().napalm_args == {"transport": "http", "x": 1}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": Status.DISABLED}, "the router is disabled"),
        ({"platform": None}, "the router has no platform"),
    ],
)
def test_unusable_routers_are_refused_with_a_reason(platform, change, reason) -> None:
    router = _router(platform, **change)
    with pytest.raises(RouterNotUsable, match=reason):
        driver_settings(router)
    # A ping skips it, as a poll or a deployment does: not a failure.
    result = ping(router)
    assert (result.ok, result.skipped, result.error) == (True, reason, None)


def test_a_platform_without_driver_is_refused(db) -> None:
    router = _router(Platform.objects.create(name="Other", slug="other"))
    assert ping(router).skipped == "platform Other has no NAPALM driver"


def test_a_missing_driver_says_how_to_install_it(db) -> None:
    with pytest.raises(DriverNotInstalled, match=r"napalm-nosuchos\) to local_requirements.txt"):
        load_driver("nosuchos")
    router = _router(Platform.objects.create(name="X", slug="x", napalm_driver="nosuchos"))
    result = ping(router)
    assert (result.ok, result.category) == (False, "driver not installed")


def test_builtin_and_third_party_drivers_load() -> None:
    assert load_driver("eos").__name__ == "EOSDriver"
    assert load_driver("frr").__module__.startswith("napalm_frr")


def test_a_closed_port_is_unreachable(platform: Platform, closed_port: int) -> None:
    router = _router(platform, napalm_args={"port": closed_port}, napalm_timeout=5)
    result = ping(router)
    assert (result.ok, result.category) == (False, "unreachable")
    assert "Cannot reach r1 (127.0.0.1:" in result.error


def test_a_silent_router_times_out_within_its_timeout(platform, silent_port) -> None:
    router = _router(platform, napalm_args={"port": silent_port}, napalm_timeout=2)
    started = time.monotonic()
    result = ping(router)
    elapsed = time.monotonic() - started
    assert (result.ok, result.category) == (False, "timed out")
    assert "did not answer within 2 s" in result.error
    assert elapsed < 2 * 3  # bounded by the timeout, not by a driver default


def test_ping_routers_reports_each_router(platform, closed_port) -> None:
    routers = [
        _router(platform, "r1", napalm_args={"port": closed_port}),
        _router(platform, "r2", status=Status.DISABLED),
    ]
    results = ping_routers(routers)
    assert [(r.router, r.ok, r.category, r.skipped) for r in results] == [
        ("r1", False, "unreachable", None),
        ("r2", True, None, "the router is disabled"),
    ]


class _RecordingDriver(MockDriver):
    """NAPALM's mock driver, noting open() and close() in the class's `events`; its
    close() raises `close_error` when one is set."""

    events: list[str]
    close_error: BaseException | None = None

    def open(self) -> None:
        super().open()
        self.events.append("open")

    def close(self) -> None:
        self.events.append("close")
        super().close()
        if self.close_error is not None:
            raise self.close_error


@pytest.fixture
def recording(db, tmp_path, monkeypatch) -> tuple[type[_RecordingDriver], DriverSettings]:
    """A router whose connections are made by _RecordingDriver (a class of its own for
    the test) and whose get_facts raises as a refused login does; and its settings."""
    driver = type("Recording", (_RecordingDriver,), {"events": []})
    monkeypatch.setattr("devices.napalm.load_driver", lambda name: driver)
    refused = {
        "exception": "napalm.base.exceptions.ConnectionException",
        "args": ["connection reset by peer"],
    }
    router = mock_router(tmp_path, {"get_facts": refused}, "r1", None)
    return driver, driver_settings(router)


def test_connect_closes_once_after_a_body_that_works(recording) -> None:
    driver, settings = recording
    with connect(settings) as device:
        driver.events.append("body")
        assert device.is_alive() == {"is_alive": True}
    assert driver.events == ["open", "body", "close"]
    assert device.is_alive() == {"is_alive": False}


def test_connect_closes_when_the_driver_fails_in_the_body(recording) -> None:
    driver, settings = recording
    with pytest.raises(Unreachable) as caught, connect(settings) as device:
        driver.events.append("body")
        device.get_facts()
        driver.events.append("after the failure")  # never reached
    assert str(caught.value) == "Cannot reach r1 (127.0.0.1): connection reset by peer."
    assert driver.events == ["open", "body", "close"]


def test_connect_closes_when_our_own_code_fails_in_the_body(recording) -> None:
    driver, settings = recording
    with pytest.raises(KeyError, match="'peers'"), connect(settings):
        driver.events.append("body")
        raise KeyError("peers")  # a bug of ours keeps its type: not a device error
    assert driver.events == ["open", "body", "close"]


def test_a_close_that_fails_does_not_hide_the_body_s_failure(recording) -> None:
    driver, settings = recording
    driver.close_error = EOFError("socket already closed")
    with pytest.raises(Unreachable, match="connection reset by peer"), connect(settings) as device:
        driver.events.append("body")
        device.get_facts()
    assert driver.events == ["open", "body", "close"]


def test_an_ipv6_router_with_a_port_is_written_in_brackets(platform: Platform) -> None:
    router = Router.objects.create(
        name="r6", hostname="::1", platform=platform, napalm_args={"port": 9}
    )
    result = ping(router)
    assert result.category == "unreachable"
    assert result.error.startswith("Cannot reach r6 ([::1]:9): ")
    assert driver_settings(router).address == "[::1]:9"
    Router.objects.filter(pk=router.pk).update(napalm_args={})
    assert driver_settings(Router.objects.get(pk=router.pk)).address == "::1"


def test_a_password_quoted_by_a_driver_never_reaches_the_message(db, tmp_path) -> None:
    # A driver whose error quotes the login (NAPALM's mock driver raises what it is told).
    error = {
        "exception": "napalm.base.exceptions.ConnectionException",
        "args": ["login as admin with pa55word-in-error refused"],
    }
    router = mock_router(
        tmp_path, {"get_facts": error}, "r1", None, napalm_password="pa55word-in-error"
    )
    with pytest.raises(Unreachable) as caught, connect(driver_settings(router)) as device:
        device.get_facts()
    assert str(caught.value) == (
        "Cannot reach r1 (127.0.0.1): login as admin with ******** refused."
    )
    assert "pa55word" not in "".join(traceback.format_exception(caught.value))


def test_an_enable_secret_or_an_escaped_password_a_driver_quotes_is_masked(
    db, tmp_path, caplog
) -> None:
    password, enable = 'Rtr\\Pass"42x', "EnaSecret-77x"
    # A driver whose error prints a dict: repr() escapes the backslash.
    error = {"exception": "RuntimeError", "args": [{"login": password, "enable": enable}]}
    router = mock_router(tmp_path, {"get_facts": error}, "r1", None, napalm_password=password)
    router.napalm_args["secret"] = enable
    router.save()
    with pytest.raises(DriverFailed) as caught, connect(driver_settings(router)) as device:
        device.get_facts()
    seen = str(caught.value) + caplog.text
    assert str(caught.value).startswith("The mock driver failed in get_facts on r1: RuntimeError")
    for form in (password, repr(password)[1:-1], enable, "Rtr", "42x"):
        assert form not in seen, form
