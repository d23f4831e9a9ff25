"""What crosses the boundary with a driver, whatever it is, is one router's failure in a
sentence that every terminal, page and database can take, and that holds no secret.

Two routers on NAPALM's mock driver: `good` answers, `bad` misbehaves in the way each
test names (a method replaced on the mock driver for `bad` only). Several routers run
on device threads, where no KeyboardInterrupt can be the user's Ctrl-C.
"""

from __future__ import annotations

import base64
import html
import os
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from napalm.base.mock import MockDriver

from configs.models import ConfigTemplate
from core.log_format import LOG_RECORD_LIMIT, REASON_LIMIT, printable
from devices.models import Router
from devices.napalm import load_driver
from peering.models import (
    AutonomousSystem,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.config import BASE_DIR
from peerkeeper.testing import (
    database_environment,
    manage_py,
    mock_answers,
    mock_router,
    run_command,
    summary,
    summary_peer,
)

NEIGHBORS = summary({"192.0.2.11": summary_peer()})
ANSWERS = {
    "get_bgp_neighbors": NEIGHBORS,
    "load_merge_candidate": {},
    "compare_config": {"diff": "+router bgp 64500"},
    "discard_config": {},
}
COMMANDS = [
    ("ping_routers",),
    ("poll_bgp_sessions",),
    ("configure_routers", "--dry-run"),
    ("discover_ixp_sessions", "ix"),
]


class Abort(BaseException):
    """What some libraries raise to unwind: neither an Exception nor an exit."""


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str() of this exception fails")


@pytest.fixture
def fleet(db, tmp_path: Path) -> dict[str, Router]:
    routers = {}
    for name in ["bad", "good"]:
        router = mock_router(tmp_path / name, ANSWERS, name=name)
        routers[name] = router
    Router.objects.update(status="enabled")
    ours = AutonomousSystem.objects.get(asn=64500)
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    for index, router in enumerate(routers.values(), start=1):
        Connection.objects.create(
            internet_exchange=ixp, router=router, ipv4_address=f"192.0.2.{index}/24"
        )
    from devices.models import Platform

    Platform.objects.update(poll_with_detail=False)
    return routers


def misbehave(monkeypatch, method: str, behaviour: Callable[[], Any]) -> None:
    """Make the mock driver's `method` (one it defines: is_alive, close) do `behaviour`
    for router `bad` only."""
    original = getattr(MockDriver, method)

    def replaced(self, *args, **kwargs):
        if Path(self.path).name == "bad":
            return behaviour()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MockDriver, method, replaced)


def raising(exc: BaseException) -> Callable[[], Any]:
    def behaviour() -> Any:
        raise exc

    return behaviour


def bad_raises(monkeypatch, fleet: dict[str, Router], exc: BaseException) -> None:
    """Router `bad`'s driver raises `exc` in every call an operation makes: is_alive, and
    the getters and methods the mock driver answers from its files (by class path)."""
    misbehave(monkeypatch, "is_alive", raising(exc))
    cls = type(exc)
    name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    answer = {"exception": name, "args": list(exc.args)}
    calls = ("get_bgp_neighbors", "get_bgp_neighbors_detail", "load_merge_candidate")
    mock_answers(Path(fleet["bad"].napalm_args["path"]), dict.fromkeys(calls, answer))


def bad_line(out: str) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(("bad", "IX on bad"))]
    return line


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "exc", [KeyboardInterrupt(), Abort("unwound"), SystemExit(3), GeneratorExit()]
)
def test_any_exception_from_a_driver_method_is_that_routers_failure(
    fleet, monkeypatch, command, exc
) -> None:
    bad_raises(monkeypatch, fleet, exc)
    status, out, _ = run_command(*command)
    assert status == 1, out
    line = bad_line(out)
    assert "The mock driver failed in " in line and type(exc).__name__ in line, line
    good = [line for line in out.splitlines() if line.startswith(("good", "IX on good"))]
    assert good and "failed" not in good[0], out
    assert "1 failed" in out.splitlines()[-1]


@pytest.mark.parametrize("exc", [SystemExit(0), KeyboardInterrupt(), Abort()])
def test_a_close_that_raises_anything_changes_no_outcome(fleet, monkeypatch, exc) -> None:
    misbehave(monkeypatch, "close", raising(exc))
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 0, out
    assert out.splitlines()[-1] == "2 routers: 2 polled, 0 failed, 0 skipped"


def ping_with_driver_module(monkeypatch, tmp_path: Path, name: str, source: str) -> tuple:
    """Run ping_routers with router `bad` on driver `name`, the module napalm_<name> made
    of `source` (NAPALM finds `napalm_<name>` on the path)."""
    (tmp_path / f"napalm_{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    load_driver.cache_clear()
    from devices.models import Platform

    platform = Platform.objects.create(name=name, slug=name, napalm_driver=name)
    Router.objects.filter(name="bad").update(platform=platform)
    try:
        return run_command("ping_routers")
    finally:
        sys.modules.pop(f"napalm_{name}", None)
        load_driver.cache_clear()


def test_a_driver_that_cannot_be_imported_is_that_routers_failure(
    fleet, monkeypatch, tmp_path
) -> None:
    status, out, _ = ping_with_driver_module(monkeypatch, tmp_path, "pkexit", "raise SystemExit(0)")
    assert status == 1
    assert bad_line(out) == (
        "bad: failed (driver error): The NAPALM driver “pkexit” could not be loaded: SystemExit: 0."
    )
    assert out.splitlines()[-1] == "2 routers: 1 reachable, 1 failed, 0 skipped"


def test_an_exception_that_cannot_say_what_it_is_is_still_the_drivers(fleet, monkeypatch) -> None:
    bad_raises(monkeypatch, fleet, Unprintable())
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1
    assert bad_line(out) == (
        "bad: failed (driver error): "
        "The mock driver failed in get_bgp_neighbors on bad: Unprintable: "
        "(a Unprintable whose message cannot be read)."
    )


def test_a_lone_surrogate_from_a_driver_is_kept_written_out(fleet, monkeypatch, client) -> None:
    """Python makes lone surrogates of bytes that are not UTF-8; no database, terminal or
    page takes them. The poll's error is kept with it written `\\udc80`."""
    bad_raises(monkeypatch, fleet, RuntimeError("bad \udc80 reply"))
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1
    assert bad_line(out).endswith("RuntimeError: bad \\udc80 reply.")
    bad = Router.objects.get(name="bad")
    assert bad.last_poll_error.endswith("RuntimeError: bad \\udc80 reply.")
    # Everything still reads the routers: the next poll, the pages.
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1 and out.splitlines()[-1].startswith("2 routers:")
    _log_in(client)
    for url in ("/", "/devices/routers/", f"/devices/routers/{bad.pk}/"):
        assert client.get(url).status_code == 200, url


def test_a_huge_message_is_cut_to_one_reason(fleet, monkeypatch) -> None:
    bad_raises(monkeypatch, fleet, RuntimeError("x" * 5_000_000))
    log = Path(settings.LOG_DIR) / "peerkeeper.log"
    before = log.stat().st_size if log.exists() else 0
    status, out, _ = run_command("poll_bgp_sessions")
    # The log file keeps the traceback, cut too: the other records stay in it.
    assert log.stat().st_size - before < 3 * LOG_RECORD_LIMIT
    assert status == 1
    line = bad_line(out)
    assert len(line) < REASON_LIMIT + 100
    assert line.endswith("more characters)")
    assert len(Router.objects.get(name="bad").last_poll_error) < REASON_LIMIT + 100


def test_session_passwords_a_driver_quotes_are_masked_in_every_operation(
    fleet, monkeypatch
) -> None:
    """Current (direct and IXP) and retired session passwords: the router's own
    configuration may quote any of them."""
    bad = fleet["bad"]
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer")
    direct = DirectPeeringSession.objects.create(
        router=bad, autonomous_system=peer, ip_address="192.0.2.41", password="Direct-Pw-41"
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=bad.connections.get(),
        autonomous_system=peer,
        ip_address="192.0.2.42",
        password="Ixp-Pw-42",
    )
    direct.password = "Direct-Pw-NEW"  # the old one is retired, still on the router
    direct.save()
    said = "neighbor 192.0.2.41 password Direct-Pw-41 / Direct-Pw-NEW / Ixp-Pw-42"
    bad_raises(monkeypatch, fleet, RuntimeError(said))
    for command in COMMANDS:
        status, out, err = run_command(*command)
        assert status == 1
        line = bad_line(out)
        assert "password ******** / ******** / ********" in line, line
        assert "Pw-4" not in out + err and "Pw-NEW" not in out + err


@pytest.mark.parametrize(
    "quoted",
    [
        lambda pw: f"https://admin:{quote(pw, safe='')}@192.0.2.9/command-api refused",
        lambda pw: (
            "Authorization: Basic " + base64.b64encode(f"admin:{pw}".encode()).decode() + " refused"
        ),
        lambda pw: repr([repr(pw)]),
        lambda pw: repr(repr(repr(pw))),
    ],
    ids=["url", "basic-auth", "repr-of-repr", "repr-thrice"],
)
def test_a_router_password_in_an_encoded_form_is_masked(fleet, monkeypatch, quoted) -> None:
    password = "Rtr@Pw\\SECRET1"
    bad = fleet["bad"]
    bad.napalm_password = password
    bad.save()
    misbehave(monkeypatch, "is_alive", raising(ConnectionError(quoted(password))))
    status, out, err = run_command("ping_routers")
    assert status == 1
    line = bad_line(out)
    assert "********" in line, line
    assert "SECRET1" not in out + err
    assert "UnRyQFB3XFNFQ1JFVDE" not in out  # the base64 of the password's end


def test_a_template_that_makes_a_lone_surrogate_fails_with_its_name(fleet, client) -> None:
    ConfigTemplate.objects.filter(name="main").update(
        template="router bgp 64500\n description {{ '\\udc1b[2J' }}\n"
    )
    status, _, err = run_command("render_configuration", "good")
    assert status == 1
    assert "template “main”: line 2 of the configuration has a character that is not " in err
    _log_in(client)
    page = client.get(f"/devices/routers/{fleet['good'].pk}/configuration/")
    assert page.status_code == 200


NESTED = "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"


def test_a_template_nested_too_deep_is_refused_by_the_form_and_the_admin(db, client) -> None:
    _log_in(client)
    for url in ("/configs/templates/add/", "/admin/configs/configtemplate/add/"):
        page = client.post(url, {"name": "deep", "template": NESTED, "trim_blocks": "on"})
        assert page.status_code == 200, url
        assert "The template is nested too deeply to be read." in page.content.decode()
    assert not ConfigTemplate.objects.filter(name="deep").exists()


def test_reordering_and_invisible_characters_are_printed_escaped() -> None:
    assert printable("peer\u202egnp.exe\u200b!") == "peer\\u202egnp.exe\\u200b!"
    assert printable("a\u2028b\u2029c") == "a\\u2028b\\u2029c"  # line separators


def _log_in(client: Client) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("admin", "a@example.net", "pw")
    client.force_login(user)


ROUTER_PW = "Rtr&Pw<1>\"Sec'X9"
ENABLE = "En@ble&Sec<7>"
SESSION_PW = "Ixp&Pw<1>42"


@pytest.fixture
def secrets(fleet) -> dict[str, Router]:
    """`bad` with a router password, an enable secret and an IXP session password."""
    bad = fleet["bad"]
    bad.napalm_password = ROUTER_PW
    bad.napalm_args = {**bad.napalm_args, "secret": ENABLE}
    bad.save()
    InternetExchangePeeringSession.objects.create(
        ixp_connection=bad.connections.get(),
        autonomous_system=AutonomousSystem.objects.create(asn=64501, name="Peer"),
        ip_address="192.0.2.42",
        password=SESSION_PW,
    )
    return fleet


def assert_no_secret(text: str) -> None:
    for secret in (ROUTER_PW, ENABLE, SESSION_PW):
        for piece in (secret[:5], secret[-5:]):
            assert piece not in text, f"{piece!r} of a secret in: {text}"


def test_odd_driver_data_quoted_in_a_sentence_holds_no_secret(secrets, monkeypatch) -> None:
    misbehave(monkeypatch, "is_alive", lambda: {"is_alive": f"{ENABLE} {ROUTER_PW}"})
    peers = {"global": {"router_id": "192.0.2.1", "peers": {"192.0.2.11": f"{SESSION_PW} x"}}}
    mock_answers(Path(secrets["bad"].napalm_args["path"]), {"get_bgp_neighbors": peers})
    for command in COMMANDS:
        if command[0] == "configure_routers":
            continue
        status, out, err = run_command(*command)
        assert status == 1
        assert "returned" in bad_line(out), out
        assert_no_secret(out + err)


def test_a_diff_masks_every_form_of_the_routers_credentials(secrets) -> None:
    diff = f"+enable secret {ENABLE}\n+ username admin password {html.escape(ROUTER_PW)}\n"
    mock_answers(Path(secrets["bad"].napalm_args["path"]), {"compare_config": {"diff": diff}})
    status, out, err = run_command("configure_routers", "--dry-run", "--limit", "bad")
    assert status == 0, out + err
    assert "+enable secret ********" in out and "password ********" in out
    assert_no_secret(out + err)


def test_a_session_password_in_a_rejection_is_masked_in_any_form(secrets) -> None:
    encoded = base64.b64encode(SESSION_PW.encode()).decode()
    rejected = {
        "exception": "napalm.base.exceptions.MergeConfigException",
        "args": [f"bad line: neighbor 192.0.2.42 password {encoded}"],
    }
    mock_answers(Path(secrets["bad"].napalm_args["path"]), {"load_merge_candidate": rejected})
    status, out, err = run_command("configure_routers", "--dry-run", "--limit", "bad")
    assert status == 1
    assert bad_line(out).endswith("password ********"), out
    assert encoded not in out + err


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\v", "\x85", "\u2028"])
def test_a_password_split_by_a_line_break_is_masked(secrets, monkeypatch, newline) -> None:
    """Any line break str.splitlines() knows: the first line is taken with it."""
    said = (
        f"password {SESSION_PW[:6]}{newline}{SESSION_PW[6:]} / "
        f"{ROUTER_PW[:4]}{newline}{ROUTER_PW[4:]}"
    )
    bad_raises(monkeypatch, secrets, RuntimeError(said))
    status, out, err = run_command("poll_bgp_sessions")
    assert status == 1
    assert bad_line(out).endswith("RuntimeError: password ********."), out
    assert_no_secret(out + err + Router.objects.get(name="bad").last_poll_error)


@pytest.mark.parametrize(
    "form", [html.escape, lambda pw: pw.encode().hex(), lambda pw: pw.encode().hex().upper()]
)
def test_html_and_hex_forms_of_the_router_password_are_masked(secrets, monkeypatch, form):
    misbehave(monkeypatch, "is_alive", raising(ConnectionError(f"login {form(ROUTER_PW)}")))
    status, out, _ = run_command("ping_routers")
    assert status == 1
    assert bad_line(out).endswith("login ********."), out


@pytest.mark.parametrize("command", [("ping_routers",), ("configure_routers", "--dry-run")])
def test_a_drivers_keyboard_interrupt_is_its_failure_with_one_router_too(
    fleet, monkeypatch, command
) -> None:
    """One router runs in the main thread: only a real SIGINT there is the user's Ctrl-C
    (core/interrupts.py; a real one is tested in test_ctrl_c_still_stops_a_command)."""
    bad_raises(monkeypatch, fleet, KeyboardInterrupt())
    status, out, _ = run_command(*command, "--limit", "bad")
    assert status == 1
    assert "KeyboardInterrupt" in bad_line(out), out


class ExitingStr(Exception):
    def __str__(self) -> str:
        raise SystemExit("str exits")


def test_an_exception_whose_str_exits_is_still_the_drivers(fleet, monkeypatch) -> None:
    bad_raises(monkeypatch, fleet, ExitingStr())
    status, out, _ = run_command("poll_bgp_sessions")
    assert status == 1
    assert bad_line(out).endswith("ExitingStr: (a ExitingStr whose message cannot be read).")
    assert out.splitlines()[-1] == "2 routers: 1 polled, 1 failed, 0 skipped"


def test_a_huge_import_failure_is_cut(fleet, monkeypatch, tmp_path) -> None:
    huge = "raise RuntimeError('z' * 5_000_000)"
    status, out, _ = ping_with_driver_module(monkeypatch, tmp_path, "pkhuge", huge)
    assert status == 1
    assert len(bad_line(out)) < REASON_LIMIT + 100


INIT_FAILS = """
from napalm.base import mock

class PkInitDriver(mock.MockDriver):
    def __init__(self, hostname, username, password, timeout=60, optional_args=None):
        self.password = password
        raise RuntimeError("cannot start")

    def is_alive(self):
        raise SystemExit("\\x1b[31mRED pw=" + self.password)
"""


def test_what_python_cannot_raise_reaches_the_log_not_the_terminal(
    transactional_db, tmp_path, monkeypatch
) -> None:
    """A driver whose __init__ fails leaves NAPALM's __del__ to call its is_alive(), which
    raises here: Python would print that, password and escape sequence, on stderr."""
    (tmp_path / "napalm_pkinit.py").write_text(INIT_FAILS)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    from devices.models import Platform

    platform = Platform.objects.create(name="Init", slug="init", napalm_driver="pkinit")
    Router.objects.create(
        name="r1", hostname="127.0.0.1", platform=platform, napalm_password=ROUTER_PW
    )
    result = manage_py("ping_routers")
    assert result.returncode == 1
    assert result.stdout.startswith(
        "r1: failed (driver error): The pkinit driver failed in its setup"
    )
    assert "RED" not in result.stderr and "\x1b" not in result.stderr, result.stderr
    assert_no_secret(result.stdout + result.stderr)


SLOW = """
import time
from napalm.base import mock

class PkSlowDriver(mock.MockDriver):
    def is_alive(self):
        print("connected", flush=True)
        time.sleep(30)
        return {"is_alive": True}
"""


def test_ctrl_c_still_stops_a_command(transactional_db, tmp_path) -> None:
    """A real SIGINT while a driver works (one router: in the main thread) stops the
    command as Ctrl-C does, rather than being taken for the driver's failure."""
    (tmp_path / "napalm_pkslow.py").write_text(SLOW)
    from devices.models import Platform

    platform = Platform.objects.create(name="Slow", slug="slow", napalm_driver="pkslow")
    Router.objects.create(name="r1", hostname="127.0.0.1", platform=platform)
    environment = {**os.environ, **database_environment(), "PYTHONPATH": str(tmp_path)}
    command = subprocess.Popen(
        [sys.executable, "manage.py", "ping_routers"], cwd=BASE_DIR, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert command.stdout is not None
        assert command.stdout.readline() == "connected\n"
        command.send_signal(signal.SIGINT)
        out, err = command.communicate(timeout=20)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert command.returncode == 130
    assert "r1:" not in out  # not reported as the router's failure: the command stopped
    assert err.strip() == "Interrupted.", err


def test_every_format_character_is_printed_escaped() -> None:
    """Unicode's format characters (category Cf): bidirectional controls, zero-width and
    invisible characters, tags."""
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cf":
            assert printable(chr(code)).startswith("\\"), hex(code)
